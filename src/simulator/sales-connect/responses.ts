import type { z } from 'zod';
import type { SimResponse } from '../core/router';
import type { ErrorBody, SalesConnectErrorCode } from './contract';

export function contractError(
  status: number,
  code: SalesConnectErrorCode,
  message: string,
  headers?: Record<string, string>,
): SimResponse {
  const body: ErrorBody = { error: { code, message } };
  return { status, body, headers };
}

/** Names the offending fields and never echoes a value: a request body may carry a client secret. */
export function invalidRequest(error: z.ZodError): SimResponse {
  const problems = error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
  return contractError(400, 'invalid-request', `The request body is not valid: ${problems}`);
}
