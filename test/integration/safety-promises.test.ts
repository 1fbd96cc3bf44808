/**
 * Safety promises no other test would catch breaking, each under the one
 * event that tests it: a V1 deleted by someone else before a rollback, a V2
 * activation that lost an audience, an API that would delete a connection
 * still in use, a V2 deleted before the cut-over, one sandbox losing its
 * permissions. Expected ids, names and counts are written out; outcomes are
 * read from the simulator's state, never through cutover's clients.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import {
  approveUpdate,
  progressQuery,
  rejectUpdate,
  type MigrationProgress,
} from '../../src/workflows/migration/messages';
import { adminDelete, adminPut } from '../support/cutover-config';
import { awaitingApproval, resultOnceClosed, startMigrationRun } from '../support/migration-start';
import { flowServiceState, taggedPerV1, type StoredObject } from '../support/simulator-state';
import { DEMO_IMS_CLIENT_ID, DEMO_ORG_ID } from '../../src/simulator/seeds/demo-catalog';
import { useTemporalEnvironment } from '../support/temporal-env';
import { uniqueTaskQueue } from '../support/worker';

/**
 * The suite's dev server, not the time-skipping one: there, a run that one
 * sandbox failed was seen closed while its other sandbox and that sandbox's
 * item sagas were still running, so the simulator's state read after the run
 * closed was not the end state.
 */
const env = useTemporalEnvironment();
let simulator: RunningSimulator;

beforeEach(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  await adminPut(simulator, '/__admin/flow-service/settings', { runDurationMs: 0 });
});
afterEach(() => simulator.close());

type Sandboxes = Parameters<typeof startMigrationRun>[4];
const waitingFor = (...names: string[]): Sandboxes => names.map((name) => ({ name, autoApprove: false }));
const autoApproved = (...names: string[]): Sandboxes => names.map((name) => ({ name, autoApprove: true }));

/** A V1 dataflow of the demo seed, by sandbox and name, from the simulator's state. */
function v1Flow(sandbox: string, name: string): StoredObject {
  const flow = flowServiceState(simulator, sandbox).flows.find((candidate) => candidate.name === name);
  if (!flow) throw new Error(`the demo seed has no dataflow "${name}" in ${sandbox}`);
  return flow;
}

const flowById = (sandbox: string, id: string | undefined) =>
  flowServiceState(simulator, sandbox).flows.find((flow) => flow.id === id);

/** [sandbox, name, status] of every item the run tried to migrate (skipped ones left out). */
const outcomes = (result: MigrationProgress) =>
  result.items
    .filter((item) => item.status !== 'skipped')
    .map((item) => [item.sandbox, item.name, item.status]);

const itemNamed = (result: MigrationProgress, sandbox: string, name: string) =>
  result.items.find((item) => item.sandbox === sandbox && item.name === name)!;

/** Another user removes an object through the simulator's admin API: no cutover code involved. */
const deleteOutOfBand = (collection: string, id: string) =>
  adminDelete(simulator, `/__admin/flow-service/${collection}/${id}`);

describe('a rollback after V1 was partly deleted', () => {
  it('keeps V2 for the item whose V1 is already gone, reports it v1-removed, and rolls the others back', async () => {
    const subscriber = v1Flow('prod', 'SFMC Subscriber to AEP');
    const { worker, handle } = await start('sfmc', 'safety-v1-gone-reject', waitingFor('prod', 'dev'));
    const { result, waiting } = await worker.runUntil(async () => {
      const waiting = await awaitingApproval(handle);
      await deleteOutOfBand('flows', subscriber.id);
      await handle.executeUpdate(rejectUpdate, { args: [{ reason: 'numbers look off', by: 'ops' }] });
      return { result: await resultOnceClosed(handle), waiting };
    });
    expect(outcomes(waiting)).toEqual([
      ['prod', 'SFMC Subscriber to AEP', 'verified'],
      ['prod', 'SFMC Campaign to AEP', 'verified'],
      ['dev', 'SFMC Subscriber to AEP', 'verified'],
      ['dev', 'SFMC Campaign to AEP', 'verified'],
    ]);
    expect(outcomes(result)).toEqual([
      ['prod', 'SFMC Subscriber to AEP', 'v1-removed'],
      ['prod', 'SFMC Campaign to AEP', 'rolled-back'],
      ['dev', 'SFMC Subscriber to AEP', 'rolled-back'],
      ['dev', 'SFMC Campaign to AEP', 'rolled-back'],
    ]);

    const kept = itemNamed(result, 'prod', 'SFMC Subscriber to AEP');
    expect(kept.reason).toBe('V1 was already deleted when the run stopped, so V2 was kept');
    const prod = flowServiceState(simulator, 'prod');
    const v2 = taggedPerV1(prod.flows, 'sfmc');
    // V2 is all that is left of this dataflow: it stays, enabled, with the connections it reads and writes through.
    expect(v2.get(subscriber.id)?.map((flow) => [flow.id, flow.state])).toEqual([[kept.v2FlowId, 'enabled']]);
    const keptV2 = v2.get(subscriber.id)![0]!;
    for (const id of keptV2.sourceConnectionIds as string[])
      expect(prod.sourceConnections.some((connection) => connection.id === id)).toBe(true);
    for (const id of keptV2.targetConnectionIds as string[])
      expect(prod.targetConnections.some((connection) => connection.id === id)).toBe(true);

    for (const item of result.items.filter((candidate) => candidate.status === 'rolled-back')) {
      expect(item.reason, item.name).toBe('rejected: numbers look off (by ops)');
      expect(flowById(item.sandbox, item.v1FlowId)?.state, `${item.sandbox} ${item.name}: V1`).toBe(
        'enabled',
      );
      expect(flowById(item.sandbox, item.v2FlowId), `${item.sandbox} ${item.name}: V2`).toBeUndefined();
      expect(taggedPerV1(flowServiceState(simulator, item.sandbox).flows, 'sfmc').get(item.v1FlowId)).toBe(
        undefined,
      );
    }
  });
});

describe('a Marketo V2 activation that exports fewer audiences than V1', () => {
  it('is not verified: the item fails, V2 goes, and V1 is kept exporting every audience', async () => {
    const newsletter = v1Flow('prod', 'Marketo V1 - Newsletter audiences');
    // The V2 dataflow never receives "Trial users", whatever cutover's PATCH adds.
    await adminPut(simulator, '/__admin/flow-service/settings', {
      droppedAudiences: ['a1b2c3d4-0002-4000-8000-000000000002'],
    });
    const { worker, handle } = await start('marketo', 'safety-lost-audience', autoApproved('prod'));
    const result = await worker.runUntil(resultOnceClosed(handle));

    expect(outcomes(result)).toEqual([
      ['prod', 'Marketo V1 - Newsletter audiences', 'failed'],
      ['prod', 'Marketo V1 - Web visitors', 'v1-removed'],
    ]);
    expect(itemNamed(result, 'prod', 'Marketo V1 - Newsletter audiences').reason).toBe(
      'V2 does not export Trial users',
    );
    const after = flowById('prod', newsletter.id);
    expect(after, 'V1 kept').toBeDefined();
    expect(after!.state).toBe('enabled');
    expect(after!.etag, 'V1 never written to').toBe(newsletter.etag);
    expect(audiencesOf(after!)).toEqual([
      'a1b2c3d4-0001-4000-8000-000000000001',
      'a1b2c3d4-0002-4000-8000-000000000002',
    ]);
    const prod = flowServiceState(simulator, 'prod');
    for (const id of newsletter.targetConnectionIds as string[])
      expect(
        prod.targetConnections.some((connection) => connection.id === id),
        'V1 target kept',
      ).toBe(true);
    expect(taggedPerV1(prod.flows, 'marketo').get(newsletter.id), 'its V2 removed').toBeUndefined();
  });
});

describe('a V1 connection another dataflow still uses, where the API would let it be deleted', () => {
  it('survives the cut-over: cutover checks for users itself', async () => {
    await adminPut(simulator, '/__admin/flow-service/settings', { refuseDeletesInUse: false });
    const subscriber = v1Flow('prod', 'SFMC Subscriber to AEP');
    const campaign = v1Flow('prod', 'SFMC Campaign to AEP');
    // "SFMC Email to AEP" is not migrated (no data extension replaces it): it now writes through the
    // same target connection as the Subscriber dataflow, and reads through the same V1 account as all.
    const email = v1Flow('prod', 'SFMC Email to AEP');
    const sharedTarget = (subscriber.targetConnectionIds as string[])[0]!;
    await platformRequest('prod', 'PATCH', `/flows/${email.id}`, {
      headers: { 'if-match': email.etag as string },
      body: [{ op: 'replace', path: '/targetConnectionIds', value: [sharedTarget] }],
    });
    const account = flowServiceState(simulator, 'prod').connections.find(
      (connection) => connection.name === 'Salesforce Marketing Cloud (V1)',
    )!;

    const { worker, handle } = await start('sfmc', 'safety-shared-connection', autoApproved('prod'));
    const result = await worker.runUntil(resultOnceClosed(handle));
    expect(outcomes(result)).toEqual([
      ['prod', 'SFMC Subscriber to AEP', 'v1-removed'],
      ['prod', 'SFMC Campaign to AEP', 'v1-removed'],
    ]);
    const after = flowServiceState(simulator, 'prod');
    const has = (objects: StoredObject[], id: string) => objects.some((object) => object.id === id);
    expect(has(after.flows, subscriber.id) || has(after.flows, campaign.id), 'V1 dataflows deleted').toBe(
      false,
    );
    // What nothing else used went, so the API really let deletes through...
    expect(has(after.sourceConnections, (campaign.sourceConnectionIds as string[])[0]!)).toBe(false);
    expect(has(after.targetConnections, (campaign.targetConnectionIds as string[])[0]!)).toBe(false);
    expect(has(after.sourceConnections, (subscriber.sourceConnectionIds as string[])[0]!)).toBe(false);
    // ...and what another dataflow still uses stayed.
    expect(has(after.targetConnections, sharedTarget), 'the target connection Email writes through').toBe(
      true,
    );
    expect(has(after.connections, account.id), 'the V1 account the unmigrated sources read through').toBe(
      true,
    );
    expect(flowById('prod', email.id)?.state).toBe('enabled');
  });
});

describe('a V2 dataflow deleted while the cut-over waits for approval', () => {
  it('keeps its V1, enabled again, and reports the item failed; the other item cuts over', async () => {
    const campaign = v1Flow('prod', 'SFMC Campaign to AEP');
    const subscriber = v1Flow('prod', 'SFMC Subscriber to AEP');
    const { worker, handle } = await start('sfmc', 'safety-v2-gone-approve', waitingFor('prod'));
    const { result, deletedV2 } = await worker.runUntil(async () => {
      const waiting = await awaitingApproval(handle);
      const deletedV2 = itemNamed(waiting, 'prod', 'SFMC Campaign to AEP').v2FlowId!;
      expect(flowById('prod', deletedV2)?.state).toBe('enabled');
      await deleteOutOfBand('flows', deletedV2);
      await handle.executeUpdate(approveUpdate, { args: [{ by: 'ops' }] });
      return { result: await resultOnceClosed(handle), deletedV2 };
    });
    expect(outcomes(result)).toEqual([
      ['prod', 'SFMC Subscriber to AEP', 'v1-removed'],
      ['prod', 'SFMC Campaign to AEP', 'failed'],
    ]);
    // Kept, and running: a V1 left disabled would ingest nothing, with no V2 to do it instead.
    expect(flowById('prod', campaign.id)?.state, 'Campaign V1 kept and enabled again').toBe('enabled');
    expect(itemNamed(result, 'prod', 'SFMC Campaign to AEP').reason).toBe(
      `its V2 dataflow ${deletedV2} no longer exists, so V1 was kept, and V1 runs again as before`,
    );
    expect(flowById('prod', subscriber.id), 'Subscriber V1 deleted').toBeUndefined();
  });
});

describe('one sandbox losing its permissions mid-run', () => {
  const CREATES = '/(sourceConnections|targetConnections|mappingSets|flows)$';
  const ALL_CREATES = '/(connections|sourceConnections|targetConnections|mappingSets|flows)$';

  /** Runs SFMC over prod and dev, auto-approved, with dev refusing creates as the script says. */
  async function runWithDevRefusing(queue: string, refusal: { pathMatches: string; skip: number }) {
    const devV1 = flowServiceState(simulator, 'dev').flows.map((flow) => ({ ...flow }));
    simulator.faults.configure({
      script: [{ kind: 'forbidden', sandboxes: ['dev'], method: 'POST', count: 1_000, ...refusal }],
    });
    const { worker, handle } = await start('sfmc', queue, autoApproved('prod', 'dev'));
    const closed = await worker.runUntil(
      resultOnceClosed(handle).then(
        (result) => ({ result, failure: undefined }),
        async (failure: Error) => ({ result: await handle.query(progressQuery), failure }),
      ),
    );
    simulator.faults.configure({});
    return { ...closed, devV1 };
  }

  function expectOnlyDevFailed(
    { result, failure, devV1 }: Awaited<ReturnType<typeof runWithDevRefusing>>,
    refusals: number,
    sandboxFailed: boolean,
  ) {
    const refused = simulator.requests.list({ method: 'POST' }).filter((entry) => entry.status === 403);
    expect(refused.length, 'creates dev refused').toBeGreaterThanOrEqual(refusals);
    expect(outcomes(result)).toEqual([
      ['prod', 'SFMC Subscriber to AEP', 'v1-removed'],
      ['prod', 'SFMC Campaign to AEP', 'v1-removed'],
      ['dev', 'SFMC Subscriber to AEP', 'failed'],
      ['dev', 'SFMC Campaign to AEP', 'failed'],
    ]);
    for (const name of ['SFMC Subscriber to AEP', 'SFMC Campaign to AEP'])
      expect(itemNamed(result, 'dev', name).reason, `dev ${name}`).toMatch(/forbidden, HTTP 403/);
    // prod cut over: one enabled V2 per V1, V1 deleted.
    const prod = flowServiceState(simulator, 'prod');
    const prodV2 = taggedPerV1(prod.flows, 'sfmc');
    for (const item of result.items.filter((candidate) => candidate.sandbox === 'prod')) {
      if (item.status === 'skipped') continue;
      expect(flowById('prod', item.v1FlowId), `prod ${item.name}: V1`).toBeUndefined();
      expect(prodV2.get(item.v1FlowId)?.map((flow) => flow.state)).toEqual(['enabled']);
    }
    // dev: every V1 as it was (same etag: never written to), and nothing of V2 left.
    const dev = flowServiceState(simulator, 'dev');
    expect(dev.flows.map((flow) => [flow.id, flow.state, flow.etag])).toEqual(
      devV1.map((flow) => [flow.id, 'enabled', flow.etag]),
    );
    const made = (objects: StoredObject[]) =>
      objects.filter((object) => /cutover/.test(`${object.name ?? ''} ${object.description ?? ''}`));
    expect(made(dev.flows), 'V2 dataflows left in dev').toEqual([]);
    expect(made(dev.sourceConnections), 'V2 source connections left in dev').toEqual([]);
    expect(made(dev.targetConnections), 'V2 target connections left in dev').toEqual([]);
    expect(made(dev.connections), 'V2 base connections left in dev').toEqual([]);
    expect(made(dev.mappingSets), 'V2 mapping sets left in dev').toEqual([]);
    // A sandbox that fails as a whole fails the run, once the other sandbox has cut over.
    if (sandboxFailed)
      expect(innermostMessage(failure)).toMatch(/POST \/connections failed \(forbidden, HTTP 403/);
    else expect(failure, 'the run itself').toBeUndefined();
  }

  it('fails and rolls back that sandbox’s items when it refuses creates after its first ones; the other cuts over', async () => {
    // dev's V2 base connection and its first two item creates go through; every create after is refused.
    const run = await runWithDevRefusing('safety-sandbox-refuses-later', { pathMatches: CREATES, skip: 2 });
    expectOnlyDevFailed(run, 2, false);
  });

  it('fails that sandbox alone when it refuses its very first create (its V2 base connection); the other cuts over', async () => {
    const run = await runWithDevRefusing('safety-sandbox-refuses-first', {
      pathMatches: ALL_CREATES,
      skip: 0,
    });
    expectOnlyDevFailed(run, 1, true);
  });
});

async function start(kind: 'sfmc' | 'marketo', queue: string, sandboxes: Sandboxes) {
  return startMigrationRun(kind, env(), simulator, uniqueTaskQueue(queue), sandboxes);
}

const audiencesOf = (flow: StoredObject) =>
  (
    flow.transformations as Array<{
      params: { segmentSelectors: { selectors: Array<{ value: { id: string } }> } };
    }>
  )[0]!.params.segmentSelectors.selectors
    .map((selector) => selector.value.id)
    .sort();

/** A Flow Service call made with plain HTTP and the demo credentials: no cutover client in between. */
async function platformRequest(
  sandbox: string,
  method: string,
  path: string,
  request: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<void> {
  const token = await fetch(`${simulator.baseUrl}/ims/ims/token/v3`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: DEMO_IMS_CLIENT_ID,
      client_secret: 'simulator-placeholder-secret',
      scope: 'openid,AdobeID',
    }),
  });
  const { access_token } = (await token.json()) as { access_token: string };
  const response = await fetch(`${simulator.baseUrl}/platform/data/foundation/flowservice${path}`, {
    method,
    headers: {
      authorization: `Bearer ${access_token}`,
      'x-api-key': DEMO_IMS_CLIENT_ID,
      'x-gw-ims-org-id': DEMO_ORG_ID,
      'x-sandbox-name': sandbox,
      'content-type': 'application/json',
      ...request.headers,
    },
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  });
  if (!response.ok)
    throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
}

/** The innermost message of a workflow failure (the remote's refusal, under the child and activity layers). */
function innermostMessage(error: Error | undefined): string {
  let current: Error | undefined = error;
  while (current?.cause instanceof Error) current = current.cause;
  return current?.message ?? '';
}
