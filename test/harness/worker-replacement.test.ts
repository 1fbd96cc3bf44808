import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHarnessActivities, SideEffectLedger } from '../fixtures/harness-activities';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { createTestWorker, uniqueTaskQueue } from '../support/worker';
import { threeStepWorkflow } from '../fixtures/harness-workflows';

const workflowsPath = path.join(__dirname, '../fixtures/harness-workflows.ts');

describe('a worker replaced mid-workflow', () => {
  const env = useTemporalEnvironment();

  it('lets a new worker finish the workflow with every side effect applied once', async () => {
    const ledger = new SideEffectLedger();
    const taskQueue = uniqueTaskQueue('harness-replace');
    const workflowId = `replace-${taskQueue}`;
    const workerOptions = {
      connection: env().nativeConnection,
      taskQueue,
      workflowsPath,
      activities: createHarnessActivities(ledger),
      // The first worker's sticky cache must not hold tasks back from its replacement.
      stickyQueueScheduleToStartTimeout: '1 second',
    } as const;

    const first = await createTestWorker({ ...workerOptions, shutdownGraceTime: 0 });
    const firstRun = first.run();
    const handle = await env().client.workflow.start(threeStepWorkflow, { taskQueue, workflowId });
    await waitFor(() => ledger.attempts.get(`${workflowId}:second`) === 1, {
      what: 'the gated step to start',
    });

    first.shutdown();
    await firstRun;
    expect(ledger.applied.get(`${workflowId}:first`)).toBe(1);
    expect(ledger.applied.has(`${workflowId}:second`)).toBe(false);

    const second = await createTestWorker(workerOptions);
    ledger.gate(`${workflowId}:second`).release();
    const gatedAttempt = await second.runUntil(handle.result());

    expect(gatedAttempt).toBeGreaterThanOrEqual(2);
    expect(ledger.attempts.get(`${workflowId}:first`)).toBe(1);
    expect(ledger.applied.get(`${workflowId}:first`)).toBe(1);
    expect(ledger.applied.get(`${workflowId}:second`)).toBe(1);
    expect(ledger.applied.get(`${workflowId}:third`)).toBe(1);
  });
});
