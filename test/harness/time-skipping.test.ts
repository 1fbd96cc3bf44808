import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHarnessActivities, SideEffectLedger } from '../fixtures/harness-activities';
import { timeSkippingEnvironment, useTemporalEnvironment } from '../support/temporal-env';
import { uniqueTaskQueue, withWorker } from '../support/worker';
import { durableTimerWorkflow } from '../fixtures/harness-workflows';

const workflowsPath = path.join(__dirname, '../fixtures/harness-workflows.ts');
const TEN_MINUTES_MS = 10 * 60 * 1000;

describe('the time-skipping test server', () => {
  const env = useTemporalEnvironment(timeSkippingEnvironment);

  it('fires a ten-minute durable timer by skipping server time, not by waiting', async () => {
    const taskQueue = uniqueTaskQueue('harness-timer');
    const serverTimeBefore = await env().currentTimeMs();
    const wallBefore = Date.now();

    const { startedAt, finishedAt } = await withWorker(
      {
        connection: env().nativeConnection,
        taskQueue,
        workflowsPath,
        activities: createHarnessActivities(new SideEffectLedger()),
      },
      () =>
        env().client.workflow.execute(durableTimerWorkflow, {
          taskQueue,
          workflowId: `timer-${taskQueue}`,
        }),
    );

    expect(finishedAt - startedAt).toBeGreaterThanOrEqual(TEN_MINUTES_MS);
    expect((await env().currentTimeMs()) - serverTimeBefore).toBeGreaterThanOrEqual(TEN_MINUTES_MS);
    // Wall time is far below the timer's length: the server skipped ahead.
    expect(Date.now() - wallBefore).toBeLessThan(TEN_MINUTES_MS / 10);
  });
});
