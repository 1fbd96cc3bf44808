import { expectEveryRouteExercised } from '../support/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteApiError } from '../../src/integrations/http/errors';
import {
  DATA_EXTENSIONS_READ_SCOPE,
  SfmcClient,
  isSearchRequiredError,
  missingDataExtensionsReadError,
  readSfmcErrorBody,
  sfmcAuthBaseUrl,
  type SfmcClientOptions,
} from '../../src/integrations/sfmc';
import type { FaultSettingsInput } from '../../src/simulator/core/faults';
import type { SeedProfileName } from '../../src/simulator/core/module';
import { DEMO_SFMC } from '../../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { sfmcSimulatorModule, simulatedSfmcAuthBaseUrl } from '../../src/simulator/sfmc/module';

/** Every simulator the tests started, for the route-coverage check at the end. */
const everyStarted: RunningSimulator[] = [];

const DEMO_SECRET = 'demo-sfmc-secret-4f1c9e';
const REQUIRED_SECRET = 'the-right-sfmc-secret-7d2a';
const WRONG_SECRET = 'a-wrong-sfmc-secret-93bb';
const ALL_SECRETS = [DEMO_SECRET, REQUIRED_SECRET, WRONG_SECRET];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const running: RunningSimulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

async function start(
  profile: SeedProfileName = 'demo',
  faults?: FaultSettingsInput,
): Promise<RunningSimulator> {
  const simulator = await startSimulator({
    port: 0,
    modules: [sfmcSimulatorModule],
    seed: { profile },
    faults,
  });
  running.push(simulator);
  everyStarted.push(simulator);
  return simulator;
}

function clientFor(simulator: RunningSimulator, overrides: Partial<SfmcClientOptions> = {}): SfmcClient {
  return new SfmcClient({
    authBaseUrl: simulatedSfmcAuthBaseUrl(simulator.baseUrl, DEMO_SFMC.subdomain),
    clientId: DEMO_SFMC.clientId,
    clientSecret: DEMO_SECRET,
    accountId: DEMO_SFMC.accountId,
    ...overrides,
  });
}

async function admin(simulator: RunningSimulator, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${simulator.baseUrl}/__admin/sfmc${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response.json();
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** The RemoteApiError a call fails with; also checks that no credential leaks into it. */
async function failureOf(call: Promise<unknown>): Promise<RemoteApiError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RemoteApiError);
  const remote = error as RemoteApiError;
  const visible = [
    remote.message,
    remote.stack ?? '',
    remote.remoteMessage ?? '',
    JSON.stringify(remote),
  ].join('\n');
  for (const secret of ALL_SECRETS) expect(visible).not.toContain(secret);
  return remote;
}

function logged(simulator: RunningSimulator, pathContains: string) {
  return simulator.requests.list({ module: 'sfmc', pathContains });
}

describe('SFMC client against the simulator', () => {
  it('serves the demo tenant: token, paged list, one data extension and its fields', async () => {
    const simulator = await start('demo');
    const client = clientFor(simulator);

    const access = await client.verifyAccess();
    expect(access.hasDataExtensionsRead).toBe(true);
    expect(access.scopes).toContain(DATA_EXTENSIONS_READ_SCOPE);
    expect(access.restInstanceUrl).toBe(`${simulator.baseUrl}/sfmc/${DEMO_SFMC.subdomain}/rest/`);

    const listed = await collect(client.listDataExtensions());
    expect(listed.map((item) => item.name).sort()).toEqual(
      DEMO_SFMC.dataExtensions.map((de) => de.name).sort(),
    );

    for (const demo of DEMO_SFMC.dataExtensions) {
      const summary = listed.find((item) => item.key === demo.customerKey);
      expect(summary?.id).toMatch(GUID);
      expect(summary?.rowCount).toBe(demo.rowCount);

      const detail = await client.getDataExtension(summary!.id);
      expect(detail).toMatchObject({ id: summary!.id, key: demo.customerKey, name: demo.name });
      expect(detail.fields?.map((field) => field.name)).toEqual(demo.fields.map((field) => field.name));

      const fields = await client.getDataExtensionFields(summary!.id);
      expect(fields.map(({ name, type, isPrimaryKey }) => ({ name, type, isPrimaryKey }))).toEqual(
        demo.fields.map((field) => ({
          name: field.name,
          type: field.type,
          isPrimaryKey: field.isPrimaryKey ?? false,
        })),
      );
      expect(fields.filter((field) => field.isPrimaryKey).every((field) => !field.isNullable)).toBe(true);
    }

    // One token served every REST call, and every route answered 200.
    expect(logged(simulator, '/auth/v2/token')).toHaveLength(1);
    const restPaths = logged(simulator, '/rest/data/v1/customobjects');
    expect(restPaths.every((entry) => entry.status === 200)).toBe(true);
    expect(restPaths.some((entry) => entry.path.endsWith('/fields'))).toBe(true);
  });

  it('keeps the same data extension ids across reseeds and lists only matches for a search', async () => {
    const first = await start('demo');
    const second = await start('demo');
    const idsOf = async (simulator: RunningSimulator) =>
      (await collect(clientFor(simulator).listDataExtensions())).map((item) => item.id).sort();
    expect(await idsOf(first)).toEqual(await idsOf(second));

    const campaigns = await collect(clientFor(first).listDataExtensions({ search: 'CAMP' }));
    expect(campaigns.map((item) => item.key)).toEqual(['campaigns-de']);
  });

  it('pages through more data extensions than one page holds', async () => {
    const demo = await start('demo');
    const small = await collect(clientFor(demo).listDataExtensions({ search: 's', pageSize: 2 }));
    const withS = DEMO_SFMC.dataExtensions.filter((de) =>
      `${de.name} ${de.customerKey}`.toLowerCase().includes('s'),
    );
    expect(small.map((item) => item.key).sort()).toEqual(withS.map((de) => de.customerKey).sort());
    expect(logged(demo, '/customobjects').map((entry) => entry.query)).toEqual(
      Array.from({ length: Math.ceil(withS.length / 2) }, (_, index) =>
        expect.stringContaining(`%24page=${index + 1}`),
      ),
    );

    const large = await start('large');
    const all = await collect(clientFor(large).listDataExtensions());
    expect(all.length).toBe(DEMO_SFMC.dataExtensions.length + 240);
    expect(new Set(all.map((item) => item.id)).size).toBe(all.length);
    expect(all.map((item) => item.name)).toEqual(
      expect.arrayContaining(['Subscribers', 'Audience Segment 240']),
    );
    // The tenant pages at 25 whatever was asked for, and every page was read to its end.
    const pages = logged(large, '/customobjects');
    expect(pages.every((entry) => entry.status === 200 && entry.query.includes('%24search='))).toBe(true);
    expect(pages.length).toBeGreaterThan(all.length / 25);
  });

  it('shares one token request between concurrent calls', async () => {
    const simulator = await start('demo');
    const client = clientFor(simulator);
    const [subscribers] = await collect(client.listDataExtensions({ search: 'Subscribers' }));
    const fresh = clientFor(simulator);
    await Promise.all([1, 2, 3].map(() => fresh.getDataExtensionFields(subscribers!.id)));
    expect(logged(simulator, '/auth/v2/token')).toHaveLength(2);
  });

  it('reports a wrong client secret as non-retryable unauthorized, once per call, without the secret', async () => {
    const simulator = await start('demo');
    await admin(simulator, `/${DEMO_SFMC.subdomain}/clients/locked-package`, {
      secret: REQUIRED_SECRET,
      scopes: [DATA_EXTENSIONS_READ_SCOPE],
    });
    const client = clientFor(simulator, { clientId: 'locked-package', clientSecret: WRONG_SECRET });

    const error = await failureOf(client.verifyAccess());
    expect(error).toMatchObject({
      kind: 'unauthorized',
      status: 401,
      retryable: false,
      remoteCode: 'invalid_client',
    });
    expect(error.remoteMessage).toBe('Client authentication failed.');
    expect(error.message).toContain('Client ID/Client Secret of the installed package');

    const listing = await failureOf(collect(client.listDataExtensions()));
    expect(listing.kind).toBe('unauthorized');
    expect(logged(simulator, '/auth/v2/token')).toHaveLength(2);

    const right = await clientFor(simulator, {
      clientId: 'locked-package',
      clientSecret: REQUIRED_SECRET,
    }).verifyAccess();
    expect(right.hasDataExtensionsRead).toBe(true);
  });

  it('rejects unknown clients, unknown subdomains and every tenant of the empty seed', async () => {
    const demo = await start('demo');
    expect((await failureOf(clientFor(demo, { clientId: 'nobody' }).verifyAccess())).kind).toBe(
      'unauthorized',
    );
    const elsewhere = clientFor(demo, {
      authBaseUrl: simulatedSfmcAuthBaseUrl(demo.baseUrl, 'mcunknown000'),
    });
    expect((await failureOf(elsewhere.verifyAccess())).remoteCode).toBe('invalid_client');

    const empty = await start('empty');
    expect((await failureOf(clientFor(empty).verifyAccess())).kind).toBe('unauthorized');
  });

  it('names the missing Data Extensions: Read scope in verifyAccess and in a forbidden listing', async () => {
    const simulator = await start('demo');
    await admin(simulator, `/${DEMO_SFMC.subdomain}/clients/v1-package`, {
      scopes: ['list_and_subscribers_read', 'campaign_read'],
    });
    const client = clientFor(simulator, { clientId: 'v1-package' });

    const access = await client.verifyAccess();
    expect(access).toMatchObject({
      hasDataExtensionsRead: false,
      scopes: ['list_and_subscribers_read', 'campaign_read'],
    });
    const problem = missingDataExtensionsReadError(access);
    expect(problem).toMatchObject({ kind: 'forbidden', retryable: false });
    expect(problem?.message).toContain('"Data Extensions: Read"');
    await expect(client.requireDataExtensionsRead()).rejects.toMatchObject({ kind: 'forbidden' });

    const listing = await failureOf(collect(client.listDataExtensions()));
    expect(listing).toMatchObject({ kind: 'forbidden', status: 403, retryable: false });
    expect(listing.remoteMessage).toBe('Insufficient privileges to complete this action.');
    expect(listing.message).toContain('"Data Extensions: Read" scope (data_extensions_read)');
  });

  it('renews a token that dies early once and completes the REST call', async () => {
    const simulator = await start('demo', { tokenLifetimeSeconds: 1 });
    const client = clientFor(simulator);
    await client.verifyAccess();
    simulator.clock.advance(2_000);

    const listed = await collect(client.listDataExtensions());
    expect(listed).toHaveLength(DEMO_SFMC.dataExtensions.length);
    expect(logged(simulator, '/auth/v2/token')).toHaveLength(2);
    const statuses = logged(simulator, '/customobjects').map((entry) => entry.status);
    expect(statuses.slice(0, 2)).toEqual([401, 200]);
    expect(statuses.slice(1).every((status) => status === 200)).toBe(true);
  });

  it('classifies a 429 from the rate limit as retryable with Retry-After and the SFMC error code', async () => {
    const simulator = await start('demo');
    const client = clientFor(simulator);
    await client.verifyAccess();
    simulator.faults.configure({ rateLimit: { requestsPerSecond: 1, burst: 1 } });

    const calls = [1, 2, 3].map(() =>
      collect(client.listDataExtensions()).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    const limited = (await Promise.all(calls)).filter((outcome) => outcome !== undefined);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    const error = await failureOf(Promise.reject(limited[0]));
    expect(error).toMatchObject({ kind: 'rate-limited', status: 429, retryable: true, remoteCode: '50100' });
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(error.remoteMessage).toBe('Rate limit exceeded');
  });

  it('classifies injected 5xx answers on reads as retryable server errors', async () => {
    const simulator = await start('demo');
    const client = clientFor(simulator);
    const [lists] = await collect(client.listDataExtensions({ search: 'Lists' }));

    simulator.faults.configure({ script: [{ kind: 'server-error', pathContains: '/fields', count: 1 }] });
    const scripted = await failureOf(client.getDataExtensionFields(lists!.id));
    expect(scripted).toMatchObject({ kind: 'server', status: 500, retryable: true });
    expect((await client.getDataExtensionFields(lists!.id)).map((field) => field.name)).toEqual([
      'ListID',
      'ListName',
    ]);

    simulator.faults.configure({ serverErrorRate: 1 });
    expect(await failureOf(client.getDataExtension(lists!.id))).toMatchObject({
      kind: 'server',
      retryable: true,
    });
  });

  it('treats a token response dropped on the wire as a retryable network error', async () => {
    const simulator = await start('demo', {
      script: [{ kind: 'drop-after-commit', pathContains: '/v2/token', count: 1 }],
    });
    const client = clientFor(simulator);
    expect(await failureOf(client.verifyAccess())).toMatchObject({ kind: 'network', retryable: true });
    expect((await client.verifyAccess()).hasDataExtensionsRead).toBe(true);
    expect(logged(simulator, '/v2/token').map((entry) => entry.dropped)).toEqual([true, false]);
  });

  it('lists every data extension, always with $search, whether or not the tenant requires it', async () => {
    const everyName = DEMO_SFMC.dataExtensions.map((de) => de.name).sort();
    for (const requireSearch of [true, false]) {
      const simulator = await start('demo');
      if (!requireSearch) await admin(simulator, `/${DEMO_SFMC.subdomain}/settings`, { requireSearch });
      const client = clientFor(simulator);

      const listed = await collect(client.listDataExtensions());
      expect(listed.map((item) => item.name).sort()).toEqual(everyName);
      const requests = logged(simulator, '/customobjects');
      expect(requests.every((entry) => entry.status === 200)).toBe(true);
      expect(requests.every((entry) => /(^|&)%24search=[^&]+/.test(entry.query))).toBe(true);
      expect(await collect(client.listDataExtensions({ search: 'Subscribers' }))).toHaveLength(1);
    }
  });

  it('tells whether the tenant requires $search with one GET without it', async () => {
    const simulator = await start('demo');
    const client = clientFor(simulator);
    expect(await client.searchRequired()).toBe(true);
    const probe = logged(simulator, '/customobjects');
    expect(probe.map((entry) => [entry.method, entry.status])).toEqual([['GET', 400]]);
    expect(probe[0]!.query).not.toContain('search');

    await admin(simulator, `/${DEMO_SFMC.subdomain}/settings`, { requireSearch: false });
    expect(await client.searchRequired()).toBe(false);
    expect(logged(simulator, '/customobjects').map((entry) => [entry.method, entry.status])).toEqual([
      ['GET', 400],
      ['GET', 200],
    ]);

    // Only a 400 naming $search means "required"; anything else is the failure it is.
    simulator.faults.configure({ script: [{ kind: 'forbidden', pathContains: '/customobjects', count: 1 }] });
    expect(await failureOf(client.searchRequired())).toMatchObject({ kind: 'forbidden' });
    expect(isSearchRequiredError(new Error('$search is a required parameter'))).toBe(false);
  });

  it('answers unknown and malformed data extension ids as not found and bad request', async () => {
    const simulator = await start('demo');
    const client = clientFor(simulator);
    expect(await failureOf(client.getDataExtension('00000000-0000-4000-8000-000000000000'))).toMatchObject({
      kind: 'not-found',
      status: 404,
    });
    expect(await failureOf(client.getDataExtensionFields('subscribers-de'))).toMatchObject({
      kind: 'bad-request',
      remoteMessage: 'Id is invalid.',
    });
  });
});

describe('SFMC simulator wire format', () => {
  it("answers REST calls without a valid bearer token with SFMC's Not Authorized body", async () => {
    const simulator = await start('demo');
    const url = `${simulator.baseUrl}/sfmc/${DEMO_SFMC.subdomain}/rest/data/v1/customobjects`;
    for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Array<Record<string, string>>) {
      const response = await fetch(url, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Not Authorized', errorcode: 0, documentation: '' });
    }
  });

  it('answers a list without $search with 400 "$search is a required parameter" unless turned off', async () => {
    const simulator = await start('demo');
    const token = await fetch(`${simulator.baseUrl}/sfmc/${DEMO_SFMC.subdomain}/auth/v2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: DEMO_SFMC.clientId,
        client_secret: DEMO_SECRET,
      }),
    }).then(async (response) => ((await response.json()) as { access_token: string }).access_token);
    const url = `${simulator.baseUrl}/sfmc/${DEMO_SFMC.subdomain}/rest/data/v1/customobjects`;
    const list = (query: string) =>
      fetch(`${url}${query}`, { headers: { authorization: `Bearer ${token}` } });

    const refused = await list('?$page=1');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      message: '$search is a required parameter',
      errorcode: 10005,
      documentation: '',
    });
    expect((await list('?$search=%20%20')).status).toBe(400);
    const searched = (await (await list('?$search=de&$pageSize=500')).json()) as { pageSize: number };
    expect(searched.pageSize).toBe(25);

    await admin(simulator, `/${DEMO_SFMC.subdomain}/settings`, { requireSearch: false });
    const listed = (await (await list('')).json()) as { count: number };
    expect(listed.count).toBe(DEMO_SFMC.dataExtensions.length);
  });

  it('sends the documented 429 body and Retry-After header for a rate-limit fault', async () => {
    const simulator = await start('demo', { script: [{ kind: 'rate-limited', count: 1 }] });
    const response = await fetch(`${simulator.baseUrl}/sfmc/${DEMO_SFMC.subdomain}/auth/v2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({
      message: 'Rate limit exceeded',
      errorcode: 50100,
      retryAfter: 1,
    });
  });

  it('persists installed-package clients added through the admin API', async () => {
    const simulator = await start('empty');
    await admin(simulator, '/mcnew0000/clients/new-package', { scopes: [DATA_EXTENSIONS_READ_SCOPE] });
    const state = simulator.snapshot().modules.sfmc as {
      tenants: Record<string, { clients: Record<string, unknown> }>;
    };
    expect(state.tenants.mcnew0000?.clients['new-package']).toEqual({
      clientId: 'new-package',
      scopes: [DATA_EXTENSIONS_READ_SCOPE],
    });
    const access = await clientFor(simulator, {
      authBaseUrl: simulatedSfmcAuthBaseUrl(simulator.baseUrl, 'mcnew0000'),
      clientId: 'new-package',
    }).verifyAccess();
    expect(access.restInstanceUrl).toBe(`${simulator.baseUrl}/sfmc/mcnew0000/rest/`);
  });
});

describe('SFMC client helpers', () => {
  it('builds the real auth base URL from a subdomain', () => {
    expect(sfmcAuthBaseUrl('mc563885gzs27c5t9-63k636ttgm')).toBe(
      'https://mc563885gzs27c5t9-63k636ttgm.auth.marketingcloudapis.com',
    );
  });

  it('reads both SFMC error formats', () => {
    expect(
      readSfmcErrorBody({
        error: 'invalid_client',
        error_description: 'Client authentication failed.',
        error_uri: 'https://developer.salesforce.com/docs',
      }),
    ).toEqual({ code: 'invalid_client', message: 'Client authentication failed.' });
    expect(readSfmcErrorBody({ message: 'Rate limit exceeded', errorcode: 50100, retryAfter: 5 })).toEqual({
      code: '50100',
      message: 'Rate limit exceeded',
    });
    expect(readSfmcErrorBody({ message: 'Not Authorized', errorcode: 0, documentation: '' })).toEqual({
      code: undefined,
      message: 'Not Authorized',
    });
    expect(readSfmcErrorBody(undefined)).toEqual({});
  });
});

describe('route coverage', () => {
  it('exercised every route the sfmc simulator serves with the real client', () => {
    expectEveryRouteExercised(everyStarted, ['sfmc']);
  });
});
