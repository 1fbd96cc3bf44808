/**
 * The data-safety promises, each under the exact fault that would break it:
 * nothing duplicated (a lost answer on every kind of create, with lists that
 * lag behind writes), nothing lost (V1 deleted only behind one verified V2,
 * a pending or implausible first run never counted as verified), nothing
 * left behind by a rollback. Counts come from the simulator's own state.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import type { CutoverConfig } from '../../src/config/schema';
import { FLOW_SPECS } from '../../src/simulator/flow-service/spec-catalog';
import { marketoRun, sfmcRun } from '../../src/runs';
import { startMigrationRequest, type MigrationRunKind } from '../../src/runs/migration';
import type { MigrationProgress } from '../../src/workflows/migration/messages';
import { sandboxRunId } from '../../src/workflows/migration/steps';
import { adminPut, rawSimulatorConfig } from '../support/cutover-config';
import { cutoverTestWorker } from '../support/cutover-worker';
import { scheduledActivities } from '../support/history';
import { expectCleanHistory } from '../support/history-checks';
import { committedCreates, droppedAnswers, flowServiceState, taggedPerV1 } from '../support/simulator-state';
import { demoAdobeClients, useFreshDemoSimulator } from '../support/simulator';
import { DEMO_MARKETO } from '../../src/simulator/seeds/demo-catalog';
import { useTemporalEnvironment } from '../support/temporal-env';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();
const simulator = useFreshDemoSimulator();

type RawConfig = ReturnType<typeof rawSimulatorConfig>;

function configFor(taskQueue: string, change: (raw: RawConfig) => void = () => {}): CutoverConfig {
  const raw = rawSimulatorConfig(simulator(), taskQueue);
  change(raw);
  return parseConfig(raw, 'data-safety.yaml');
}

async function migrate(
  kind: 'sfmc' | 'marketo',
  config: CutoverConfig,
  sandboxes: string[],
): Promise<MigrationProgress> {
  const kindOfRun: MigrationRunKind = kind === 'sfmc' ? sfmcRun : marketoRun;
  const run = kindOfRun.fromConfig(config, sandboxes);
  expect(run.problems).toEqual([]);
  const taskQueue = config.temporal.taskQueue;
  const workflowId = `${run.workflowId}/${taskQueue}`;
  const worker = await cutoverTestWorker(env(), config);
  const handle = await startMigrationRequest(env().client, kindOfRun, run, { taskQueue, workflowId });
  const result = await worker.runUntil(handle.result());
  await expectCleanHistory(env().client, workflowId);
  return result;
}

/** The first answer of each route is dropped after its write committed. */
const dropFirstAnswerOf = (routes: Array<[method: string, pattern: string]>) =>
  routes.map(([method, pathMatches]) => ({ kind: 'drop-after-commit' as const, method, pathMatches }));

describe('nothing duplicated: lost answers with lists lagging behind writes', () => {
  it('makes every SFMC V2 object once per V1 dataflow when each kind of create loses its first answer', async () => {
    const config = configFor(uniqueTaskQueue('safety-sfmc-creates'));
    simulator().faults.configure({
      // Shorter than the config's listVisibilityWindow (2s), longer than Temporal's first retry delay.
      listVisibilityDelayMs: 1_500,
      script: dropFirstAnswerOf([
        ['POST', '/flowservice/connections$'],
        ['POST', '/flowservice/sourceConnections$'],
        ['POST', '/flowservice/targetConnections$'],
        ['POST', '/conversion/mappingSets$'],
        ['POST', '/flowservice/flows$'],
      ]),
    });
    const result = await migrate('sfmc', config, ['prod', 'dev']);
    simulator().faults.configure({});

    expect(result.phase).toBe('completed');
    const migrated = result.items.filter((item) => item.status === 'v1-removed');
    expect(migrated).toHaveLength(4);
    for (const route of ['connections', 'sourceConnections', 'targetConnections', 'flows'])
      expect(droppedAnswers(simulator(), `/flowservice/${route}`), `dropped ${route}`).toBe(1);
    expect(droppedAnswers(simulator(), '/conversion/mappingSets')).toBe(1);
    // One create per object: a retried step found what the lost answer had made.
    expect(committedCreates(simulator(), '/flowservice/connections')).toBe(2);
    expect(committedCreates(simulator(), '/flowservice/sourceConnections')).toBe(4);
    expect(committedCreates(simulator(), '/flowservice/targetConnections')).toBe(4);
    expect(committedCreates(simulator(), '/conversion/mappingSets')).toBe(4);
    expect(committedCreates(simulator(), '/flowservice/flows')).toBe(4);
    for (const sandbox of ['prod', 'dev']) {
      const state = flowServiceState(simulator(), sandbox);
      const v2 = taggedPerV1(state.flows, 'sfmc');
      for (const item of migrated.filter((candidate) => candidate.sandbox === sandbox)) {
        expect(
          v2.get(item.v1FlowId)?.map((flow) => flow.id),
          item.name,
        ).toEqual([item.v2FlowId]);
        expect(v2.get(item.v1FlowId)?.[0]?.state).toBe('enabled');
      }
    }
  });

  it('deletes a migrated V1 dataflow with its source and target connections, and its account once unused', async () => {
    const config = configFor(uniqueTaskQueue('safety-sfmc-v1-gone'));
    const before = flowServiceState(simulator(), 'dev');
    const v1Base = before.connections.find(
      (connection) => connection.name === 'Salesforce Marketing Cloud (V1)',
    )!;
    const v1Flows = before.flows.filter(
      (flow) => (flow.flowSpec as { id: string }).id === FLOW_SPECS.crmToAep.id,
    );
    expect(v1Flows).toHaveLength(2);
    const result = await migrate('sfmc', config, ['dev']);
    expect(result.items.map((item) => item.status)).toEqual(['v1-removed', 'v1-removed']);

    const after = flowServiceState(simulator(), 'dev');
    const ids = (objects: Array<{ id: string }>) => new Set(objects.map((object) => object.id));
    for (const flow of v1Flows) {
      expect(ids(after.flows).has(flow.id), `${flow.name}`).toBe(false);
      expect(ids(after.sourceConnections).has((flow.sourceConnectionIds as string[])[0]!)).toBe(false);
      expect(ids(after.targetConnections).has((flow.targetConnectionIds as string[])[0]!)).toBe(false);
    }
    // dev had only these two V1 dataflows, so nothing uses the V1 base connection any more.
    expect(ids(after.connections).has(v1Base.id)).toBe(false);
  });

  it('exports each Marketo audience once when the creates and the activation PATCH lose their first answer', async () => {
    const config = configFor(uniqueTaskQueue('safety-marketo'));
    const v1Targets = flowServiceState(simulator(), 'prod').targetConnections.map((target) => target.id);
    simulator().faults.configure({
      listVisibilityDelayMs: 1_500,
      script: dropFirstAnswerOf([
        ['POST', '/flowservice/connections$'],
        ['POST', '/flowservice/targetConnections$'],
        ['POST', '/flowservice/flows$'],
        ['PATCH', '/flowservice/flows/[^/]+$'],
      ]),
    });
    const result = await migrate('marketo', config, ['prod']);
    simulator().faults.configure({});

    expect(result.phase).toBe('completed');
    const migrated = result.items.filter((item) => item.status === 'v1-removed');
    expect(migrated).toHaveLength(2);
    expect(droppedAnswers(simulator(), '/flowservice/flows/[^/]+', 'PATCH')).toBe(1);
    expect(committedCreates(simulator(), '/flowservice/connections')).toBe(1);
    expect(committedCreates(simulator(), '/flowservice/targetConnections')).toBe(2);
    expect(committedCreates(simulator(), '/flowservice/flows')).toBe(2);
    const state = flowServiceState(simulator(), 'prod');
    const v2 = taggedPerV1(state.flows, 'marketo');
    for (const item of migrated) {
      const [flow, ...twins] = v2.get(item.v1FlowId) ?? [];
      expect(twins, item.name).toEqual([]);
      const params = (
        flow!.transformations as Array<{
          params: Record<string, { selectors: Array<{ value: { id?: string; path?: string } }> }>;
        }>
      )[0]!.params;
      const audiences = params.segmentSelectors!.selectors.map((selector) => selector.value.id);
      const profile = params.profileSelectors!.selectors.map((selector) => JSON.stringify(selector.value));
      expect(new Set(audiences).size, `${item.name}: every audience once`).toBe(audiences.length);
      expect(new Set(profile).size, `${item.name}: every identity and attribute once`).toBe(profile.length);
    }
    // V1's Marketo target connections went with their dataflows.
    const left = new Set(state.targetConnections.map((target) => target.id));
    const migratedTargets = v1Targets.filter((id) => !left.has(id));
    expect(migratedTargets).toHaveLength(2);
  });
});

describe('nothing counted as verified before it is', () => {
  it('rolls an SFMC dataflow back when its first V2 run is still pending at firstRunTimeout, mapping set included', async () => {
    await adminPut(simulator(), '/__admin/flow-service/settings', { runDurationMs: 3_600_000 });
    const config = configFor(uniqueTaskQueue('safety-first-run-timeout'), (raw) => {
      raw.sfmc.firstRunTimeout = '3s';
    });
    const before = flowServiceState(simulator(), 'dev');
    const result = await migrate('sfmc', config, ['dev']);
    expect(result.items.map((item) => item.status)).toEqual(['failed', 'failed']);
    for (const item of result.items) expect(item.reason).toBe('the first V2 run did not finish within 3s');
    const after = flowServiceState(simulator(), 'dev');
    for (const flow of before.flows)
      expect(after.flows.find((candidate) => candidate.id === flow.id)?.state, flow.name).toBe('enabled');
    expect(taggedPerV1(after.flows, 'sfmc').size).toBe(0);
    expect(after.sourceConnections.filter((source) => String(source.name).includes('[cutover '))).toEqual([]);
    expect(after.mappingSets.filter((set) => String(set.name).startsWith('cutover:'))).toEqual([]);
  });

  it('rolls back a V2 whose first run read nothing where V1 last succeeded, even when V1’s latest run failed', async () => {
    await adminPut(simulator(), '/__admin/flow-service/settings', { emptyRunsOfNewFlows: true });
    const devFlows = flowServiceState(simulator(), 'dev').flows;
    // V1's newest run failed: the check must compare with the successful one before it.
    for (const flow of devFlows)
      await fetch(`${simulator().baseUrl}/__admin/flow-service/flows/${flow.id}/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcome: 'failed' }),
      });
    const result = await migrate('sfmc', configFor(uniqueTaskQueue('safety-implausible')), ['dev']);
    expect(result.items.map((item) => item.status)).toEqual(['failed', 'failed']);
    for (const item of result.items) {
      expect(item.v1Records).toBeGreaterThan(0);
      expect(item.reason).toMatch(/^the first V2 run read 0 records where V1's last successful run read \d+/);
    }
    expect(taggedPerV1(flowServiceState(simulator(), 'dev').flows, 'sfmc').size).toBe(0);
  });

  it('never verifies a Marketo dataflow whose first activation is still pending at firstActivationTimeout', async () => {
    await adminPut(simulator(), '/__admin/flow-service/settings', { runDurationMs: 3_600_000 });
    const config = configFor(uniqueTaskQueue('safety-activation-timeout'), (raw) => {
      (raw.marketo as Record<string, unknown>).firstActivationTimeout = '3s';
    });
    const v1Before = flowServiceState(simulator(), 'prod').flows.map((flow) => [flow.id, flow.etag]);
    const result = await migrate('marketo', config, ['prod']);
    const failed = result.items.filter((item) => item.status === 'failed');
    expect(failed).toHaveLength(2);
    for (const item of failed)
      expect(item.reason).toMatch(
        /^the V2 dataflow reported no finished activation within 3s \(run \S+ in progress\)/,
      );
    const after = flowServiceState(simulator(), 'prod');
    expect(taggedPerV1(after.flows, 'marketo').size).toBe(0);
    // V1 was never written to.
    for (const [id, etag] of v1Before) expect(after.flows.find((flow) => flow.id === id)?.etag).toBe(etag);
  });
});

describe('safeguards that cannot be configured away', () => {
  /** Points the V1 base connection of prod's flows elsewhere, as if it had been made for another account. */
  async function repointV1Account(name: string, param: string, value: string) {
    const { flowService } = demoAdobeClients(simulator(), 'prod');
    const account = flowServiceState(simulator(), 'prod').connections.find(
      (connection) => connection.name === name,
    )!;
    const etag = (await flowService.connections.get(account.id))!.etag!;
    await flowService.connections.update(account.id, etag, [
      { op: 'replace', path: `/auth/params/${param}`, value },
    ]);
    return account.id;
  }

  async function expectBlockedBeforeAnyWrite(kind: 'sfmc' | 'marketo', pattern: RegExp) {
    const writesBefore = simulator()
      .requests.list()
      .filter((entry) => entry.method !== 'GET').length;
    const config = configFor(uniqueTaskQueue(`safety-${kind}-blocked`));
    const error = await migrate(kind, config, ['prod']).then(
      () => undefined,
      (caught: unknown) => caught as WorkflowFailedError,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(error!.cause?.message).toMatch(pattern);
    // Token requests only: nothing was created, changed or deleted.
    const writes = simulator()
      .requests.list()
      .filter((entry) => entry.method !== 'GET' && !/\/token/.test(entry.path));
    expect(writes.length - writesBefore).toBeLessThanOrEqual(0);
  }

  it('blocks a Marketo migration whose V1 base connection exports to another Munchkin ID than the config’s', async () => {
    const account = await repointV1Account('Marketo Engage (V1)', 'munchkinId', '999-XYZ-999');
    await expectBlockedBeforeAnyWrite(
      'marketo',
      new RegExp(
        `^Nothing was changed\\. Blocked: prod: V1 base connection "Marketo Engage \\(V1\\)" \\(${account}\\) exports to Marketo 999-XYZ-999, but marketo\\.munchkinId is ${DEMO_MARKETO.munchkinId}: .* Set marketo\\.munchkinId, clientId and clientSecret to subscription 999-XYZ-999`,
      ),
    );
  });

  it('blocks an SFMC migration whose V1 base connection reads another tenant than sfmc.baseEndpoint', async () => {
    await repointV1Account('Salesforce Marketing Cloud (V1)', 'subdomain', 'mcother000000000000000000000');
    await expectBlockedBeforeAnyWrite(
      'sfmc',
      /^Nothing was changed\. Blocked: prod: V1 base connection "Salesforce Marketing Cloud \(V1\)" .* reads SFMC tenant "mcother000000000000000000000", but sfmc\.baseEndpoint is tenant "mcdemo/,
    );
  });
});

describe('no needless rollback once a cut-over is approved', () => {
  it('keeps every verified V2 when an approved V1 deletion fails for good, and rolls nothing back', async () => {
    const prod = flowServiceState(simulator(), 'prod');
    const subscriber = prod.flows.find((flow) => flow.name === 'SFMC Subscriber to AEP')!;
    // The credential may not delete this one V1 dataflow: a 403 that retrying cannot change.
    simulator().faults.configure({
      script: [{ kind: 'forbidden', method: 'DELETE', pathMatches: `/flows/${subscriber.id}$`, count: 100 }],
    });
    const config = configFor(uniqueTaskQueue('safety-no-rollback'));
    const run = sfmcRun.fromConfig(config, ['prod']);
    const workflowId = `${run.workflowId}/${config.temporal.taskQueue}`;
    const worker = await cutoverTestWorker(env(), config);
    const handle = await startMigrationRequest(env().client, sfmcRun, run, {
      taskQueue: config.temporal.taskQueue,
      workflowId,
    });
    const error = await worker.runUntil(handle.result()).then(
      () => undefined,
      (caught: unknown) => caught as WorkflowFailedError,
    );
    simulator().faults.configure({});
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(describeCause(error!)).toMatch(/DELETE \/flows\/\S+ failed \(forbidden, HTTP 403/);

    const after = flowServiceState(simulator(), 'prod');
    const v2 = taggedPerV1(after.flows, 'sfmc');
    expect(v2.size).toBe(2);
    for (const flows of v2.values()) expect(flows.map((flow) => flow.state)).toEqual(['enabled']);
    expect(after.flows.find((flow) => flow.id === subscriber.id)?.state).toBe('disabled');
    const sandbox = await env().client.workflow.getHandle(sandboxRunId(workflowId, 'prod')).fetchHistory();
    expect(
      scheduledActivities(sandbox)
        .map((activity) => activity.type)
        .filter((type) => ['removeSfmcV2Objects', 'setFlowEnabled'].includes(type)),
    ).toEqual([]);
  });
});

/** The innermost message of a workflow failure. */
function describeCause(error: Error): string {
  let current: Error | undefined = error;
  while (current?.cause instanceof Error) current = current.cause;
  return current?.message ?? '';
}
