import { randomBytes } from 'node:crypto';
import type { SimResponse } from '../core/router';

/** Marketo's own wording for the codes the simulator answers with (from its error-code reference). */
export const MARKETO_ERROR_MESSAGES: Readonly<Record<string, string>> = {
  '601': 'Access token invalid',
  '602': 'Access token expired',
  '603': 'Access denied',
  '604': 'Request timed out',
  '606': "Max rate limit '100' exceeded with in '20' secs",
  '607': 'Daily quota reached',
  '608': 'API Temporarily Unavailable',
  '609': 'Invalid JSON',
  '610': 'Requested resource not found',
  '611': 'System error',
  '612': 'Invalid Content Type',
  '614': 'Invalid Subscription',
  '615': 'Concurrent access limit reached',
  '713': 'Transient Error',
};

/** Looks like Marketo's request ids, e.g. `e42b#14272d07d78`. */
function requestId(): string {
  return `${randomBytes(2).toString('hex')}#${Date.now().toString(16)}`;
}

export function success(result: unknown): SimResponse {
  return { status: 200, body: { requestId: requestId(), result, success: true } };
}

/** Marketo reports API errors in an HTTP 200 body. */
export function failure(code: string, message = MARKETO_ERROR_MESSAGES[code] ?? 'Error'): SimResponse {
  return { status: 200, body: { requestId: requestId(), success: false, errors: [{ code, message }] } };
}
