import { z } from 'zod';
import type { SimulatorContext } from '../core/module';
import type { Router } from '../core/router';
import { authError, invalidClient } from './responses';
import type { SfmcSimulatorState } from './state';

/** Tokens live 20 minutes; SFMC advertises a little less (the docs' example answer says 1079). */
export const TOKEN_LIFETIME_SECONDS = 1200;
const ADVERTISED_EXPIRES_IN = 1079;

export interface SfmcTokenSubject {
  kind: 'sfmc-access-token';
  subdomain: string;
  clientId: string;
  scopes: string[];
}

export function isSfmcTokenSubject(subject: unknown): subject is SfmcTokenSubject {
  return (
    typeof subject === 'object' &&
    subject !== null &&
    (subject as { kind?: unknown }).kind === 'sfmc-access-token'
  );
}

const tokenRequestSchema = z.object({
  grant_type: z.string(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  account_id: z.union([z.string(), z.number()]).optional(),
  scope: z.string().optional(),
});

/** `{baseUrl}/sfmc/{subdomain}`: the simulated host pair `{subdomain}.auth|rest|soap.marketingcloudapis.com`. */
export function tenantBaseUrl(baseUrl: string, subdomain: string): string {
  return `${baseUrl}/sfmc/${encodeURIComponent(subdomain)}`;
}

export function registerAuthRoutes(
  router: Router,
  state: () => SfmcSimulatorState,
  context: SimulatorContext,
): void {
  router.post('/sfmc/:subdomain/auth/v2/token', (request) => {
    const parsed = tokenRequestSchema.safeParse(request.body);
    if (!parsed.success)
      return authError(400, 'invalid_request', 'The request is missing a required parameter.');
    const body = parsed.data;
    if (body.grant_type !== 'client_credentials') {
      return authError(400, 'unsupported_grant_type', 'The authorization grant type is not supported.');
    }
    const subdomain = request.params.subdomain ?? '';
    const client = body.client_id ? state().tenants[subdomain]?.clients[body.client_id] : undefined;
    const secret = body.client_secret ?? '';
    if (!client || !secret || (client.secret !== undefined && client.secret !== secret))
      return invalidClient();

    // Assumed: a `scope` parameter narrows the token to the package scopes it names.
    const requested = body.scope?.split(/\s+/).filter(Boolean);
    const scopes = requested
      ? client.scopes.filter((scope) => requested.includes(scope))
      : [...client.scopes];
    const subject: SfmcTokenSubject = {
      kind: 'sfmc-access-token',
      subdomain,
      clientId: client.clientId,
      scopes,
    };
    const { token } = context.tokens.issue(subject, TOKEN_LIFETIME_SECONDS, 'eyJ');
    const host = tenantBaseUrl(context.baseUrl(), subdomain);
    return {
      status: 200,
      body: {
        access_token: token,
        token_type: 'Bearer',
        expires_in: ADVERTISED_EXPIRES_IN,
        scope: scopes.join(' '),
        soap_instance_url: `${host}/soap/`,
        rest_instance_url: `${host}/rest/`,
      },
    };
  });
}
