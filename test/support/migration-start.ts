import type { WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { marketoRunFromConfig } from '../../src/domain/marketo/run-input';
import { sfmcRunFromConfig } from '../../src/domain/sfmc/run-input';
import type { RunningSimulator } from '../../src/simulator/server';
import { progressQuery, type MigrationProgress } from '../../src/workflows/migration/messages';
import { simulatorConfig } from './cutover-config';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cutoverTestWorker } from './cutover-worker';
import { waitFor } from './wait-for';

const KINDS = {
  sfmc: { workflowType: 'sfmcMigrationWorkflow', runFromConfig: sfmcRunFromConfig },
  marketo: { workflowType: 'marketoMigrationWorkflow', runFromConfig: marketoRunFromConfig },
} as const;

/**
 * A worker and a started migration of the given kind on a test server, without
 * search attributes (the time-skipping server has none).
 */
export async function startMigrationRun(
  kind: keyof typeof KINDS,
  env: TestWorkflowEnvironment,
  simulator: RunningSimulator,
  taskQueue: string,
  sandboxes: Parameters<typeof simulatorConfig>[2],
) {
  const config = simulatorConfig(simulator, taskQueue, sandboxes);
  const worker: Worker = await cutoverTestWorker(env, config);
  const run = KINDS[kind].runFromConfig(config);
  const handle: WorkflowHandle<(input: unknown) => Promise<MigrationProgress>> =
    await env.client.workflow.start(KINDS[kind].workflowType, {
      taskQueue,
      workflowId: `${run.workflowId}/${taskQueue}`,
      args: [{ ...run.input, useSearchAttributes: false }],
    });
  return { worker, handle };
}

export const awaitingApproval = (handle: WorkflowHandle) =>
  waitFor(
    async () => {
      const progress = await handle.query(progressQuery);
      return progress.phase === 'awaiting-approval' ? progress : undefined;
    },
    { timeoutMs: 30_000, what: 'the approval gate' },
  );
