import type { FaultResponseKind } from '../core/module';
import type { SimRequest, SimResponse } from '../core/router';
import { bearerToken, type TokenRegistry } from '../core/tokens';

/** What an IMS access token stands for. */
export interface ImsTokenSubject {
  orgId: string;
  clientId: string;
}

export interface PlatformCaller {
  orgId: string;
  sandbox: string;
  clientId: string;
}

function header(request: SimRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The API gateway's own error format (Adobe's troubleshooting guide). */
export function gatewayError(status: number, code: string, message: string): SimResponse {
  return { status, body: { error_code: code, message } };
}

/**
 * Checks the headers every Experience Platform call needs, in the gateway's
 * order: token, API key, org, sandbox, and a JSON content type on bodies.
 * `sandboxExists` answers for the caller's org.
 */
export function authenticatePlatformCall(
  request: SimRequest,
  tokens: TokenRegistry,
  sandboxExists: (orgId: string, sandbox: string) => boolean,
): { caller: PlatformCaller } | { response: SimResponse } {
  const token = bearerToken(request.headers.authorization);
  if (!token) return { response: gatewayError(401, '403010', 'Oauth token is missing.') };
  const grant = tokens.check<ImsTokenSubject>(token);
  if (!grant) return { response: gatewayError(401, '401013', 'Oauth token is not valid') };

  const apiKey = header(request, 'x-api-key');
  if (!apiKey) return { response: gatewayError(403, '403000', 'Api Key is required') };
  if (apiKey !== grant.subject.clientId)
    return { response: gatewayError(403, '403003', 'Api Key is invalid') };

  const orgId = header(request, 'x-gw-ims-org-id');
  if (!orgId) return { response: gatewayError(400, '400003', 'Missing x-gw-ims-org-id header') };
  // Assumption (undocumented): a token of another org, or a sandbox the org lacks, is the gateway's 403025.
  const sandbox = header(request, 'x-sandbox-name') ?? 'prod';
  if (orgId !== grant.subject.orgId || !sandboxExists(orgId, sandbox)) {
    return { response: gatewayError(403, '403025', 'Profile is not valid') };
  }

  if (['POST', 'PUT', 'PATCH'].includes(request.method) && request.body !== undefined) {
    const contentType = header(request, 'content-type') ?? '';
    if (!contentType.toLowerCase().startsWith('application/json')) {
      return {
        response: {
          status: 400,
          body: {
            type: 'http://ns.adobe.com/aep/errors/BadRequestError',
            status: 400,
            title: 'BadRequestError',
            detail: 'A valid content-type must be specified',
          },
        },
      };
    }
  }
  return { caller: { orgId, sandbox, clientId: grant.subject.clientId } };
}

export function platformFaultResponse(kind: FaultResponseKind, retryAfterSeconds: number): SimResponse {
  if (kind === 'forbidden')
    return {
      status: 403,
      body: {
        type: 'https://ns.adobe.com/aep/errors/FLOW-2120-403',
        title: 'Forbidden',
        status: 403,
        report: { 'detailed-message': 'The credential is not allowed to do this.' },
      },
    };
  // Flow Service documents no 429 contract; this mirrors Adobe's API gateway throttling answer (assumption).
  return kind === 'rate-limited'
    ? {
        status: 429,
        headers: { 'retry-after': String(retryAfterSeconds) },
        body: { error_code: '429050', message: 'Too many requests' },
      }
    : {
        status: 503,
        headers: { 'retry-after': String(retryAfterSeconds) },
        body: {
          type: 'https://ns.adobe.com/aep/errors/FLOW-1103-503',
          title: 'Service unavailable',
          status: 503,
          report: { 'detailed-message': 'The service is temporarily unavailable. Retry later.' },
        },
      };
}

/** The sandbox an Experience Platform call addresses: its `x-sandbox-name`, `prod` without one (as the gateway reads it). */
export function platformSandbox(request: SimRequest): string {
  return header(request, 'x-sandbox-name') ?? 'prod';
}

export function platformTenant(request: SimRequest): string {
  return header(request, 'x-gw-ims-org-id') ?? 'anonymous';
}
