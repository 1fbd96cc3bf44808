import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CutoverKind, CutoverPhase } from '../../src/visibility/search-attributes';
import { createHarnessActivities, SideEffectLedger } from '../fixtures/harness-activities';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue, withWorker } from '../support/worker';
import { retriedActivityWorkflow } from '../fixtures/harness-workflows';

const workflowsPath = path.join(__dirname, '../fixtures/harness-workflows.ts');

describe('the shared dev server', () => {
  const env = useTemporalEnvironment();

  it('completes a workflow whose activity is retried, and lists it by its search attributes', async () => {
    const ledger = new SideEffectLedger();
    const taskQueue = uniqueTaskQueue('harness-retry');
    const workflowId = `harness-retry-${randomUUID()}`;
    const phase = `phase-${randomUUID()}`;

    const attempt = await withWorker(
      {
        connection: env().nativeConnection,
        taskQueue,
        workflowsPath,
        activities: createHarnessActivities(ledger),
      },
      () =>
        env().client.workflow.execute(retriedActivityWorkflow, {
          taskQueue,
          workflowId,
          args: [2],
          typedSearchAttributes: [
            { key: CutoverKind, value: 'harness' },
            { key: CutoverPhase, value: phase },
          ],
        }),
    );

    expect(attempt).toBe(3);
    expect(ledger.applied.get(`${workflowId}:flaky`)).toBe(1);

    const listed = await waitFor(
      async () => {
        for await (const execution of env().client.workflow.list({
          query: `CutoverKind = 'harness' AND CutoverPhase = '${phase}'`,
        })) {
          return execution;
        }
        return undefined;
      },
      { what: 'the workflow to appear in visibility' },
    );
    expect(listed.workflowId).toBe(workflowId);
    expect(listed.status.name).toBe('COMPLETED');
    expect(listed.typedSearchAttributes.get(CutoverKind)).toBe('harness');
    expect(listed.typedSearchAttributes.get(CutoverPhase)).toBe(phase);
  });
});
