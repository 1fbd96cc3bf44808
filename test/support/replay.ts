import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from './worker';

const workflowsPath = path.join(__dirname, '../../src/workflows/index.ts');

/** Replays a finished run's history against the current workflow code; throws on non-determinism. */
export async function replayHistoryOf(handle: WorkflowHandle, runId?: string): Promise<void> {
  const history = await handle.client.getHandle(handle.workflowId, runId).fetchHistory();
  await Worker.runReplayHistory(
    { workflowBundle: await workflowBundle(workflowsPath) },
    history,
    handle.workflowId,
  );
}
