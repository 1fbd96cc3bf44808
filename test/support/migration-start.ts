import type { WorkflowHandle } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { marketoRun, sfmcRun } from '../../src/runs';
import { startMigrationRequest, type MigrationRunKind } from '../../src/runs/migration';
import type { RunningSimulator } from '../../src/simulator/server';
import { progressQuery } from '../../src/workflows/migration/messages';
import { simulatorConfig } from './cutover-config';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { cutoverTestWorker } from './cutover-worker';
import { waitFor } from './wait-for';

const RUNS: Record<'sfmc' | 'marketo', MigrationRunKind> = { sfmc: sfmcRun, marketo: marketoRun };

/**
 * A worker and a started migration of the given kind on a test server, without
 * search attributes (the time-skipping server has none).
 */
export async function startMigrationRun(
  kind: keyof typeof RUNS,
  env: TestWorkflowEnvironment,
  simulator: RunningSimulator,
  taskQueue: string,
  sandboxes: Parameters<typeof simulatorConfig>[2],
) {
  const config = simulatorConfig(simulator, taskQueue, sandboxes);
  const worker: Worker = await cutoverTestWorker(env, config);
  const request = RUNS[kind].fromConfig(config);
  const handle = await startMigrationRequest(env.client, RUNS[kind], request, {
    taskQueue,
    workflowId: `${request.workflowId}/${taskQueue}`,
    useSearchAttributes: false,
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

/**
 * The result of a run once it has closed, waited for without letting the
 * time-skipping server skip. Waiting with `handle.result()` lets it skip
 * whenever nothing is in flight, and a run that waits on a condition with no
 * timer (the approval gate) has one timer left: Temporal's ten-year default
 * run timeout. In the instant between a cancel or a decision and the work it
 * starts, the server skipped there and the run ended TIMED_OUT. Only for runs
 * with no durable timer left to skip.
 */
export async function resultOnceClosed<T>(handle: WorkflowHandle<() => Promise<T>>): Promise<T> {
  await waitFor(async () => ((await handle.describe()).status.name === 'RUNNING' ? undefined : true), {
    timeoutMs: 50_000,
    intervalMs: 100,
    what: `${handle.workflowId} to close`,
  });
  return handle.result();
}
