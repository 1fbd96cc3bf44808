import { heartbeat } from './heartbeat';

const HEARTBEAT_EVERY_MS = 2_000;

type AsyncFunction = (...args: never[]) => Promise<unknown>;

/**
 * Keeps every activity heartbeating while it runs, so Temporal notices a
 * killed worker within the heartbeat timeout (not the much longer
 * start-to-close timeout) and can deliver cancellations.
 */
export function withLiveness<T extends Record<string, AsyncFunction>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [
      name,
      async (...args: never[]) => {
        heartbeat();
        const timer = setInterval(() => heartbeat(), HEARTBEAT_EVERY_MS);
        try {
          return await activity(...args);
        } finally {
          clearInterval(timer);
        }
      },
    ]),
  ) as T;
}
