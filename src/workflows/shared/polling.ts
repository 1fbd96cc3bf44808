import { sleep } from '@temporalio/workflow';
import { timeWaitingForApis } from './outage';

const FIRST_POLL = 2_000;
const MAX_POLL = 5 * 60_000;

/**
 * Reads until the outcome is no longer pending or the deadline passes, with
 * durable timers in between (doubling up to five minutes), so a long wait
 * holds no worker slot and costs a few events per poll.
 */
export async function pollUntilSettled<T extends { state: string }>(
  read: () => Promise<T>,
  timeoutMs: number,
  summary: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = FIRST_POLL;
  for (;;) {
    const outcome = await read();
    if (outcome.state !== 'pending') return outcome;
    if (Date.now() + delay > deadline) return outcome;
    await sleep(delay, { summary });
    delay = Math.min(delay * 2, MAX_POLL);
  }
}

/** How long one watching activity waits before the workflow asks again (and checks its own deadline). */
export const WATCH_SLICE_MS = 5 * 60_000;

/**
 * Asks a watching activity, which waits inside the worker until the outcome
 * settles or the given time, again and again until the outcome settles or
 * the deadline passes: a few events per ask, however often the worker looks.
 * Time spent waiting for an API to answer again does not count: an outage
 * must not make a healthy first run look too slow.
 */
export async function watchUntilSettled<T extends { state: string }>(
  watch: (slice: { waitedMs: number; maxWaitMs: number }) => Promise<T>,
  timeoutMs: number,
): Promise<T> {
  const since = Date.now();
  const pausedBefore = timeWaitingForApis();
  const deadline = () => since + timeoutMs + (timeWaitingForApis() - pausedBefore);
  for (;;) {
    const now = Date.now();
    const outcome = await watch({
      waitedMs: now - since,
      maxWaitMs: Math.min(deadline() - now, WATCH_SLICE_MS),
    });
    if (outcome.state !== 'pending' || Date.now() >= deadline()) return outcome;
  }
}
