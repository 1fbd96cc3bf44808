import type { SimResponse } from '../core/router';
import { ERROR_STATUS, type ErrorBody, type SalesConnectErrorCode } from './contract';

export function contractError(
  code: SalesConnectErrorCode,
  message: string,
  headers?: Record<string, string>,
): SimResponse {
  const body: ErrorBody = { error: { code, message } };
  return { status: ERROR_STATUS[code], body, headers };
}

/** Names the offending fields and never echoes a value: a request body may carry a client secret. */
export function invalidRequest(problems: string[]): SimResponse {
  return contractError(
    'invalid-request',
    `The request body is not valid: ${problems.slice(0, 5).join('; ')}`,
  );
}
