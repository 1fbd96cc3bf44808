import type { SimulatorContext, SimulatorModule } from '../core/module';
import type { Router, SimHandler, SimRequest, SimResponse } from '../core/router';
import { bearerToken } from '../core/tokens';
import { MarketoAccessTokens } from './access-tokens';
import { registerMarketoAdmin } from './admin';
import { failure, success } from './envelope';
import { takeDailyCall } from './quota';
import {
  findInstance,
  initialMarketoState,
  seedMarketoState,
  type MarketoInstanceRecord,
  type MarketoLeadFieldRecord,
  type MarketoSimulatorState,
} from './state';

const PREFIX = '/marketo';

function identityError(status: number, error: string, description: string): SimResponse {
  return { status, body: { error, error_description: description } };
}

/** The identity service reads its parameters from the query string or, on POST, a form body. */
function identityParameter(request: SimRequest, name: string): string | undefined {
  const fromQuery = request.query.get(name);
  if (fromQuery !== null) return fromQuery;
  const body = request.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function describeField(field: MarketoLeadFieldRecord) {
  return {
    id: field.id,
    displayName: field.displayName,
    dataType: field.dataType,
    ...(field.length === undefined ? {} : { length: field.length }),
    rest: { name: field.restName, readOnly: field.readOnly },
    soap: { name: field.soapName, readOnly: field.readOnly },
  };
}

function register(router: Router, state: () => MarketoSimulatorState, context: SimulatorContext): void {
  const accessTokens = new MarketoAccessTokens(context);

  const identity: SimHandler = (request) => {
    const instance = findInstance(state(), request.params.munchkinId);
    if (!instance) return identityError(404, 'not_found', 'Unknown Munchkin ID');
    const grantType = identityParameter(request, 'grant_type');
    if (!grantType) return identityError(400, 'invalid_request', 'Missing grant type');
    if (grantType !== 'client_credentials') {
      return identityError(400, 'unsupported_grant_type', `Unsupported grant type: ${grantType}`);
    }
    const client = instance.clients[identityParameter(request, 'client_id') ?? ''];
    const secret = identityParameter(request, 'client_secret');
    if (!client || !secret || (client.secret !== undefined && client.secret !== secret)) {
      return identityError(401, 'unauthorized', 'Bad client credentials');
    }
    const { token, expiresIn } = accessTokens.grant(instance.munchkinId, client.clientId);
    return {
      status: 200,
      body: { access_token: token, token_type: 'bearer', expires_in: expiresIn, scope: client.apiUser },
    };
  };

  /** What every REST call goes through before its own work: token, scripted errors, daily quota. */
  const rest =
    (handle: (instance: MarketoInstanceRecord) => SimResponse): SimHandler =>
    (request) => {
      const instance = findInstance(state(), request.params.munchkinId);
      // The access_token query parameter is deprecated but still accepted by Marketo.
      const token =
        bearerToken(request.headers.authorization) ?? request.query.get('access_token') ?? undefined;
      const tokenCheck = accessTokens.check(token, instance?.munchkinId ?? '');
      if (!tokenCheck.valid) return failure(tokenCheck.code);
      if (!instance) return failure('601');
      const scripted = instance.scriptedErrors[0];
      if (scripted) {
        scripted.remaining -= 1;
        if (scripted.remaining <= 0) instance.scriptedErrors.shift();
        context.changed();
        return failure(scripted.code, scripted.message);
      }
      if (!takeDailyCall(instance, context.clock.now())) {
        context.changed();
        return failure('607');
      }
      context.changed();
      return handle(instance);
    };

  router.get(`${PREFIX}/:munchkinId/identity/oauth/token`, identity);
  // Issuing (or handing back) a token changes no stored state, so it is not a write.
  router.add('POST', `${PREFIX}/:munchkinId/identity/oauth/token`, identity);
  router.get(
    `${PREFIX}/:munchkinId/rest/v1/leads/describe.json`,
    rest((instance) => success(instance.leadFields.map(describeField))),
  );
}

/** Marketo Engage: the identity service and the REST API of each instance, under /marketo/{munchkinId}. */
export const marketoSimulatorModule: SimulatorModule<MarketoSimulatorState> = {
  name: 'marketo',
  prefix: PREFIX,
  initialState: initialMarketoState,
  seed: seedMarketoState,
  register,
  registerAdmin: registerMarketoAdmin,
  tenantOf(request) {
    return (request.path.split('/')[2] ?? '').toUpperCase();
  },
  faultResponse(kind, retryAfterSeconds) {
    // Marketo signals its rate limit in an HTTP 200 body without Retry-After.
    if (kind === 'rate-limited') return failure('606');
    if (kind === 'concurrency-limited') return failure('615');
    if (kind === 'forbidden') return failure('603');
    // Documented transient codes (604/608/611/713) are scripted per instance; the generic fault also hits
    // the identity service, which has no envelope, so it is the 503 Marketo's edge answers in an outage.
    return {
      status: 503,
      headers: { 'content-type': 'text/html', 'retry-after': String(retryAfterSeconds) },
      body: '<html><head><title>503 Service Temporarily Unavailable</title></head><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
    };
  },
  describeBaseUrls(baseUrl) {
    return { 'Marketo REST + identity (marketo.baseUrl)': `${baseUrl}${PREFIX}/{munchkinId}` };
  },
};
