export * from './gateway';
export {
  HttpSalesConnectGateway,
  readSalesConnectErrorBody,
  type HttpSalesConnectGatewayOptions,
} from './http-gateway';
export {
  CONTRACT_VERSION as SALES_CONNECT_CONTRACT_VERSION,
  MAX_USERS_PER_INVITATION as SALES_CONNECT_MAX_USERS_PER_INVITATION,
} from './schemas';
