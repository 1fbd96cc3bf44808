import type { SimResponse } from '../core/router';

/*
 * SFMC's error bodies. Confirmed: the auth server's invalid_client body and
 * the REST 429 body. From live write-ups, not the official reference: the
 * REST 401 "Not Authorized" body, the 403 body (only `message`), and the 400
 * message "$search is a required parameter" (dawidmachon/mcecli
 * docs/dev/endpoint-notes.md). Ours: that 400's errorcode 10005, the 500
 * body, and errorcode 10000 on other 400/404 answers.
 */

const ERROR_URI = 'https://developer.salesforce.com/docs';

export function authError(status: number, error: string, description: string): SimResponse {
  return { status, body: { error, error_description: description, error_uri: ERROR_URI } };
}

export function invalidClient(): SimResponse {
  return authError(401, 'invalid_client', 'Client authentication failed.');
}

export function restError(status: number, message: string, errorcode?: number): SimResponse {
  return { status, body: { message, ...(errorcode === undefined ? {} : { errorcode }), documentation: '' } };
}

export function notAuthorized(): SimResponse {
  return restError(401, 'Not Authorized', 0);
}

export function insufficientPrivileges(): SimResponse {
  return { status: 403, body: { message: 'Insufficient privileges to complete this action.' } };
}

export function badRequest(message: string, errorcode = 10000): SimResponse {
  return restError(400, message, errorcode);
}

export function notFound(message: string): SimResponse {
  return restError(404, message, 10000);
}

export function rateLimited(retryAfterSeconds: number): SimResponse {
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: { message: 'Rate limit exceeded', errorcode: 50100, retryAfter: retryAfterSeconds },
  };
}

export function serverError(): SimResponse {
  return restError(500, 'An error occurred while processing the request.', 0);
}
