import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { sfmcRunFromConfig } from '../../src/domain/sfmc/run-input';
import { CutoverKind } from '../../src/temporal/search-attributes';
import { createCutoverWorker } from '../../src/worker';
import type { SfmcMigrationProgress } from '../../src/workflows/sfmc/messages';
import { adminPut, simulatorConfig, testSecrets } from '../support/cutover-config';
import { collect, demoAdobeClients, useSimulator } from '../support/simulator';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue, workflowBundle } from '../support/worker';

const workflowsPath = path.join(__dirname, '../../src/workflows/index.ts');
const env = useTemporalEnvironment();
const simulator = useSimulator();

async function cutoverWorker(
  taskQueue: string,
  config = simulatorConfig(simulator(), taskQueue),
): Promise<Worker> {
  return createCutoverWorker({
    config,
    connection: env().nativeConnection,
    namespace: env().namespace ?? 'default',
    secrets: testSecrets(),
    workflowBundle: await workflowBundle(workflowsPath),
  });
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

describe('SFMC V1 -> V2 migration on the dev server', () => {
  it('replaces every migratable V1 dataflow of the demo seed by one verified V2 dataflow, then deletes V1', async () => {
    await adminPut(simulator(), '/__admin/flow-service/settings', { runDurationMs: 0 });
    const taskQueue = uniqueTaskQueue('sfmc-happy');
    const config = simulatorConfig(simulator(), taskQueue);
    const run = sfmcRunFromConfig(config);
    expect(run.problems).toEqual([]);
    const before = await flowsIn('prod');
    const v1Names = new Map(before.flows.map((flow) => [flow.id, flow.name]));

    const worker = await cutoverWorker(taskQueue, config);
    const result: SfmcMigrationProgress = await worker.runUntil(
      env().client.workflow.execute('sfmcMigrationWorkflow', {
        taskQueue,
        workflowId: `${run.workflowId}/${taskQueue}`,
        args: [run.input],
      }),
    );

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
});
