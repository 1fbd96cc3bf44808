import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ItemProgress } from '../src/workflows/migration/messages';
import { sandboxRunId } from '../src/workflows/migration/steps';

/** Events of a history, a few at a time: a page of a large run's history (children's inputs) passes 4 MB. */
async function eventCount(client: Client, workflowId: string): Promise<number> {
  let count = 0;
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId },
      maximumPageSize: 20,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    count += page.history?.events?.length ?? 0;
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return count;
}

/** The size of the run's result as stored (encoded), against the 2 MB Temporal refuses a payload past. */
async function resultBytes(client: Client, workflowId: string): Promise<number> {
  const page = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId },
    historyEventFilterType:
      temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  });
  const result = page.history?.events?.[0]?.workflowExecutionCompletedEventAttributes?.result?.payloads ?? [];
  return result.reduce((sum, payload) => sum + (payload.data?.length ?? 0), 0);
}

const WATCHING = new Set(['firstRunOutcome', 'marketoActivationOutcome']);

/** Children read to estimate the child share; their histories differ little (same saga). */
const CHILDREN_SAMPLED = 10;

/** Temporal warns about a history past this many events (and refuses one past 51,200). */
export const HISTORY_WARNING_EVENTS = 10_240;

/**
 * History events per migrated dataflow: its saga's (averaged over a sample)
 * plus its share of the run's and of its sandbox's; the run's total, the
 * largest sandbox's and the largest history seen, against Temporal's warning.
 */
export async function historyFigures(
  client: Client,
  workflowId: string,
  migrated: ItemProgress[],
  firstRunSettledAt: (v2FlowId: string) => number | undefined,
) {
  const parent = await eventCount(client, workflowId);
  const sandboxes = await Promise.all(
    [...new Set(migrated.map((item) => item.sandbox))].map((sandbox) =>
      eventCount(client, sandboxRunId(workflowId, sandbox)),
    ),
  );
  const sandboxTotal = sandboxes.reduce((sum, events) => sum + events, 0);
  const step = Math.max(1, Math.floor(migrated.length / CHILDREN_SAMPLED));
  const sampled = migrated.filter((_, index) => index % step === 0).slice(0, CHILDREN_SAMPLED);
  const histories = await Promise.all(
    sampled.map(async (item) => ({
      item,
      events: (await client.workflow.getHandle(`${workflowId}/${item.v1FlowId}`).fetchHistory()).events ?? [],
    })),
  );
  const children = histories.map(({ events }) => events.length);
  // How late the watcher saw each sampled first run settle: its last watching activity's end, minus the run's end.
  const lags = histories.flatMap(({ item, events }) => {
    const settled = item.v2FlowId ? firstRunSettledAt(item.v2FlowId) : undefined;
    const watching = new Set(
      events
        .filter((event) => WATCHING.has(event.activityTaskScheduledEventAttributes?.activityType?.name ?? ''))
        .map((event) => String(event.eventId)),
    );
    const done = events
      .filter((event) => watching.has(String(event.activityTaskCompletedEventAttributes?.scheduledEventId)))
      .at(-1);
    const started = events.find(
      (event) =>
        String(event.activityTaskStartedEventAttributes?.scheduledEventId) ===
        String(done?.activityTaskCompletedEventAttributes?.scheduledEventId),
    );
    const at = (event: typeof done) =>
      event?.eventTime
        ? Number(event.eventTime.seconds) * 1000 + (event.eventTime.nanos ?? 0) / 1e6
        : undefined;
    const seenAt = at(done);
    // Counted from when the run settled or the watch began, whichever was later: a run done before
    // its item got to the watch (its creates still queued at the rate limit) is not the watcher's delay.
    const from = Math.max(settled ?? 0, at(started) ?? 0);
    return settled !== undefined && seenAt !== undefined ? [(seenAt - from) / 1000] : [];
  });
  const childMean = children.reduce((sum, events) => sum + events, 0) / Math.max(1, children.length);
  const parentShare = parent / Math.max(1, migrated.length);
  const sandboxShare = sandboxTotal / Math.max(1, migrated.length);
  return {
    historyEventsPerMigratedDataflow: Number((childMean + sandboxShare + parentShare).toFixed(1)),
    childEventsMean: Number(childMean.toFixed(1)),
    sandboxEventsPerDataflow: Number(sandboxShare.toFixed(1)),
    parentEventsPerDataflow: Number(parentShare.toFixed(1)),
    parentHistoryEvents: parent,
    largestSandboxHistoryEvents: Math.max(0, ...sandboxes),
    largestHistoryEvents: Math.max(parent, ...sandboxes, ...children),
    historyWarningEvents: HISTORY_WARNING_EVENTS,
    runResultKb: Math.round((await resultBytes(client, workflowId)) / 1024),
    firstRunSeenLateSeconds: lags.length
      ? {
          mean: Number((lags.reduce((a, b) => a + b, 0) / lags.length).toFixed(1)),
          max: Number(Math.max(...lags).toFixed(1)),
        }
      : 'not measured',
  };
}
