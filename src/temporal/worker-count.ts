import { temporal } from '@temporalio/proto';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { NativeConnection } from '@temporalio/worker';

/** A poller idle longer than this has gone (a worker long-polls for about a minute at most). */
const POLLER_SEEN_WITHIN_MS = 90_000;
const RECOUNT_EVERY_MS = 10_000;
/**
 * Workers started together (a deploy, compose replicas) each count before the
 * others poll, and would each take the whole limit until the next count: in
 * its first half minute a worker recounts every second.
 */
const STARTING_FOR_MS = 30_000;
const STARTING_RECOUNT_EVERY_MS = 1_000;

/**
 * How many worker processes poll the task queue for activities, as the
 * Temporal server sees them, this one counted even before its first poll.
 */
export async function activityWorkersOn(
  connection: Pick<NativeConnection, 'workflowService'>,
  namespace: string,
  taskQueue: string,
  ownIdentity: string,
  now = Date.now(),
): Promise<number> {
  const { pollers } = await connection.workflowService.describeTaskQueue({
    namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  const live = new Set([ownIdentity]);
  for (const poller of pollers ?? []) {
    const seen = optionalTsToMs(poller.lastAccessTime);
    if (poller.identity && (seen === undefined || now - seen <= POLLER_SEEN_WITHIN_MS))
      live.add(poller.identity);
  }
  return live.size;
}

/**
 * The workers to share among: the most counted within the poller window.
 * A count can drop for no worker leaving: a restarted Temporal server (its
 * matching service) has forgotten every poller until each polls again, and
 * each worker recounts on its own clock; taking the drop at once would let
 * every worker take the whole limit for a while. A worker that truly left is
 * gone from the counts within the window, so its share comes back then.
 */
export class WorkerCountWindow {
  private readonly counts: Array<{ at: number; workers: number }> = [];

  constructor(private readonly windowMs = POLLER_SEEN_WITHIN_MS) {}

  observe(workers: number, now = Date.now()): number {
    this.counts.push({ at: now, workers });
    while (this.counts[0]!.at < now - this.windowMs) this.counts.shift();
    return Math.max(...this.counts.map((count) => count.workers));
  }
}

/**
 * Tells `onCount` how many workers share the task queue, now and every ten
 * seconds (every second while starting), until `stopped()` says so; a failed
 * count keeps the last one. A worker that was killed still counts until its
 * poller ages out, which only slows the others for a minute or two, never
 * pushes them past the shared limit.
 */
export function watchActivityWorkers(
  connection: Pick<NativeConnection, 'workflowService'>,
  worker: { namespace: string; taskQueue: string; identity: string },
  onCount: (workers: number) => void,
  stopped: () => boolean,
): void {
  const window = new WorkerCountWindow();
  const startedAt = Date.now();
  const recount = async () => {
    if (stopped()) return;
    await activityWorkersOn(connection, worker.namespace, worker.taskQueue, worker.identity).then(
      (workers) => onCount(window.observe(workers)),
      () => undefined,
    );
    const starting = Date.now() - startedAt < STARTING_FOR_MS;
    setTimeout(() => void recount(), starting ? STARTING_RECOUNT_EVERY_MS : RECOUNT_EVERY_MS).unref();
  };
  void recount();
}
