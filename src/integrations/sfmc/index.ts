export * from './schemas';
export * from './sfmc-client';
