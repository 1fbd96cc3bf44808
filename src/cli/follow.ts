import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';

/**
 * Prints a line whenever `describe(progress)` changes, until the workflow
 * ends (its result) or Ctrl-C detaches (undefined; the run continues).
 */
export async function followWorkflow<P>(
  client: Client,
  workflowId: string,
  query: QueryDefinition<P>,
  describe: (progress: P) => string,
  pollMs = 1_000,
): Promise<P | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  let detached = false;
  const detach = () => (detached = true);
  process.once('SIGINT', detach);
  let last = '';
  try {
    const finished = handle.result().then(
      (result: P) => ({ result }),
      (error: Error) => ({ error }),
    );
    while (!detached) {
      const done = await Promise.race([finished, delay(pollMs).then(() => undefined)]);
      if (done) {
        if ('error' in done) throw done.error;
        return done.result;
      }
      const progress = await handle.query(query).catch(() => undefined);
      if (!progress) continue;
      const line = describe(progress);
      if (line !== last) {
        console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
        last = line;
      }
    }
    console.log(`Detached; the run continues in Temporal (workflow ${workflowId}).`);
    return undefined;
  } finally {
    process.off('SIGINT', detach);
  }
}
