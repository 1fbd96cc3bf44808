import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { expect } from 'vitest';
import { findSecrets, historyTexts } from './history';
import { workflowBundle } from './worker';

const workflowsPath = path.join(__dirname, '../../src/workflows/index.ts');

/**
 * A finished run and every child it started: each history replays against
 * the current workflow code, and none holds a test secret in any spelling,
 * in any decoded payload or text.
 */
export async function expectCleanHistory(client: Client, workflowId: string): Promise<void> {
  const pending = [workflowId];
  const bundle = await workflowBundle(workflowsPath);
  while (pending.length) {
    const id = pending.shift()!;
    const history = await client.workflow.getHandle(id).fetchHistory();
    for (const event of history.events ?? []) {
      const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
      if (child) pending.push(child);
    }
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, id);
    expect(findSecrets(historyTexts(history)), `secrets in the history of ${id}`).toEqual([]);
  }
}
