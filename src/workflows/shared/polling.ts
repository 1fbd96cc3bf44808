import { sleep } from '@temporalio/workflow';

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
