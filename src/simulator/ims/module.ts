import { z } from 'zod';
import type { ImsTokenSubject } from '../adobe-platform/gateway';
import type { SimulatorModule } from '../core/module';
import type { SimRequest, SimResponse } from '../core/router';
import { jwtFormat } from '../core/tokens';
import { DEMO_IMS_CLIENT_ID, DEMO_ORG_ID } from '../seeds/demo-catalog';

interface ImsClient {
  orgId: string;
  /** When absent, any non-empty secret is accepted (demo credentials). */
  secret?: string;
  scopes: string[];
}

export interface ImsSimulatorState {
  clients: Record<string, ImsClient>;
}

const TOKEN_LIFETIME_SECONDS = 86_399;
const DEMO_SCOPES = [
  'openid',
  'AdobeID',
  'read_organizations',
  'additional_info.projectedProductContext',
  'session',
];

function imsError(status: number, error: string, description: string): SimResponse {
  return { status, body: { error, error_description: description } };
}

const credentialFieldsSchema = z.record(z.string(), z.string());

/**
 * Credentials may come as a query string, a form-encoded body or a
 * multipart/form-data body; a field in the body wins over the same field in
 * the query.
 */
function readCredentials(request: SimRequest): Record<string, string> | undefined {
  const body = request.body === undefined ? {} : credentialFieldsSchema.safeParse(request.body).data;
  return body && { ...Object.fromEntries(request.query), ...body };
}

const clientSchema = z
  .object({
    orgId: z.string().min(1),
    secret: z.string().min(1).optional(),
    scopes: z.array(z.string()).min(1),
  })
  .strict();

/** Adobe IMS OAuth server-to-server token endpoints (`POST /ims/token/v3`, and the older `/ims/token/v2`). */
export const imsSimulatorModule: SimulatorModule<ImsSimulatorState> = {
  name: 'ims',
  prefix: '/ims',
  initialState: () => ({ clients: {} }),
  seed(state, options) {
    if (options.profile === 'empty') return;
    state.clients[DEMO_IMS_CLIENT_ID] = { orgId: DEMO_ORG_ID, scopes: DEMO_SCOPES };
  },
  register(router, state, context) {
    const issueToken = (request: SimRequest): SimResponse => {
      const fields = readCredentials(request);
      if (!fields) return imsError(400, 'invalid_request', 'the request body could not be read');
      if (fields.grant_type !== 'client_credentials') {
        return imsError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
      }
      const client =
        fields.client_id && Object.hasOwn(state().clients, fields.client_id)
          ? state().clients[fields.client_id]
          : undefined;
      if (!client) return imsError(400, 'invalid_client', 'invalid client_id parameter');
      if (!fields.client_secret || (client.secret !== undefined && client.secret !== fields.client_secret)) {
        return imsError(400, 'invalid_client', 'invalid client_secret parameter');
      }
      const requested = (fields.scope ?? '').split(/[,\s]+/).filter(Boolean);
      const unknown = requested.filter((scope) => !client.scopes.includes(scope));
      if (unknown.length) return imsError(400, 'invalid_scope', `invalid scope: ${unknown.join(',')}`);
      const subject: ImsTokenSubject = { orgId: client.orgId, clientId: fields.client_id! };
      const { token, expiresIn } = context.tokens.issue(
        subject,
        TOKEN_LIFETIME_SECONDS,
        jwtFormat({ client_id: fields.client_id, scope: requested.join(','), as: 'ims-na1' }),
      );
      return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: expiresIn } };
    };
    // v2 is the older endpoint, still served; both take the same credentials and answer alike.
    router.post('/ims/ims/token/v3', issueToken, { write: false });
    router.post('/ims/ims/token/v2', issueToken, { write: false });
  },
  registerAdmin(router, state, context) {
    router.put('/__admin/ims/clients/:clientId', (request) => {
      const parsed = clientSchema.safeParse(request.body);
      if (!parsed.success)
        return { status: 400, body: { error: 'invalid_admin_request', problems: parsed.error.issues } };
      state().clients[request.params.clientId!] = parsed.data;
      context.changed();
      return { status: 200, body: { clientId: request.params.clientId, orgId: parsed.data.orgId } };
    });
  },
  tenantOf: (request) => readCredentials(request)?.client_id ?? 'anonymous',
  faultResponse: (kind, retryAfterSeconds) =>
    kind === 'forbidden'
      ? { status: 401, body: { error: 'invalid_client', error_description: 'invalid client' } }
      : kind === 'rate-limited'
        ? {
            status: 429,
            headers: { 'retry-after': String(retryAfterSeconds) },
            body: { error: 'too_many_requests', error_description: 'Too many requests' },
          }
        : {
            status: 503,
            body: { error: 'temporarily_unavailable', error_description: 'Service temporarily unavailable' },
          },
  describeBaseUrls: (baseUrl) => ({ 'Adobe IMS (adobe.imsUrl)': `${baseUrl}/ims` }),
};
