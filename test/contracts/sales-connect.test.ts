import { expectEveryRouteExercised } from '../support/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { createSalesConnectActivities } from '../../src/activities/sales-connect';
import type { RemoteClients } from '../../src/activities/remote-clients';
import { RemoteApiError } from '../../src/integrations/http/errors';
import {
  HttpSalesConnectGateway,
  allTeamMembers,
  readSalesConnectErrorBody,
  type InvitationResult,
} from '../../src/integrations/sales-connect';
import type { SeedProfileName, SimulatorModule } from '../../src/simulator/core/module';
import { salesConnectSimulatorModule } from '../../src/simulator/sales-connect/module';
import type {
  SalesConnectSimulatorState,
  SimSalesConnectInstance,
} from '../../src/simulator/sales-connect/state';
import {
  DEMO_MARKETO,
  DEMO_SALESFORCE_INSTANCE,
  DEMO_SALES_CONNECT,
} from '../../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';

/** Every simulator the tests started, for the route-coverage check at the end. */
const everyStarted: RunningSimulator[] = [];

const PRODUCTION = DEMO_SALES_CONNECT.instanceId;
const SANDBOX = DEMO_SALES_CONNECT.otherInstanceId;
const CLIENT_SECRET = 'sc-test-client-secret-5f9a2c';
const CREDENTIALS = {
  munchkinId: DEMO_MARKETO.munchkinId,
  clientId: DEMO_MARKETO.clientId,
  clientSecret: CLIENT_SECRET,
};
const TEN_MINUTES_MS = 600_000;

let simulator: RunningSimulator | undefined;

afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

async function start(profile: SeedProfileName = 'demo') {
  const running = await startSimulator({
    port: 0,
    modules: [salesConnectSimulatorModule as SimulatorModule<unknown>],
    seed: { profile },
  });
  simulator = running;
  everyStarted.push(running);
  const baseUrl = `${running.baseUrl}/sales-connect`;
  return { sim: running, baseUrl, gateway: new HttpSalesConnectGateway({ baseUrl }) };
}

async function admin(sim: RunningSimulator, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${sim.baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  return response.status === 204 ? undefined : ((await response.json()) as unknown);
}

function instanceState(sim: RunningSimulator, instanceId: string): SimSalesConnectInstance {
  const state = sim.snapshot().modules['salesConnect'] as SalesConnectSimulatorState;
  const instance = state.instances[instanceId];
  if (!instance) throw new Error(`no simulated instance ${instanceId}`);
  return instance;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const collected: T[] = [];
  for await (const item of items) collected.push(item);
  return collected;
}

async function remoteError(promise: Promise<unknown>): Promise<RemoteApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RemoteApiError);
  return error as RemoteApiError;
}

function expectNoSecret(error: RemoteApiError, ...secrets: string[]): void {
  for (const secret of secrets) {
    expect(error.message).not.toContain(secret);
    expect(error.remoteMessage ?? '').not.toContain(secret);
    expect(String(error.stack)).not.toContain(secret);
  }
}

async function connectAndWait(sim: RunningSimulator, gateway: HttpSalesConnectGateway): Promise<void> {
  await gateway.connectMarketo(PRODUCTION, CREDENTIALS);
  await admin(sim, 'POST', '/__admin/clock', { advanceMs: TEN_MINUTES_MS });
}

describe('Sales Connect demo seed', () => {
  it('holds a production instance on the demo Salesforce org, Marketo not yet connected, and a sandbox instance', async () => {
    const { gateway } = await start('demo');

    expect(await gateway.getSalesforceConnection(PRODUCTION)).toEqual({
      connected: true,
      instanceUrl: DEMO_SALESFORCE_INSTANCE,
      isProduction: true,
    });
    expect(await gateway.getMarketoConnection(PRODUCTION)).toEqual({ connected: false });
    expect(await gateway.listWorkspaces(PRODUCTION)).toEqual({
      workspaces: DEMO_SALES_CONNECT.workspaces,
      defaultWorkspace: 'Default',
    });
    const team = await collect(allTeamMembers(gateway, PRODUCTION));
    expect(team).toEqual(DEMO_SALES_CONNECT.team);

    const sandboxSalesforce = await gateway.getSalesforceConnection(SANDBOX);
    expect(sandboxSalesforce).toMatchObject({ connected: true, isProduction: false });
    expect(sandboxSalesforce).not.toMatchObject({ instanceUrl: DEMO_SALESFORCE_INSTANCE });
    const sandboxTeam = await collect(allTeamMembers(gateway, SANDBOX));
    for (const email of DEMO_SALES_CONNECT.emailsUsedOnOtherInstance) {
      expect(sandboxTeam).toContainEqual(expect.objectContaining({ email, status: 'connected' }));
    }
  });

  it('the empty seed knows no instance and answers 404 in the contract format', async () => {
    const { gateway } = await start('empty');
    const error = await remoteError(gateway.getSalesforceConnection(PRODUCTION));
    expect(error).toMatchObject({
      kind: 'not-found',
      status: 404,
      remoteCode: 'instance-not-found',
      retryable: false,
    });
    expect(error.message).toContain('instance id');
  });

  it('the large seed pages through every team member with a cursor', async () => {
    const { gateway } = await start('large');
    const firstPage = await gateway.listTeamMembers(PRODUCTION);
    expect(firstPage.members).toHaveLength(50);
    expect(firstPage.nextCursor).toBeDefined();
    const everyone = await collect(allTeamMembers(gateway, PRODUCTION, 200));
    expect(everyone).toHaveLength(DEMO_SALES_CONNECT.team.length + 240);
    expect(new Set(everyone.map((member) => member.email)).size).toBe(everyone.length);
  });
});

describe('Sales Connect provisioning over the contract', () => {
  it('runs the happy path on the demo seed and exercises every route', async () => {
    const { sim, gateway } = await start('demo');

    expect(await gateway.getSalesforceConnection(PRODUCTION)).toMatchObject({
      connected: true,
      isProduction: true,
    });
    const connection = await gateway.connectMarketo(PRODUCTION, CREDENTIALS);
    expect(connection.munchkinId).toBe(DEMO_MARKETO.munchkinId);
    expect(Math.abs(Date.parse(connection.connectedAt) - sim.clock.now())).toBeLessThan(5_000);
    expect(await gateway.getMarketoConnection(PRODUCTION)).toEqual({ connected: true, ...connection });
    expect(instanceState(sim, PRODUCTION).marketo).not.toHaveProperty('clientSecret');

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await gateway.listTeamMembers(PRODUCTION, { cursor, limit: 2 });
      pages.push(page.members.map((member) => member.email));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual([
      ['ada.admin@demo.example', 'ben.seller@demo.example'],
      ['chloe.rep@demo.example', 'dev.ops@demo.example'],
      ['emma.lead@demo.example'],
    ]);
    expect((await gateway.listWorkspaces(PRODUCTION)).defaultWorkspace).toBe('Default');

    await admin(sim, 'POST', '/__admin/clock', { advanceMs: TEN_MINUTES_MS });
    const report = await gateway.inviteUsers(PRODUCTION, {
      requestId: 'happy-path-1',
      users: [
        { email: 'ben.seller@demo.example' },
        { email: 'chloe.rep@demo.example', workspace: 'EMEA' },
        { email: 'ada.admin@demo.example' },
        { email: 'emma.lead@demo.example', workspace: 'Americas' },
        { email: 'Dev.Ops@demo.example' },
        { email: 'nobody@demo.example' },
      ],
    });
    expect(report).toEqual({
      requestId: 'happy-path-1',
      results: [
        { email: 'ben.seller@demo.example', outcome: 'invited', workspace: 'Default' },
        { email: 'chloe.rep@demo.example', outcome: 'invited', workspace: 'EMEA' },
        { email: 'ada.admin@demo.example', outcome: 'already-connected', workspace: 'Default' },
        {
          email: 'emma.lead@demo.example',
          outcome: 'rejected',
          reason: 'workspace-change-requires-disconnect',
          workspace: 'EMEA',
        },
        { email: 'Dev.Ops@demo.example', outcome: 'rejected', reason: 'email-used-on-other-instance' },
        { email: 'nobody@demo.example', outcome: 'rejected', reason: 'unknown-user' },
      ] satisfies InvitationResult[],
    });

    const followUp = await gateway.inviteUsers(PRODUCTION, {
      requestId: 'happy-path-2',
      users: [{ email: 'chloe.rep@demo.example', workspace: 'APAC' }],
    });
    expect(followUp.results).toEqual([
      {
        email: 'chloe.rep@demo.example',
        outcome: 'rejected',
        reason: 'unknown-workspace',
        workspace: 'EMEA',
      },
    ]);

    const team = await collect(allTeamMembers(gateway, PRODUCTION));
    expect(team).toEqual([
      { email: 'ada.admin@demo.example', name: 'Ada Admin', status: 'connected', workspace: 'Default' },
      { email: 'ben.seller@demo.example', name: 'Ben Seller', status: 'invited', workspace: 'Default' },
      { email: 'chloe.rep@demo.example', name: 'Chloe Rep', status: 'invited', workspace: 'EMEA' },
      { email: 'dev.ops@demo.example', name: 'Dev Ops', status: 'not-connected' },
      { email: 'emma.lead@demo.example', name: 'Emma Lead', status: 'connected', workspace: 'EMEA' },
    ]);
    expect(instanceState(sim, PRODUCTION).sentInvitations.map((sent) => sent.email)).toEqual([
      'ben.seller@demo.example',
      'chloe.rep@demo.example',
    ]);

    const served = (await admin(sim, 'GET', '/__admin/requests?module=salesConnect')) as Array<{
      method: string;
      path: string;
      status: number;
    }>;
    const routes = new Set(
      served
        .filter((entry) => entry.status < 400)
        .map(
          (entry) =>
            `${entry.method} ${entry.path.replace(/\/v1\/instances\/[^/]+\//, '/v1/instances/{id}/')}`,
        ),
    );
    expect([...routes].sort()).toEqual(
      [
        'GET /sales-connect/v1/instances/{id}/salesforce-connection',
        'GET /sales-connect/v1/instances/{id}/marketo-connection',
        'PUT /sales-connect/v1/instances/{id}/marketo-connection',
        'GET /sales-connect/v1/instances/{id}/team-members',
        'GET /sales-connect/v1/instances/{id}/workspaces',
        'POST /sales-connect/v1/instances/{id}/invitations',
      ].sort(),
    );
  });

  it('rejects invitations as too early for ten simulated minutes, then invites with the same request id', async () => {
    const { sim, gateway } = await start('demo');
    const request = { requestId: 'wait-then-invite', users: [{ email: 'ben.seller@demo.example' }] };

    expect((await gateway.inviteUsers(PRODUCTION, request)).results).toEqual([
      { email: 'ben.seller@demo.example', outcome: 'rejected', reason: 'marketo-not-connected' },
    ]);

    await gateway.connectMarketo(PRODUCTION, CREDENTIALS);
    expect((await gateway.inviteUsers(PRODUCTION, request)).results).toEqual([
      { email: 'ben.seller@demo.example', outcome: 'rejected', reason: 'too-early' },
    ]);
    await admin(sim, 'POST', '/__admin/clock', { advanceMs: TEN_MINUTES_MS - 60_000 });
    expect((await gateway.inviteUsers(PRODUCTION, request)).results[0]).toMatchObject({
      reason: 'too-early',
    });
    expect(instanceState(sim, PRODUCTION).sentInvitations).toEqual([]);

    await admin(sim, 'POST', '/__admin/clock', { advanceMs: 60_000 });
    expect((await gateway.inviteUsers(PRODUCTION, request)).results).toEqual([
      { email: 'ben.seller@demo.example', outcome: 'invited', workspace: 'Default' },
    ]);
  });

  it('lets a demo shorten the provisioning delay per instance', async () => {
    const { sim, gateway } = await start('demo');
    const settings = await admin(sim, 'PUT', `/__admin/sales-connect/${PRODUCTION}/settings`, {
      minimumProvisioningDelaySeconds: 30,
    });
    expect(settings).toEqual({
      instanceId: PRODUCTION,
      minimumProvisioningDelaySeconds: 30,
      apiKeyRequired: false,
    });
    await gateway.connectMarketo(PRODUCTION, CREDENTIALS);
    await admin(sim, 'POST', '/__admin/clock', { advanceMs: 31_000 });
    const report = await gateway.inviteUsers(PRODUCTION, {
      requestId: 'short-delay',
      users: [{ email: 'ben.seller@demo.example' }],
    });
    expect(report.results[0]).toMatchObject({ outcome: 'invited' });
  });

  it('connectMarketo is idempotent for the same Munchkin ID, also after a dropped response, and conflicts for another', async () => {
    const { sim, gateway } = await start('demo');
    await admin(sim, 'PUT', '/__admin/faults', {
      script: [{ kind: 'drop-after-commit', method: 'PUT', pathContains: '/marketo-connection' }],
    });

    const dropped = await remoteError(gateway.connectMarketo(PRODUCTION, CREDENTIALS));
    expect(dropped).toMatchObject({ kind: 'network', retryable: true });
    const committed = instanceState(sim, PRODUCTION).marketo;
    expect(committed?.munchkinId).toBe(DEMO_MARKETO.munchkinId);

    await admin(sim, 'POST', '/__admin/clock', { advanceMs: 5_000 });
    const retried = await gateway.connectMarketo(PRODUCTION, CREDENTIALS);
    expect(Date.parse(retried.connectedAt)).toBe(committed?.connectedAt);
    expect(await gateway.connectMarketo(PRODUCTION, CREDENTIALS)).toEqual(retried);

    const conflict = await remoteError(
      gateway.connectMarketo(PRODUCTION, { ...CREDENTIALS, munchkinId: '999-ZZZ-999' }),
    );
    expect(conflict).toMatchObject({
      kind: 'conflict',
      status: 409,
      remoteCode: 'marketo-already-connected',
      retryable: false,
    });
    expect(conflict.remoteMessage).toContain(DEMO_MARKETO.munchkinId);
    expectNoSecret(conflict, CLIENT_SECRET);
    expect((await gateway.getMarketoConnection(PRODUCTION)).connected).toBe(true);
  });

  it('inviteUsers with the same request id after a dropped response invites nobody twice', async () => {
    const { sim, gateway } = await start('demo');
    await connectAndWait(sim, gateway);
    await admin(sim, 'PUT', '/__admin/faults', {
      script: [{ kind: 'drop-after-commit', pathContains: '/invitations' }],
    });
    const request = {
      requestId: 'retry-me',
      users: [
        { email: 'ben.seller@demo.example' },
        { email: 'chloe.rep@demo.example', workspace: 'Americas' },
      ],
    };

    const dropped = await remoteError(gateway.inviteUsers(PRODUCTION, request));
    expect(dropped).toMatchObject({ kind: 'network', retryable: true });
    expect(instanceState(sim, PRODUCTION).sentInvitations).toHaveLength(2);

    const retried = await gateway.inviteUsers(PRODUCTION, request);
    expect(retried.results).toEqual([
      { email: 'ben.seller@demo.example', outcome: 'invited', workspace: 'Default' },
      { email: 'chloe.rep@demo.example', outcome: 'invited', workspace: 'Americas' },
    ]);
    expect(
      instanceState(sim, PRODUCTION).sentInvitations.map((sent) => [sent.email, sent.requestId]),
    ).toEqual([
      ['ben.seller@demo.example', 'retry-me'],
      ['chloe.rep@demo.example', 'retry-me'],
    ]);
    const posts = sim.requests.list({ module: 'salesConnect', method: 'POST', pathContains: '/invitations' });
    expect(posts.map((entry) => entry.dropped)).toEqual([true, false]);

    const reused = await remoteError(
      gateway.inviteUsers(PRODUCTION, {
        requestId: 'retry-me',
        users: [{ email: 'ada.admin@demo.example' }],
      }),
    );
    expect(reused).toMatchObject({
      kind: 'conflict',
      remoteCode: 'idempotency-key-reused',
      retryable: false,
    });
  });

  it('splits more than 100 users into requests keyed by the request id', async () => {
    const { sim, gateway } = await start('large');
    await connectAndWait(sim, gateway);
    const sellers = Array.from({ length: 240 }, (_, index) => ({
      email: `seller-${String(index + 1).padStart(4, '0')}@demo.example`,
    }));
    const report = await gateway.inviteUsers(PRODUCTION, { requestId: 'bulk', users: sellers });
    expect(report.requestId).toBe('bulk');
    expect(report.results).toHaveLength(240);
    expect(report.results.every((result) => result.outcome === 'invited')).toBe(true);
    expect(Object.keys(instanceState(sim, PRODUCTION).invitationRequests).sort()).toEqual([
      'bulk.1',
      'bulk.2',
      'bulk.3',
    ]);
  });
});

describe('Sales Connect accounts on the other instances', () => {
  it('reads the other instances the config names, with GETs only, before anything is invited', async () => {
    const { sim, gateway } = await start('demo');
    const { readSalesConnectTeam } = createSalesConnectActivities({
      clients: { salesConnect: async () => gateway } as unknown as RemoteClients,
    });
    const emails = ['ben.seller@demo.example', ...DEMO_SALES_CONNECT.emailsUsedOnOtherInstance];
    const team = await readSalesConnectTeam({ instanceId: PRODUCTION, emails, otherInstanceIds: [SANDBOX] });
    expect(team.elsewhere).toEqual(
      DEMO_SALES_CONNECT.emailsUsedOnOtherInstance.map((email) => ({ email, instanceId: SANDBOX })),
    );
    expect((await readSalesConnectTeam({ instanceId: PRODUCTION, emails })).elsewhere).toEqual([]);
    // Only a connected or invited member holds an account; a not-connected one does not.
    const fromSandbox = await readSalesConnectTeam({
      instanceId: SANDBOX,
      emails: ['ben.seller@demo.example', 'ada.admin@demo.example'],
      otherInstanceIds: [PRODUCTION],
    });
    expect(fromSandbox.elsewhere).toEqual([{ email: 'ada.admin@demo.example', instanceId: PRODUCTION }]);
    const calls = sim.requests.list({ module: 'salesConnect' });
    expect(calls.some((call) => call.path.includes(`/instances/${SANDBOX}/team-members`))).toBe(true);
    expect(calls.every((call) => call.method === 'GET')).toBe(true);

    await expect(
      readSalesConnectTeam({ instanceId: PRODUCTION, emails, otherInstanceIds: ['sc-nowhere'] }),
    ).rejects.toThrow(
      /salesConnect\.otherInstanceIds: the Sales Connect bridge knows no instance "sc-nowhere"/,
    );
  });
});

describe('Sales Connect faults and errors', () => {
  it('classifies 429 and 503 as retryable with Retry-After, in the contract error format', async () => {
    const { sim, gateway } = await start('demo');
    sim.faults.configure({
      script: [
        { kind: 'rate-limited', count: 1 },
        { kind: 'server-error', count: 1 },
      ],
    });

    const limited = await remoteError(gateway.listWorkspaces(PRODUCTION));
    expect(limited).toMatchObject({
      kind: 'rate-limited',
      status: 429,
      remoteCode: 'rate-limited',
      retryable: true,
      retryAfterMs: 1_000,
    });
    const unavailable = await remoteError(gateway.listWorkspaces(PRODUCTION));
    expect(unavailable).toMatchObject({
      kind: 'server',
      status: 503,
      remoteCode: 'unavailable',
      retryable: true,
    });
    expect(unavailable.retryAfterMs).toBeGreaterThan(0);
    expect((await gateway.listWorkspaces(PRODUCTION)).workspaces).toContain('EMEA');
  });

  it('rate-limits per Sales Connect instance', async () => {
    const { sim, gateway } = await start('demo');
    sim.faults.configure({ rateLimit: { requestsPerSecond: 0.01, burst: 1 } });

    await gateway.listWorkspaces(PRODUCTION);
    const limited = await remoteError(gateway.listWorkspaces(PRODUCTION));
    expect(limited.kind).toBe('rate-limited');
    expect(limited.retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect((await gateway.listWorkspaces(SANDBOX)).defaultWorkspace).toBe('Default');
  });

  it('requires x-api-key once an instance has a key; the demo seed accepts any key', async () => {
    const { sim, baseUrl, gateway } = await start('demo');
    const anyKey = new HttpSalesConnectGateway({ baseUrl, apiKey: 'whatever-key' });
    expect((await anyKey.getMarketoConnection(PRODUCTION)).connected).toBe(false);

    const apiKey = 'sim-bridge-key-81c3e0';
    const settings = await admin(sim, 'PUT', `/__admin/sales-connect/${PRODUCTION}/settings`, { apiKey });
    expect(settings).toMatchObject({ apiKeyRequired: true });

    const missing = await remoteError(gateway.getMarketoConnection(PRODUCTION));
    expect(missing).toMatchObject({
      kind: 'unauthorized',
      status: 401,
      remoteCode: 'unauthorized',
      retryable: false,
    });
    expect(missing.message).toContain('salesConnect.gateway.apiKey');
    const wrong = await remoteError(anyKey.connectMarketo(PRODUCTION, CREDENTIALS));
    expect(wrong.kind).toBe('unauthorized');
    expectNoSecret(wrong, apiKey, 'whatever-key', CLIENT_SECRET);

    const keyed = new HttpSalesConnectGateway({ baseUrl, apiKey });
    expect((await keyed.connectMarketo(PRODUCTION, CREDENTIALS)).munchkinId).toBe(DEMO_MARKETO.munchkinId);
    expect((await gateway.getMarketoConnection(SANDBOX)).connected).toBe(true);
  });

  it('trims pasted credentials, refuses inner whitespace before sending, and never echoes the secret', async () => {
    const { sim, baseUrl, gateway } = await start('demo');
    const spaced = `${CLIENT_SECRET.slice(0, 8)} ${CLIENT_SECRET.slice(8)}`;

    const local = await remoteError(
      gateway.connectMarketo(PRODUCTION, { ...CREDENTIALS, clientSecret: spaced }),
    );
    expect(local).toMatchObject({ kind: 'bad-request', remoteCode: 'invalid-credentials', retryable: false });
    expect(local.message).toContain('clientSecret');
    expectNoSecret(local, spaced, CLIENT_SECRET.slice(0, 8), CLIENT_SECRET.slice(8));
    expect(sim.requests.list({ module: 'salesConnect' })).toEqual([]);

    const raw = await fetch(`${baseUrl}/v1/instances/${PRODUCTION}/marketo-connection`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...CREDENTIALS, clientSecret: spaced }),
    });
    expect(raw.status).toBe(400);
    const rawText = await raw.text();
    expect(readSalesConnectErrorBody(JSON.parse(rawText))).toMatchObject({ code: 'invalid-credentials' });
    expect(rawText).not.toContain(CLIENT_SECRET.slice(8));

    const connected = await gateway.connectMarketo(PRODUCTION, {
      munchkinId: ` ${DEMO_MARKETO.munchkinId}\n`,
      clientId: `${DEMO_MARKETO.clientId} `,
      clientSecret: `\t${CLIENT_SECRET} `,
    });
    expect(connected.munchkinId).toBe(DEMO_MARKETO.munchkinId);
  });

  it('reports bad cursors and page sizes as final bad requests', async () => {
    const { gateway } = await start('demo');
    const badCursor = await remoteError(gateway.listTeamMembers(PRODUCTION, { cursor: 'not-a-cursor' }));
    expect(badCursor).toMatchObject({ kind: 'bad-request', status: 400, remoteCode: 'invalid-cursor' });

    const tooMany = await remoteError(gateway.listTeamMembers(PRODUCTION, { limit: 500 }));
    expect(tooMany).toMatchObject({ kind: 'bad-request', remoteCode: 'invalid-request' });
  });

  it('rejects a response of the wrong shape, naming the field', async () => {
    const fakeFetch: typeof fetch = () =>
      Promise.resolve(
        new Response(
          JSON.stringify({ connected: true, munchkinId: '123-ABC-456', connectedAt: 'yesterday' }),
          {
            status: 200,
            headers: { 'content-type': 'application/json' },
          },
        ),
      );
    const gateway = new HttpSalesConnectGateway({
      baseUrl: 'https://bridge.example.com/sales-connect',
      fetch: fakeFetch,
    });
    const error = await remoteError(gateway.getMarketoConnection('acme'));
    expect(error).toMatchObject({ kind: 'unexpected-response', retryable: false });
    expect(error.message).toContain('connectedAt');
    expect(error.endpoint).toBe('GET /v1/instances/acme/marketo-connection');
  });
});

describe('route coverage', () => {
  it('exercised every route the salesConnect simulator serves with the real client', () => {
    expectEveryRouteExercised(everyStarted, ['salesConnect']);
  });
});
