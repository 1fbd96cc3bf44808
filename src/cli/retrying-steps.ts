import type { Client } from '@temporalio/client';
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';

/** The children a run's step list looks into: enough for every sandbox of a large run's first batch. */
const CHILDREN_LOOKED_AT = 20;

/**
 * The steps of a run (and of its running children) that are failing and
 * being retried, one line each, with the last failure read through this
 * config's codec: what a person needs to see within a minute when a remote
 * keeps refusing, since the run's own progress only moves once a step ends.
 */
export async function retryingSteps(client: Client, workflowId: string): Promise<string[]> {
  const ids = [workflowId];
  try {
    for await (const child of client.workflow.list({
      query: `ParentWorkflowId = '${workflowId.replace(/'/g, "\\'")}' AND ExecutionStatus = 'Running'`,
    })) {
      ids.push(child.workflowId);
      if (ids.length > CHILDREN_LOOKED_AT) break;
    }
  } catch {
    // Without visibility (a bare test server) the run's own steps still show.
  }
  const lines: string[] = [];
  for (const id of ids) {
    const description = await client.workflow
      .getHandle(id)
      .describe()
      .catch(() => undefined);
    for (const pending of description?.raw.pendingActivities ?? []) {
      if ((pending.attempt ?? 1) < 2 || !pending.lastFailure) continue;
      const failure = await decodeOptionalFailureToOptionalError(
        client.options.loadedDataConverter,
        pending.lastFailure,
      );
      const where = id === workflowId ? '' : ` in ${id}`;
      lines.push(
        `retrying ${pending.activityType?.name ?? 'a step'}${where} (attempt ${pending.attempt}): ${failure?.message ?? 'no message'}`,
      );
    }
  }
  return lines;
}
