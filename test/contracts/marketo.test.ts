import { expectEveryRouteExercised } from '../support/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteApiError } from '../../src/integrations/http/errors';
import { MarketoClient, marketoBaseUrl, type MarketoClientOptions } from '../../src/integrations/marketo';
import {
  identityErrorSchema,
  identityTokenSchema,
  marketoEnvelopeSchema,
} from '../../src/integrations/marketo/schemas';
import { marketoSimulatorModule } from '../../src/simulator/marketo/module';
import type { SeedProfileName } from '../../src/simulator/core/module';
import { DEMO_MARKETO } from '../../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';

/** Every simulator the tests started, for the route-coverage check at the end. */
const everyStarted: RunningSimulator[] = [];

const SECRET = 'demo-Secret-9f3a7c1e';
const MUNCHKIN = DEMO_MARKETO.munchkinId;
const DESCRIBE = '/rest/v1/leads/describe.json';

let sim: RunningSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(profile: SeedProfileName = 'demo'): Promise<RunningSimulator> {
  sim = await startSimulator({ port: 0, modules: [marketoSimulatorModule], seed: { profile } });
  everyStarted.push(sim);
  return sim;
}

function instanceUrl(running: RunningSimulator, munchkinId = MUNCHKIN): string {
  return marketoBaseUrl(munchkinId, { simulatorBaseUrl: running.baseUrl });
}

interface Exchange {
  method: string;
  path: string;
  query: URLSearchParams;
  authorization: string | null;
  body: unknown;
}

/** Real fetch, remembering what the client sent and what came back. */
function recordingFetch(exchanges: Exchange[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    const text = await response.clone().text();
    let body: unknown = text;
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      // Not JSON (e.g. a 503 page); kept as text.
    }
    exchanges.push({
      method: init?.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      authorization: new Headers(init?.headers).get('authorization'),
      body,
    });
    return response;
  };
}

/** `ok` for a successful envelope, otherwise the first error code. */
function outcome(body: unknown): string {
  const envelope = marketoEnvelopeSchema.parse(body);
  return envelope.success ? 'ok' : (envelope.errors?.[0]?.code ?? 'no-code');
}

function client(running: RunningSimulator, overrides: Partial<MarketoClientOptions> = {}): MarketoClient {
  return new MarketoClient({
    baseUrl: instanceUrl(running),
    clientId: DEMO_MARKETO.clientId,
    clientSecret: SECRET,
    ...overrides,
  });
}

async function admin(
  running: RunningSimulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<unknown> {
  const response = await fetch(`${running.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  const text = await response.text();
  return text ? (JSON.parse(text) as unknown) : undefined;
}

async function rejection(promise: Promise<unknown>): Promise<RemoteApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RemoteApiError);
    const remote = error as RemoteApiError;
    for (const secret of [SECRET, 'right-Secret-4242', 'wrong-Secret-1717']) {
      expect(remote.message).not.toContain(secret);
      expect(remote.remoteMessage ?? '').not.toContain(secret);
    }
    return remote;
  }
  throw new Error('expected the call to fail');
}

async function requestToken(running: RunningSimulator, init?: RequestInit, munchkinId = MUNCHKIN) {
  const query = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: DEMO_MARKETO.clientId,
    client_secret: SECRET,
  });
  const response = await fetch(`${instanceUrl(running, munchkinId)}/identity/oauth/token?${query}`, init);
  expect(response.status).toBe(200);
  return identityTokenSchema.parse(await response.json());
}

describe('Marketo client against the simulator', () => {
  it('verifies credentials and describes the demo lead fields with their REST names', async () => {
    const running = await start();
    const exchanges: Exchange[] = [];
    const marketo = client(running, { fetch: recordingFetch(exchanges) });

    expect(await marketo.verifyCredentials()).toEqual({ apiUser: DEMO_MARKETO.apiUser });
    const fields = await marketo.describeLeadFields();

    expect(fields.map((field) => field.rest?.name)).toEqual(
      DEMO_MARKETO.fields.map((field) => field.restName),
    );
    expect(fields.find((field) => field.rest?.name === 'email')).toEqual({
      id: 2,
      displayName: 'Email Address',
      dataType: 'email',
      length: 255,
      rest: { name: 'email', readOnly: false },
      soap: { name: 'Email', readOnly: false },
    });
    expect(fields.find((field) => field.rest?.name === 'createdAt')).toMatchObject({
      dataType: 'datetime',
      rest: { name: 'createdAt', readOnly: true },
    });
    expect(fields.find((field) => field.rest?.name === 'id')?.length).toBeUndefined();

    const describeCall = exchanges.find((exchange) => exchange.path.endsWith(DESCRIBE));
    expect(describeCall?.authorization).toMatch(/^Bearer \S+$/);
    expect(describeCall?.query.has('access_token')).toBe(false);
    expect(exchanges.filter((exchange) => exchange.path.endsWith('/identity/oauth/token'))).toHaveLength(2);
  });

  it('caches the token across calls', async () => {
    const running = await start();
    const exchanges: Exchange[] = [];
    const marketo = client(running, { fetch: recordingFetch(exchanges) });
    await marketo.describeLeadFields();
    await marketo.describeLeadFields();
    expect(exchanges.map((exchange) => exchange.path.split('/').slice(3).join('/'))).toEqual([
      'identity/oauth/token',
      'rest/v1/leads/describe.json',
      'rest/v1/leads/describe.json',
    ]);
  });

  it('renews the token once after 601 (token invalid) and succeeds', async () => {
    const running = await start();
    const exchanges: Exchange[] = [];
    const marketo = client(running, { fetch: recordingFetch(exchanges) });
    await marketo.describeLeadFields();
    await admin(running, 'POST', '/__admin/tokens/revoke');

    expect(await marketo.describeLeadFields()).toHaveLength(DEMO_MARKETO.fields.length);
    const describes = exchanges.filter((exchange) => exchange.path.endsWith(DESCRIBE));
    expect(describes.map((exchange) => outcome(exchange.body))).toEqual(['ok', '601', 'ok']);
    expect(describes[2]?.authorization).not.toBe(describes[1]?.authorization);
  });

  it('renews the token once after 602 (token expired) and succeeds', async () => {
    const running = await start();
    const exchanges: Exchange[] = [];
    const marketo = client(running, { fetch: recordingFetch(exchanges) });
    await marketo.describeLeadFields();
    running.clock.advance(3601 * 1000);

    expect(await marketo.describeLeadFields()).toHaveLength(DEMO_MARKETO.fields.length);
    const describes = exchanges.filter((exchange) => exchange.path.endsWith(DESCRIBE));
    expect(describes.map((exchange) => outcome(exchange.body))).toEqual(['ok', '602', 'ok']);
    expect(describes[2]?.authorization).not.toBe(describes[1]?.authorization);
  });

  it('renews a token that died before its stated expiry', async () => {
    const running = await start();
    running.faults.configure({ tokenLifetimeSeconds: 5 });
    const exchanges: Exchange[] = [];
    const marketo = client(running, { fetch: recordingFetch(exchanges) });
    await marketo.describeLeadFields();
    running.clock.advance(6000);

    await marketo.describeLeadFields();
    const describes = exchanges.filter((exchange) => exchange.path.endsWith(DESCRIBE));
    expect(describes.map((exchange) => outcome(exchange.body))).toEqual(['ok', '602', 'ok']);
  });

  it('gives up as unauthorized when the renewed token is rejected too', async () => {
    const running = await start();
    await admin(running, 'POST', `/__admin/marketo/${MUNCHKIN}/errors`, { code: '601', count: 2 });
    const error = await rejection(client(running).describeLeadFields());
    expect(error).toMatchObject({ kind: 'unauthorized', retryable: false, remoteCode: '601' });
    expect(error.message).toBe(
      'marketo GET /rest/v1/leads/describe.json failed (unauthorized, code 601): Access token invalid. ' +
        'Marketo rejected a newly issued access token too; check that the API-only user and its LaunchPoint service are still active',
    );
  });

  it('maps 606 to a retryable rate limit with a delay (Marketo sends no Retry-After)', async () => {
    const running = await start();
    running.faults.configure({ script: [{ kind: 'rate-limited', pathContains: 'describe', count: 2 }] });

    const error = await rejection(client(running).describeLeadFields());
    expect(error).toMatchObject({
      kind: 'rate-limited',
      retryable: true,
      remoteCode: '606',
      retryAfterMs: 20_000,
    });
    expect(error.remoteMessage).toBe("Max rate limit '100' exceeded with in '20' secs");

    const configured = await rejection(client(running, { rateLimitRetryDelayMs: 1500 }).describeLeadFields());
    expect(configured.retryAfterMs).toBe(1500);
  });

  it('maps a rate-limited identity call the same way', async () => {
    const running = await start();
    running.faults.configure({ script: [{ kind: 'rate-limited', pathContains: 'identity', count: 1 }] });
    const error = await rejection(client(running).verifyCredentials());
    expect(error).toMatchObject({ kind: 'rate-limited', retryable: true, remoteCode: '606' });
  });

  it('answers 607 once the daily quota is used up, resetting the next US Central day', async () => {
    const running = await start();
    await admin(running, 'PUT', `/__admin/marketo/${MUNCHKIN}/quota`, { dailyQuota: 3, used: 2 });
    const marketo = client(running);
    await marketo.describeLeadFields();
    expect(await admin(running, 'GET', `/__admin/marketo/${MUNCHKIN}/quota`)).toEqual({
      munchkinId: MUNCHKIN,
      dailyQuota: 3,
      used: 3,
    });

    const error = await rejection(marketo.describeLeadFields());
    expect(error).toMatchObject({ kind: 'quota-exhausted', retryable: false, remoteCode: '607' });
    expect(error.message).toBe(
      'marketo GET /rest/v1/leads/describe.json failed (quota-exhausted, code 607): Daily quota reached. ' +
        'The daily quota of REST API calls (50,000 calls by default) is used up; it resets at 12:00 AM US Central time',
    );

    running.clock.advance(24 * 3600 * 1000);
    expect(await marketo.describeLeadFields()).toHaveLength(DEMO_MARKETO.fields.length);
  });

  it.each([
    { code: '603', kind: 'forbidden', retryable: false, message: 'Access denied' },
    { code: '604', kind: 'server', retryable: true, message: 'Request timed out' },
    { code: '608', kind: 'server', retryable: true, message: 'API Temporarily Unavailable' },
    { code: '611', kind: 'server', retryable: true, message: 'System error' },
    { code: '713', kind: 'server', retryable: true, message: 'Transient Error' },
    { code: '615', kind: 'rate-limited', retryable: true, message: 'Concurrent access limit reached' },
    { code: '610', kind: 'bad-request', retryable: false, message: 'Requested resource not found' },
  ])('maps in-body error $code to $kind', async ({ code, kind, retryable, message }) => {
    const running = await start();
    await admin(running, 'POST', `/__admin/marketo/${MUNCHKIN}/errors`, { code });
    const marketo = client(running);
    const error = await rejection(marketo.describeLeadFields());
    expect(error).toMatchObject({ kind, retryable, remoteCode: code, remoteMessage: message });
    expect(error.message).toContain(`code ${code}): ${message}`);
    if (code === '615') expect(error.retryAfterMs).toBe(5000);
    if (code === '603') expect(error.message).toContain('(Read-Only Lead or Read-Write Lead)');
    expect(await marketo.describeLeadFields()).toHaveLength(DEMO_MARKETO.fields.length);
  });

  it('maps an injected server error (HTTP 503) to a retryable error with Retry-After', async () => {
    const running = await start();
    running.faults.configure({ script: [{ kind: 'server-error', pathContains: 'describe', count: 1 }] });
    const error = await rejection(client(running).describeLeadFields());
    expect(error).toMatchObject({ kind: 'server', retryable: true, status: 503, retryAfterMs: 1000 });
  });

  it('reports a call that gets no answer in time as a retryable network error', async () => {
    const running = await start();
    running.faults.configure({ latencyMs: 2000 });
    const error = await rejection(client(running, { timeoutMs: 100 }).verifyCredentials());
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect(error.message).toContain('no answer within 100 ms');
  });

  it('rejects a wrong secret as unauthorized without naming either secret', async () => {
    const running = await start();
    await admin(running, 'PUT', `/__admin/marketo/${MUNCHKIN}/clients/${DEMO_MARKETO.clientId}`, {
      secret: 'right-Secret-4242',
    });

    const error = await rejection(
      client(running, { clientSecret: 'wrong-Secret-1717' }).describeLeadFields(),
    );
    expect(error).toMatchObject({
      kind: 'unauthorized',
      retryable: false,
      status: 401,
      remoteCode: 'unauthorized',
    });
    expect(error.message).toBe(
      'marketo GET /identity/oauth/token failed (unauthorized, HTTP 401, code unauthorized): Bad client credentials. ' +
        "Check the Client ID and Client Secret of the API-only user's LaunchPoint service (Marketo Admin > LaunchPoint > View Details)",
    );

    const unknownClient = await rejection(
      client(running, { clientId: 'no-such-client' }).verifyCredentials(),
    );
    expect(unknownClient.kind).toBe('unauthorized');
    expect(await client(running, { clientSecret: 'right-Secret-4242' }).verifyCredentials()).toEqual({
      apiUser: DEMO_MARKETO.apiUser,
    });
  });

  it('reports an unknown Munchkin ID as not found', async () => {
    const running = await start();
    const error = await rejection(
      client(running, { baseUrl: instanceUrl(running, '999-ZZZ-999') }).verifyCredentials(),
    );
    expect(error).toMatchObject({ kind: 'not-found', retryable: false, status: 404 });
    expect(error.message).toContain('Check the Munchkin ID');
  });
});

describe('Marketo simulator', () => {
  it('hands back the same token with the remaining lifetime until it expires', async () => {
    const running = await start();
    const first = await requestToken(running);
    expect(first).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: DEMO_MARKETO.apiUser });

    running.clock.advance(600_000);
    const again = await requestToken(running);
    expect(again.access_token).toBe(first.access_token);
    expect(again.expires_in).toBeGreaterThanOrEqual(2998);
    expect(again.expires_in).toBeLessThanOrEqual(3000);

    running.clock.advance(3000_000);
    const renewed = await requestToken(running);
    expect(renewed.access_token).not.toBe(first.access_token);
    expect(renewed.expires_in).toBe(3600);
  });

  it('accepts POST with a form body on the identity endpoint', async () => {
    const running = await start();
    const response = await fetch(`${instanceUrl(running)}/identity/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: DEMO_MARKETO.clientId,
        client_secret: SECRET,
      }).toString(),
    });
    expect(response.status).toBe(200);
    const token = identityTokenSchema.parse(await response.json());
    expect((await requestToken(running)).access_token).toBe(token.access_token);
  });

  it('answers bad identity requests in the OAuth error format', async () => {
    const running = await start();
    const missing = await fetch(`${instanceUrl(running)}/identity/oauth/token?client_id=x&client_secret=y`);
    expect(missing.status).toBe(400);
    expect(identityErrorSchema.parse(await missing.json())).toEqual({
      error: 'invalid_request',
      error_description: 'Missing grant type',
    });
    const noSecret = await fetch(
      `${instanceUrl(running)}/identity/oauth/token?grant_type=client_credentials&client_id=${DEMO_MARKETO.clientId}`,
    );
    expect(noSecret.status).toBe(401);
  });

  it('still accepts the deprecated access_token query parameter and rejects another instance’s token', async () => {
    const running = await start();
    await admin(running, 'PUT', `/__admin/marketo/111-OTH-222/clients/${DEMO_MARKETO.clientId}`, {});
    const demoToken = await requestToken(running);
    const otherToken = await requestToken(running, undefined, '111-OTH-222');

    const viaQuery = await fetch(`${instanceUrl(running)}${DESCRIBE}?access_token=${demoToken.access_token}`);
    expect(outcome(await viaQuery.json())).toBe('ok');

    const crossed = await fetch(`${instanceUrl(running)}${DESCRIBE}`, {
      headers: { authorization: `Bearer ${otherToken.access_token}` },
    });
    expect(crossed.status).toBe(200);
    expect(await crossed.json()).toMatchObject({
      success: false,
      errors: [{ code: '601', message: 'Access token invalid' }],
    });

    const anonymous = await fetch(`${instanceUrl(running)}${DESCRIBE}`);
    expect(outcome(await anonymous.json())).toBe('601');
  });

  it('serves custom lead fields set through the admin API', async () => {
    const running = await start('empty');
    await admin(running, 'PUT', '/__admin/marketo/222-NEW-333/clients/new-client', {
      apiUser: 'api@new.example',
    });
    await admin(running, 'PUT', '/__admin/marketo/222-NEW-333/lead-fields', [
      { id: 7, displayName: 'Score', dataType: 'integer', restName: 'leadScore', soapName: 'LeadScore' },
    ]);
    const marketo = new MarketoClient({
      baseUrl: instanceUrl(running, '222-NEW-333'),
      clientId: 'new-client',
      clientSecret: 'anything-goes',
    });
    expect(await marketo.verifyCredentials()).toEqual({ apiUser: 'api@new.example' });
    expect(await marketo.describeLeadFields()).toEqual([
      {
        id: 7,
        displayName: 'Score',
        dataType: 'integer',
        rest: { name: 'leadScore', readOnly: false },
        soap: { name: 'LeadScore', readOnly: false },
      },
    ]);
  });

  it('seeds the demo instance for demo and large, nothing for empty', async () => {
    for (const profile of ['demo', 'large'] as const) {
      const running = await start(profile);
      expect(await client(running).verifyCredentials()).toEqual({ apiUser: DEMO_MARKETO.apiUser });
      expect(JSON.parse(JSON.stringify(running.snapshot().modules.marketo))).toEqual(
        running.snapshot().modules.marketo,
      );
      await running.close();
      sim = undefined;
    }
    const empty = await start('empty');
    expect(empty.snapshot().modules.marketo).toEqual({ instances: {} });
    const error = await rejection(client(empty).verifyCredentials());
    expect(error.kind).toBe('not-found');
  });

  it('keys rate limits by Munchkin ID and prints the instance base URL form', () => {
    const request = (path: string) => ({
      method: 'GET',
      path,
      params: {},
      query: new URLSearchParams(),
      headers: {},
      body: undefined,
    });
    expect(marketoSimulatorModule.tenantOf(request('/marketo/123-abc-456/rest/v1/leads/describe.json'))).toBe(
      '123-ABC-456',
    );
    expect(marketoSimulatorModule.describeBaseUrls('http://127.0.0.1:4010')).toEqual({
      'Marketo REST + identity (marketo.baseUrl)': 'http://127.0.0.1:4010/marketo/{munchkinId}',
    });
  });
});

describe('route coverage', () => {
  it('exercised every route the marketo simulator serves with the real client', () => {
    expectEveryRouteExercised(everyStarted, ['marketo']);
  });
});
