import type { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { sfmcRun } from '../../src/runs';
import { startMigrationRequest } from '../../src/runs/migration';
import { where } from '../../src/integrations/flow-service/property-filter';
import { CutoverKind } from '../../src/visibility/search-attributes';
import { startMigration } from '../../src/cli/commands/migration';
import type { MigrationProgress } from '../../src/workflows/migration/messages';
import { adminPut, rawSimulatorConfig, simulatorConfig } from '../support/cutover-config';
import { collect, demoAdobeClients, useFreshDemoSimulator } from '../support/simulator';
import { cutoverTestWorker } from '../support/cutover-worker';
import { expectCleanHistory } from '../support/history-checks';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { spawnWorkerProcess } from '../support/worker-process';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();
/** Each test migrates a freshly seeded demo organisation. */
const simulator = useFreshDemoSimulator();

async function cutoverWorker(
  taskQueue: string,
  config = simulatorConfig(simulator(), taskQueue),
): Promise<Worker> {
  return cutoverTestWorker(env(), config);
}

/** V1 flows still in the simulator, and V2 flows per V1 flow they replace. */
async function flowsIn(sandbox: string) {
  const flows = await collect(demoAdobeClients(simulator(), sandbox).flowService.flows.list());
  const v2ByV1 = new Map<string, string[]>();
  for (const flow of flows) {
    const v1 = /cutover:sfmc:([\w-]+)/.exec(flow.description ?? '')?.[1];
    if (v1) v2ByV1.set(v1, [...(v2ByV1.get(v1) ?? []), flow.id]);
  }
  return { flows, v2ByV1 };
}

const rawConfig = (taskQueue: string) => rawSimulatorConfig(simulator(), taskQueue);

describe('SFMC V1 -> V2 migration on the dev server', () => {
  it('replaces every migratable V1 dataflow of the demo seed by one verified V2 dataflow, then deletes V1', async () => {
    const taskQueue = uniqueTaskQueue('sfmc-happy');
    const config = simulatorConfig(simulator(), taskQueue);
    const run = sfmcRun.fromConfig(config);
    expect(run.problems).toEqual([]);
    const before = await flowsIn('prod');
    const v1Names = new Map(before.flows.map((flow) => [flow.id, flow.name]));

    const worker = await cutoverWorker(taskQueue, config);
    const handle = await startMigrationRequest(env().client, sfmcRun, run, {
      taskQueue,
      workflowId: `${run.workflowId}/${taskQueue}`,
    });
    const result = await worker.runUntil(handle.result());
    await expectCleanHistory(env().client, `${run.workflowId}/${taskQueue}`);

    expect(result.phase).toBe('completed');
    const byName = (sandbox: string) =>
      Object.fromEntries(
        result.items.filter((item) => item.sandbox === sandbox).map((item) => [item.name, item.status]),
      );
    expect(byName('prod')).toEqual({
      'SFMC Subscriber to AEP': 'v1-removed',
      'SFMC Campaign to AEP': 'v1-removed',
      'SFMC List to AEP': 'skipped',
      'SFMC Email to AEP': 'skipped',
      'SFMC LoyaltyTier__c to AEP': 'skipped',
    });
    expect(byName('dev')).toEqual({
      'SFMC Subscriber to AEP': 'v1-removed',
      'SFMC Campaign to AEP': 'v1-removed',
    });
    expect(result.items.find((item) => item.name === 'SFMC LoyaltyTier__c to AEP')?.reason).toMatch(
      /^custom-object/,
    );
    expect(result.items.find((item) => item.name === 'SFMC List to AEP')?.reason).toMatch(
      /^no-date-time-column/,
    );

    for (const sandbox of ['prod', 'dev']) {
      const after = await flowsIn(sandbox);
      const migrated = result.items.filter(
        (item) => item.sandbox === sandbox && item.status === 'v1-removed',
      );
      for (const item of migrated) {
        expect(
          after.flows.some((flow) => flow.id === item.v1FlowId),
          `${item.name} V1 deleted`,
        ).toBe(false);
        expect(after.v2ByV1.get(item.v1FlowId), `${item.name} has exactly one V2`).toEqual([item.v2FlowId]);
        const [firstRun] = await collect(
          demoAdobeClients(simulator(), sandbox).flowService.listRuns(item.v2FlowId!),
        );
        expect(firstRun?.metrics?.statusSummary?.status).toBe('success');
        expect(item.v2Records).toBeGreaterThan(0);
      }
    }
    // V1 flows the plan skipped are untouched and still running.
    const prodAfter = await flowsIn('prod');
    for (const name of ['SFMC List to AEP', 'SFMC Email to AEP']) {
      expect(prodAfter.flows.find((flow) => flow.name === name)?.state).toBe('enabled');
    }
    expect(v1Names.size).toBeGreaterThan(0);

    const listed = await waitFor(async () => {
      for await (const execution of env().client.workflow.list({
        query: `CutoverKind = 'sfmc-migration' AND TaskQueue = '${taskQueue}'`,
      })) {
        return execution;
      }
      return undefined;
    });
    expect(listed.typedSearchAttributes.get(CutoverKind)).toBe('sfmc-migration');
  });

  async function migrate(taskQueue: string, worker: Worker, sandboxes?: string[]) {
    const run = sfmcRun.fromConfig(simulatorConfig(simulator(), taskQueue), sandboxes);
    const workflowId = `${run.workflowId}/${taskQueue}`;
    const handle = await startMigrationRequest(env().client, sfmcRun, run, { taskQueue, workflowId });
    const result = await worker.runUntil(handle.result());
    await expectCleanHistory(env().client, workflowId);
    return result;
  }

  /** Every V2 object this migration made, counted per V1 dataflow it replaces. */
  async function createdPerV1(sandbox: string) {
    const { flowService } = demoAdobeClients(simulator(), sandbox);
    const tagged = async (items: AsyncIterable<{ description?: string }>) => {
      const counts = new Map<string, number>();
      for await (const item of items) {
        const v1 = /cutover:sfmc:([\w-]+)/.exec(item.description ?? '')?.[1];
        if (v1) counts.set(v1, (counts.get(v1) ?? 0) + 1);
      }
      return counts;
    };
    return {
      flows: await tagged(flowService.flows.list()),
      sources: await tagged(flowService.sourceConnections.list()),
      targets: await tagged(flowService.targetConnections.list()),
      bases: (await collect(flowService.connections.list())).filter((connection) =>
        connection.name.includes('[cutover '),
      ).length,
    };
  }

  it('completes under dropped responses, 429s, 5xx and early-expiring tokens without creating anything twice', async () => {
    const taskQueue = uniqueTaskQueue('sfmc-faults');
    simulator().faults.configure({
      seed: 7,
      modules: ['flowService', 'dataPrep', 'ims', 'sfmc'],
      dropAfterCommitRate: 0.35,
      serverErrorRate: 0.05,
      rateLimit: { requestsPerSecond: 40, burst: 15 },
      tokenLifetimeSeconds: 3,
    });
    const result = await migrate(taskQueue, await cutoverWorker(taskQueue), ['prod']);
    simulator().faults.configure({});

    expect(result.phase).toBe('completed');
    const migrated = result.items.filter((item) => item.status === 'v1-removed');
    expect(migrated).toHaveLength(2);
    const stats = simulator().faults.stats;
    const injected = Object.values(stats).reduce(
      (sum, module) => sum + module.droppedAfterCommit + module.serverErrors + module.rateLimited,
      0,
    );
    expect(injected).toBeGreaterThan(5);
    const created = await createdPerV1('prod');
    for (const item of migrated) {
      expect(created.flows.get(item.v1FlowId), `${item.name}: V2 flows`).toBe(1);
      expect(created.sources.get(item.v1FlowId), `${item.name}: V2 source connections`).toBe(1);
      expect(created.targets.get(item.v1FlowId), `${item.name}: V2 target connections`).toBe(1);
    }
    expect(created.bases).toBe(1);
  });

  it('restores V1 and removes every V2 object when the first V2 run fails', async () => {
    const taskQueue = uniqueTaskQueue('sfmc-v2-fails');
    await adminPut(simulator(), '/__admin/flow-service/settings', { failRunsOfNewFlows: 1 });
    const { flowService } = demoAdobeClients(simulator(), 'prod');
    const [pausedV1] = await collect(flowService.flows.list([where('name', '==', '"SFMC Campaign to AEP"')]));
    await flowService.disableFlow(pausedV1!.id);
    const result = await migrate(taskQueue, await cutoverWorker(taskQueue), ['prod']);

    const failed = result.items.filter((item) => item.status === 'failed');
    expect(failed.map((item) => item.name).sort()).toEqual([
      'SFMC Campaign to AEP',
      'SFMC Subscriber to AEP',
    ]);
    for (const item of failed) expect(item.reason).toMatch(/the first V2 run .* failed: CONNECTOR-2001-500/);
    const { flows } = await flowsIn('prod');
    // Each V1 is back in the state it was in: the one a person had paused stays paused.
    for (const item of failed) {
      expect(flows.find((flow) => flow.id === item.v1FlowId)?.state).toBe(
        item.v1FlowId === pausedV1!.id ? 'disabled' : 'enabled',
      );
    }
    const created = await createdPerV1('prod');
    expect([created.flows.size, created.sources.size, created.targets.size, created.bases]).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it('finishes after its worker is killed mid-run and replaced, with nothing duplicated', async () => {
    const taskQueue = uniqueTaskQueue('sfmc-kill');
    const config = simulatorConfig(simulator(), taskQueue);
    simulator().faults.configure({ latencyMs: 150 });
    const workerProcess = spawnWorkerProcess(rawConfig(taskQueue), env().address);
    const run = sfmcRun.fromConfig(config, ['prod']);
    const workflowId = `${run.workflowId}/${taskQueue}`;
    const handle = await startMigrationRequest(env().client, sfmcRun, run, { taskQueue, workflowId });
    await waitFor(
      async () =>
        (await handle.query<MigrationProgress>('progress')).items.some((item) => item.status === 'migrating'),
      { timeoutMs: 45_000, what: 'a dataflow to be mid-migration' },
    );
    await workerProcess.kill();
    simulator().faults.configure({});

    const replacement = await cutoverWorker(taskQueue, config);
    const result: MigrationProgress = await replacement.runUntil(handle.result());
    await expectCleanHistory(env().client, workflowId);
    expect(result.items.filter((item) => item.status === 'v1-removed')).toHaveLength(2);
    const created = await createdPerV1('prod');
    expect([...created.flows.values()]).toEqual([1, 1]);
    expect([...created.sources.values()]).toEqual([1, 1]);
    expect(created.bases).toBe(1);
  });

  it('attaches a second start to the running migration, and a later run skips what is done', async () => {
    const taskQueue = uniqueTaskQueue('sfmc-rerun');
    const config = simulatorConfig(simulator(), taskQueue);
    const first = await startMigration(env().client, config, sfmcRun, ['prod']);
    const again = await startMigration(env().client, config, sfmcRun, ['prod']);
    expect(again.firstExecutionRunId).toBe(first.firstExecutionRunId);
    const done: MigrationProgress = await (await cutoverWorker(taskQueue, config)).runUntil(first.result());
    expect(done.items.filter((item) => item.status === 'v1-removed')).toHaveLength(2);

    const rerun = await startMigration(env().client, config, sfmcRun, ['prod']);
    expect(rerun.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
    const second: MigrationProgress = await (await cutoverWorker(taskQueue, config)).runUntil(rerun.result());
    expect(second.items.map((item) => item.status)).toEqual(['skipped', 'skipped', 'skipped']);
    const created = await createdPerV1('prod');
    expect([...created.flows.values()]).toEqual([1, 1]);
  });
});
