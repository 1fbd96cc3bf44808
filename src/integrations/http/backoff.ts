/** Exponential backoff: `initialMs`, then x `coefficient` per retry, capped at `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  coefficient: number;
}

/**
 * The wait before retry number `retry` (1-based), with "equal jitter": half
 * the exponential step for sure, the other half at random, so callers that
 * failed together do not come back together.
 */
export function backoffMs(backoff: Backoff, retry: number, random: () => number = Math.random): number {
  const step = Math.min(backoff.maxMs, backoff.initialMs * backoff.coefficient ** Math.max(0, retry - 1));
  return Math.round(step / 2 + (step / 2) * random());
}
