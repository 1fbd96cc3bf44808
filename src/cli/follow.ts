import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { QueryDefinition } from '@temporalio/common';
import { CliFailure, EXIT } from './errors';
import { retryingSteps } from './retrying-steps';

/** How often (in polls) following looks for steps being retried: a describe per running workflow. */
const RETRY_LOOK_EVERY_POLLS = 5;

/**
 * Prints a line whenever `describe(progress)` changes, until the workflow
 * ends (its result) or Ctrl-C detaches (undefined; the run continues).
 */
export async function followWorkflow<P>(
  client: Client,
  workflowId: string,
  query: QueryDefinition<P>,
  describe: ((progress: P) => string) | { update(progress: P): void; stop(): void },
  pollMs = 1_000,
): Promise<P | undefined> {
  const view = typeof describe === 'function' ? lineView(describe) : describe;
  const handle = client.workflow.getHandle(workflowId);
  let detached = false;
  const detach = () => (detached = true);
  process.once('SIGINT', detach);
  try {
    const finished = handle.result().then(
      (result: P) => ({ result }),
      (error: Error) => ({ error }),
    );
    let polls = 0;
    let retrying = '';
    while (!detached) {
      const done = await Promise.race([finished, delay(pollMs).then(() => undefined)]);
      if (done) {
        if ('error' in done) throw done.error;
        return done.result;
      }
      const progress = await handle.query(query).catch(() => undefined);
      if (progress) view.update(progress);
      // A step a remote keeps refusing moves no progress; it shows here while it is retried.
      if (++polls % RETRY_LOOK_EVERY_POLLS === 0) {
        const lines = (await retryingSteps(client, workflowId).catch(() => [])).join('\n');
        if (lines && lines !== retrying) console.log(lines);
        retrying = lines;
      }
    }
    view.stop();
    console.log(`Detached; the run continues in Temporal (workflow ${workflowId}).`);
    return undefined;
  } finally {
    view.stop();
    process.off('SIGINT', detach);
  }
}

/** A line whenever `describe` says something new. */
function lineView<P>(describe: (progress: P) => string) {
  let last = '';
  return {
    update(progress: P) {
      const line = describe(progress);
      if (line === last) return;
      console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
      last = line;
    },
    stop: () => undefined,
  };
}

/**
 * Why a closed workflow failed, from its last history event: the failure's
 * message and those of its causes, outermost first. Undefined when it did not fail.
 */
export async function failureReason(client: Client, workflowId: string): Promise<string | undefined> {
  // Only the close event: a large run's whole history would not fit in one answer.
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId },
    historyEventFilterType:
      temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
    waitNewEvent: false,
  });
  const last = history?.events?.[history.events.length - 1];
  // Decoded: failure messages are encrypted payloads (src/codec/failure-converter.ts).
  let failure: Error | undefined = await decodeOptionalFailureToOptionalError(
    client.options.loadedDataConverter,
    last?.workflowExecutionFailedEventAttributes?.failure,
  );
  const reasons: string[] = [];
  while (failure) {
    const { message } = failure;
    if (message && !reasons.some((reason) => reason.includes(message))) reasons.push(message);
    failure = failure.cause instanceof Error ? failure.cause : undefined;
  }
  if (last?.workflowExecutionTimedOutEventAttributes) reasons.push('the run timed out');
  if (last?.workflowExecutionTerminatedEventAttributes)
    reasons.push(
      `terminated: ${last.workflowExecutionTerminatedEventAttributes.reason ?? 'no reason given'}`,
    );
  return reasons.length ? reasons.join(': ') : undefined;
}

/**
 * For an update (approve, reject, confirm) refused because its workflow is
 * gone: whether the run simply ended, said as such instead of "not found".
 */
export async function endedRunFailure(client: Client, workflowId: string): Promise<Error | undefined> {
  const description = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch(() => undefined);
  if (!description || description.status.name === 'RUNNING') return undefined;
  return new CliFailure(
    `The run ${workflowId} has already ended (${description.status.name}): there is nothing left to approve, reject or confirm.`,
    EXIT.fixInput,
  );
}
