import type { RequestAuthorizer } from '../http/json-http-client';

export interface PlatformTokenSource {
  token(): Promise<string>;
  invalidate(rejectedToken?: string): void;
}

export interface PlatformIdentity {
  orgId: string;
  /** The OAuth client id, sent as `x-api-key`. */
  apiKey: string;
  sandbox: string;
}

/** Every Experience Platform call carries the bearer token, API key, org and sandbox headers. */
export function platformAuthorizer(
  tokens: PlatformTokenSource,
  identity: PlatformIdentity,
): RequestAuthorizer {
  return {
    async headers() {
      return {
        authorization: `Bearer ${await tokens.token()}`,
        'x-api-key': identity.apiKey,
        'x-gw-ims-org-id': identity.orgId,
        'x-sandbox-name': identity.sandbox,
      };
    },
    rejected(headers) {
      tokens.invalidate(headers.authorization?.replace(/^Bearer /, ''));
    },
  };
}
