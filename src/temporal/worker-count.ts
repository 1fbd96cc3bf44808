import { temporal } from '@temporalio/proto';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { NativeConnection } from '@temporalio/worker';

/** A poller idle longer than this has gone (a worker long-polls for about a minute at most). */
const POLLER_SEEN_WITHIN_MS = 90_000;
const RECOUNT_EVERY_MS = 10_000;

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
 * Tells `onCount` how many workers share the task queue, now and every ten
 * seconds, until `stopped()` says so; a failed count keeps the last one. A
 * worker that was killed still counts until its poller ages out, which only
 * slows the others for a minute, never pushes them past the shared limit.
 */
export function watchActivityWorkers(
  connection: Pick<NativeConnection, 'workflowService'>,
  worker: { namespace: string; taskQueue: string; identity: string },
  onCount: (workers: number) => void,
  stopped: () => boolean,
): void {
  const timer = setInterval(() => void recount(), RECOUNT_EVERY_MS);
  timer.unref();
  const recount = async () => {
    if (stopped()) {
      clearInterval(timer);
      return;
    }
    await activityWorkersOn(connection, worker.namespace, worker.taskQueue, worker.identity).then(
      onCount,
      () => undefined,
    );
  };
  void recount();
}
