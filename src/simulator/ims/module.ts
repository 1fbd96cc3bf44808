import { z } from 'zod';
import type { ImsTokenSubject } from '../adobe-platform/gateway';
import type { SimulatorModule } from '../core/module';
import type { SimResponse } from '../core/router';
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

const clientSchema = z
  .object({
    orgId: z.string().min(1),
    secret: z.string().min(1).optional(),
    scopes: z.array(z.string()).min(1),
  })
  .strict();

/** Adobe IMS OAuth server-to-server token endpoint (`POST /ims/token/v3`). */
export const imsSimulatorModule: SimulatorModule<ImsSimulatorState> = {
  name: 'ims',
  prefix: '/ims',
  initialState: () => ({ clients: {} }),
  seed(state, options) {
    if (options.profile === 'empty') return;
    state.clients[DEMO_IMS_CLIENT_ID] = { orgId: DEMO_ORG_ID, scopes: DEMO_SCOPES };
  },
  register(router, state, context) {
    router.post(
      '/ims/ims/token/v3',
      (request) => {
        const fields = {
          ...Object.fromEntries(request.query),
          ...(request.body as Record<string, string> | undefined),
        };
        if (fields.grant_type !== 'client_credentials') {
          return imsError(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
        }
        const client = fields.client_id ? state().clients[fields.client_id] : undefined;
        if (!client) return imsError(400, 'invalid_client', 'invalid client_id parameter');
        if (
          !fields.client_secret ||
          (client.secret !== undefined && client.secret !== fields.client_secret)
        ) {
          return imsError(400, 'invalid_client', 'invalid client_secret parameter');
        }
        const requested = (fields.scope ?? '').split(/[,\s]+/).filter(Boolean);
        const unknown = requested.filter((scope) => !client.scopes.includes(scope));
        if (unknown.length) return imsError(400, 'invalid_scope', `invalid scope: ${unknown.join(',')}`);
        const subject: ImsTokenSubject = { orgId: client.orgId, clientId: fields.client_id! };
        const { token, expiresIn } = context.tokens.issue(subject, TOKEN_LIFETIME_SECONDS, 'eyJ');
        return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: expiresIn } };
      },
      { write: false },
    );
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
  tenantOf: (request) => {
    const body = request.body as Record<string, string> | undefined;
    return body?.client_id ?? 'anonymous';
  },
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
