import { heartbeat } from './heartbeat';
import { wrapEach, type AsyncFunction } from './wrap-each';

const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Keeps every activity heartbeating while it runs, so Temporal notices a
 * killed worker within the heartbeat timeout (not the much longer
 * start-to-close timeout) and can deliver cancellations.
 */
export function withLiveness<T extends Record<string, AsyncFunction>>(activities: T): T {
  return wrapEach(activities, async (run) => {
    heartbeat();
    const timer = setInterval(() => heartbeat(), HEARTBEAT_EVERY_MS);
    try {
      return await run();
    } finally {
      clearInterval(timer);
    }
  });
}
