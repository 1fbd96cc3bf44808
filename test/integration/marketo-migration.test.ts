import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { marketoRun } from '../../src/runs';
import { startMigrationRequest } from '../../src/runs/migration';
import type { Flow } from '../../src/integrations/flow-service/schemas';
import { startSimulator } from '../../src/simulator/server';
import { DEMO_MARKETO, DEMO_ORG_ID } from '../../src/simulator/seeds/demo-catalog';
import { CONNECTION_SPECS } from '../../src/simulator/flow-service/spec-catalog';
import { parseConfig } from '../../src/config/load';
import { CutoverKind } from '../../src/visibility/search-attributes';
import type { MigrationProgress } from '../../src/workflows/migration/messages';
import { adminPut, rawSimulatorConfig, simulatorConfig } from '../support/cutover-config';
import { collect, demoAdobeClients, useFreshDemoSimulator } from '../support/simulator';
import { cutoverTestWorker } from '../support/cutover-worker';
import { expectCleanHistory } from '../support/history-checks';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue } from '../support/worker';
import { spawnWorkerProcess } from '../support/worker-process';

const env = useTemporalEnvironment();
/** Each test migrates a freshly seeded demo organisation. */
const simulator = useFreshDemoSimulator();

async function cutoverWorker(taskQueue: string, config = simulatorConfig(simulator(), taskQueue)) {
  return cutoverTestWorker(env(), config);
}

async function migrate(
  taskQueue: string,
  sandboxes?: string[],
  config = simulatorConfig(simulator(), taskQueue),
): Promise<MigrationProgress> {
  const run = marketoRun.fromConfig(config, sandboxes);
  expect(run.problems).toEqual([]);
  const workflowId = `${run.workflowId}/${taskQueue}`;
  try {
    const handle = await startMigrationRequest(env().client, marketoRun, run, { taskQueue, workflowId });
    return await (await cutoverWorker(taskQueue, config)).runUntil(handle.result());
  } finally {
    // Every run, failed ones too: its histories replay, and no secret is in them in any spelling.
    await expectCleanHistory(env().client, workflowId);
  }
}

interface DestinationParams {
  segmentSelectors: { selectors: Array<{ value: { id: string } }> };
  profileSelectors: { selectors: Array<{ value: { identity?: { namespace: string } } }> };
}
const audiencesOf = (flow: Flow) =>
  (flow.transformations[0]!.params as unknown as DestinationParams).segmentSelectors.selectors
    .map((selector) => selector.value.id)
    .sort();
const identitiesOf = (flow: Flow) =>
  (flow.transformations[0]!.params as unknown as DestinationParams).profileSelectors.selectors
    .flatMap((selector) => selector.value.identity?.namespace ?? [])
    .sort();

/** Destination flows of a sandbox: V1 ones by id, and the V2 ones cutover made per V1 flow they replace. */
async function destinations(sandbox: string) {
  const flows = await collect(demoAdobeClients(simulator(), sandbox).flowService.flows.list());
  const v2ByV1 = new Map<string, Flow[]>();
  for (const flow of flows) {
    const v1 = /cutover:marketo:([\w-]+)/.exec(flow.description ?? '')?.[1];
    if (v1) v2ByV1.set(v1, [...(v2ByV1.get(v1) ?? []), flow]);
  }
  return { flows, v2ByV1 };
}

/** V2 objects this migration left behind: dataflows, target connections and base connections. */
async function v2Leftovers(sandbox: string, from = simulator()) {
  const { flowService } = demoAdobeClients(from, sandbox);
  const tagged = (items: Array<{ name: string }>) =>
    items.filter((item) => item.name.includes('[cutover ')).length;
  return {
    flows: tagged(await collect(flowService.flows.list())),
    targets: tagged(await collect(flowService.targetConnections.list())),
    bases: tagged(await collect(flowService.connections.list())),
  };
}

describe('Marketo destination V1 -> V2 migration on the dev server', () => {
  it('replaces each migratable V1 dataflow by one V2 with the same audiences and identities, V1 deleted after V2 was verified', async () => {
    const before = { prod: await destinations('prod'), dev: await destinations('dev') };
    const taskQueue = uniqueTaskQueue('marketo-happy');
    const result = await migrate(taskQueue);

    expect(result.phase).toBe('completed');
    expect(result.items.map((item) => [item.sandbox, item.name, item.status])).toEqual([
      ['prod', 'Marketo V1 - Newsletter audiences', 'v1-removed'],
      ['prod', 'Marketo V1 - Web visitors', 'v1-removed'],
      ['prod', 'Marketo V1 - Legacy import (no identity)', 'skipped'],
      ['dev', 'Marketo V1 - Newsletter audiences', 'v1-removed'],
    ]);
    expect(result.items[2]!.reason).toMatch(/^no-identity: it maps neither an Email nor an ECID identity/);
    expect(result.items[0]!.warnings?.join()).toMatch(/V1 mapping IDs .*1001, 1002.* are dropped/);

    const log = simulator().requests;
    for (const sandbox of ['prod', 'dev'] as const) {
      const after = await destinations(sandbox);
      for (const item of result.items.filter(
        (entry) => entry.sandbox === sandbox && entry.status === 'v1-removed',
      )) {
        const v1 = before[sandbox].flows.find((flow) => flow.id === item.v1FlowId)!;
        const v2 = after.v2ByV1.get(item.v1FlowId) ?? [];
        expect(
          v2.map((flow) => flow.id),
          `${item.name}: exactly one V2`,
        ).toEqual([item.v2FlowId]);
        expect(
          after.flows.some((flow) => flow.id === v1.id),
          `${item.name}: V1 deleted`,
        ).toBe(false);
        expect(audiencesOf(v2[0]!)).toEqual(audiencesOf(v1));
        expect(identitiesOf(v2[0]!)).toEqual(identitiesOf(v1));
        expect(v2[0]!.state).toBe('enabled');
        // V2's first activation run was read as a success before V1's delete went out.
        const [firstRun] = await collect(
          demoAdobeClients(simulator(), sandbox).flowService.listRuns(v2[0]!.id),
        );
        expect(firstRun?.metrics?.statusSummary?.status).toBe('success');
        const deletedAt = log.list({ method: 'DELETE', pathContains: `/flows/${v1.id}` })[0]!.at;
        const runsRead = log
          .list({ method: 'GET', pathContains: '/runs' })
          .filter((entry) => entry.query.includes(v2[0]!.id));
        expect(runsRead[0]!.at).toBeLessThanOrEqual(deletedAt);
        const activatedAt = log.list({ method: 'PATCH', pathContains: `/flows/${v2[0]!.id}` }).at(-1)!.at;
        expect(deletedAt).toBeGreaterThanOrEqual(activatedAt);
      }
    }
    // The flow the plan skipped is untouched.
    const legacy = (await destinations('prod')).flows.find((flow) => flow.name.includes('Legacy import'));
    expect(legacy?.state).toBe('enabled');

    const listed = await waitFor(async () => {
      for await (const execution of env().client.workflow.list({
        query: `CutoverKind = 'marketo-migration' AND TaskQueue = '${taskQueue}'`,
      })) {
        return execution;
      }
      return undefined;
    });
    expect(listed.typedSearchAttributes.get(CutoverKind)).toBe('marketo-migration');
  });

  it('creates nothing twice under dropped responses, 429s, 5xx, early-expiring tokens and a stale etag', async () => {
    const taskQueue = uniqueTaskQueue('marketo-faults');
    simulator().faults.configure({
      seed: 11,
      modules: ['flowService', 'ims', 'marketo'],
      dropAfterCommitRate: 0.35,
      serverErrorRate: 0.05,
      rateLimit: { requestsPerSecond: 40, burst: 15 },
      tokenLifetimeSeconds: 3,
      // Another client edits the first V2 dataflow between cutover's read and its If-Match PATCH.
      script: [{ kind: 'concurrent-edit', method: 'PATCH', pathContains: '/flows/' }],
    });
    const result = await migrate(taskQueue, ['prod']);
    simulator().faults.configure({});

    expect(result.phase).toBe('completed');
    const migrated = result.items.filter((item) => item.status === 'v1-removed');
    expect(migrated).toHaveLength(2);
    // The scripted edit gives one 412; a PATCH repeated after its answer was dropped meets one too.
    const stale = simulator()
      .requests.list({ method: 'PATCH', pathContains: '/flows/' })
      .filter((entry) => entry.status === 412);
    expect(stale.length).toBeGreaterThanOrEqual(1);
    const { v2ByV1 } = await destinations('prod');
    for (const item of migrated) expect(v2ByV1.get(item.v1FlowId), item.name).toHaveLength(1);
    expect(await v2Leftovers('prod')).toEqual({ flows: 2, targets: 2, bases: 1 });
  });

  it('removes V2 and leaves V1 exporting when the first activation fails', async () => {
    const taskQueue = uniqueTaskQueue('marketo-activation-fails');
    await adminPut(simulator(), '/__admin/flow-service/settings', { failRunsOfNewFlows: 1 });
    const before = await destinations('prod');
    const result = await migrate(taskQueue, ['prod']);

    const failed = result.items.filter((item) => item.status === 'failed');
    expect(failed).toHaveLength(2);
    for (const item of failed)
      expect(item.reason).toMatch(/the first activation run .* failed: CONNECTOR-2001-500/);
    const after = await destinations('prod');
    for (const item of failed) {
      const v1Before = before.flows.find((flow) => flow.id === item.v1FlowId)!;
      const v1After = after.flows.find((flow) => flow.id === item.v1FlowId);
      expect(v1After?.state).toBe('enabled');
      expect(audiencesOf(v1After!)).toEqual(audiencesOf(v1Before));
    }
    expect(await v2Leftovers('prod')).toEqual({ flows: 0, targets: 0, bases: 0 });
  });

  it('names the missing Experience Platform permission and leaves nothing behind', async () => {
    await adminPut(simulator(), '/__admin/flow-service/permissions', {
      orgId: DEMO_ORG_ID,
      denied: ['Activate Destinations'],
    });
    const result = await migrate(uniqueTaskQueue('marketo-no-activate'), ['prod']);
    const failed = result.items.filter((item) => item.status === 'failed');
    expect(failed).toHaveLength(2);
    for (const item of failed) {
      expect(item.reason).toContain(
        'needs the permissions "Manage Destinations", "Activate Destinations", "View Profiles", "View Segments"',
      );
    }
    expect(await v2Leftovers('prod')).toEqual({ flows: 0, targets: 0, bases: 0 });

    await adminPut(simulator(), '/__admin/flow-service/permissions', {
      orgId: DEMO_ORG_ID,
      denied: ['Manage Destinations'],
    });
    const failure = await migrate(uniqueTaskQueue('marketo-no-manage'), ['prod']).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(JSON.stringify((failure as WorkflowFailedError).cause)).toContain(
      'needs the permission \\"Manage Destinations\\"',
    );
    expect(await v2Leftovers('prod')).toEqual({ flows: 0, targets: 0, bases: 0 });
    expect(
      (await destinations('prod')).flows.filter((flow) => flow.name.startsWith('Marketo V1')),
    ).toHaveLength(3);
  });

  it('finishes after its worker is killed mid-run and replaced, with no duplicate V2', async () => {
    const taskQueue = uniqueTaskQueue('marketo-kill');
    simulator().faults.configure({ latencyMs: 150 });
    const workerProcess = spawnWorkerProcess(rawSimulatorConfig(simulator(), taskQueue), env().address);
    const run = marketoRun.fromConfig(simulatorConfig(simulator(), taskQueue), ['prod']);
    const workflowId = `${run.workflowId}/${taskQueue}`;
    const handle = await startMigrationRequest(env().client, marketoRun, run, { taskQueue, workflowId });
    await waitFor(
      async () =>
        (await handle.query<MigrationProgress>('progress')).items.some((item) => item.status === 'migrating'),
      { timeoutMs: 45_000, what: 'a dataflow to be mid-migration' },
    );
    await workerProcess.kill();
    simulator().faults.configure({});

    const result: MigrationProgress = await (await cutoverWorker(taskQueue)).runUntil(handle.result());
    await expectCleanHistory(env().client, workflowId);
    expect(result.items.filter((item) => item.status === 'v1-removed')).toHaveLength(2);
    expect(await v2Leftovers('prod')).toEqual({ flows: 2, targets: 2, bases: 1 });
  });

  it('targets the newer Marketo Engage card on its own contract: no secret, its destination details, the dedupe identity, ECID-only V1 refused', async () => {
    const taskQueue = uniqueTaskQueue('marketo-engage');
    const raw = rawSimulatorConfig(simulator(), taskQueue);
    // The card connects within the Adobe organisation: no Marketo LaunchPoint credentials at all.
    delete (raw.marketo as { clientId?: string }).clientId;
    delete (raw.marketo as { clientSecret?: string }).clientSecret;
    Object.assign(raw.marketo, {
      target: 'marketoEngage',
      engage: { workspaceId: 1, partition: '2' },
      personCreation: 'create-missing',
    });
    const result = await migrate(taskQueue, ['prod'], parseConfig(raw, 'test.yaml'));
    expect(result.items.map((item) => [item.name, item.status])).toEqual([
      ['Marketo V1 - Newsletter audiences', 'v1-removed'],
      ['Marketo V1 - Web visitors', 'skipped'],
      ['Marketo V1 - Legacy import (no identity)', 'skipped'],
    ]);
    expect(result.items[1]!.reason).toMatch(
      /^identity-unsupported-by-card: the Marketo Engage card matches persons on its dedupe field \(marketo\.engage\.dedupeField: email\) and supports neither ECID nor Lead ID as one, but this dataflow's only identity is ECID; map an Email identity/,
    );
    expect(result.items[0]!.warnings?.join()).toMatch(/not checked against Marketo's Describe Lead/);
    expect(simulator().requests.list({ pathContains: '/marketo/' })).toEqual([]);

    const { flowService } = demoAdobeClients(simulator(), 'prod');
    const [base, ...otherBases] = (await collect(flowService.connections.list())).filter(
      (connection) => connection.connectionSpec.id === CONNECTION_SPECS.marketoEngage.id,
    );
    expect(otherBases).toEqual([]);
    expect(base?.auth).toEqual({ specName: 'Same Organization', params: {} });
    const targets = (await collect(flowService.targetConnections.list())).filter((target) =>
      target.name.includes('(Marketo Engage) [cutover '),
    );
    expect(targets).toHaveLength(1);
    expect(targets[0]!.connectionSpec.id).toBe(CONNECTION_SPECS.marketoEngage.id);
    expect(targets[0]!.params).toEqual({
      munchkinId: DEMO_MARKETO.munchkinId,
      workspaceId: '1',
      syncType: 'Audience and profile',
      partition: '2',
      dedupeField: 'email',
      personAction: 'Update existing and create new persons',
    });
    const v2 = (await destinations('prod')).v2ByV1.get(result.items[0]!.v1FlowId)![0]!;
    const selectors = (
      v2.transformations[0]!.params as {
        profileSelectors: {
          selectors: Array<{
            value: { identity?: { namespace: string }; mapping: { source: string; destination: string } };
          }>;
        };
      }
    ).profileSelectors.selectors;
    expect(selectors.map((selector) => selector.value.mapping.destination)).toEqual([
      'identityMap.DedupeField',
      'firstName',
      'lastName',
      'company',
    ]);
    expect(selectors[0]!.value).toMatchObject({
      identity: { namespace: 'DedupeField' },
      mapping: { source: 'personalEmail.address' },
    });
    // The refused ECID-only flow keeps exporting on V1.
    const webVisitors = (await destinations('prod')).flows.find(
      (flow) => flow.id === result.items[1]!.v1FlowId,
    );
    expect(webVisitors?.state).toBe('enabled');
  });

  it('stops before creating anything when the sandbox would exceed 100 destinations', async () => {
    const large = await startSimulator({
      port: 0,
      seed: { profile: 'large', sandboxes: 1, flowsPerSandbox: 90 },
    });
    const taskQueue = uniqueTaskQueue('marketo-guardrail');
    try {
      const failure = await migrate(taskQueue, ['prod'], simulatorConfig(large, taskQueue)).catch(
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect(JSON.stringify((failure as WorkflowFailedError).cause)).toMatch(
        /Nothing was changed. Blocked: prod: prod has 90 destination dataflows; adding 60 V2 ones would exceed Adobe's limit of 100 per sandbox/,
      );
      expect(await v2Leftovers('prod', large)).toEqual({ flows: 0, targets: 0, bases: 0 });
    } finally {
      await large.close();
    }
  });
});
