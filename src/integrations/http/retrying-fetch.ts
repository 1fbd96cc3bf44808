import { setTimeout as delay } from 'node:timers/promises';
import { parseRetryAfter } from './retry-after';

export interface InPlaceRetryPolicy {
  /** 429s waited out, each for its Retry-After when that is at most `maxWaitMs`. */
  rateLimited: number;
  /** Network errors and 5xx answers to GETs, retried after `readBackoffMs` x attempt. */
  transientReads: number;
  maxWaitMs: number;
  readBackoffMs: number;
}

export const DEFAULT_IN_PLACE_RETRIES: InPlaceRetryPolicy = {
  rateLimited: 5,
  transientReads: 2,
  maxWaitMs: 30_000,
  readBackoffMs: 200,
};

/**
 * A fetch that absorbs short throttling and flaky reads, so an activity making
 * many calls is not restarted from scratch by each one. A 429 means the
 * request was not processed, so any method may be repeated; other failures
 * are repeated only for GETs. Writes reach Temporal's retries, and activities
 * find what an earlier attempt created before creating anything.
 */
export function retryingFetch(
  base: typeof fetch = fetch,
  policy: InPlaceRetryPolicy = DEFAULT_IN_PLACE_RETRIES,
): typeof fetch {
  return async (input, init) => {
    const isRead = (init?.method ?? 'GET').toUpperCase() === 'GET';
    let rateLimited = 0;
    let transient = 0;
    for (;;) {
      let response: Response;
      try {
        response = await base(input, init);
      } catch (error) {
        if (!isRead || transient >= policy.transientReads) throw error;
        transient += 1;
        await delay(policy.readBackoffMs * transient);
        continue;
      }
      if (response.status === 429 && rateLimited < policy.rateLimited) {
        const wait = parseRetryAfter(response.headers.get('retry-after')) ?? 1_000;
        if (wait <= policy.maxWaitMs) {
          rateLimited += 1;
          await response.body?.cancel();
          await delay(wait);
          continue;
        }
      }
      if (response.status >= 500 && isRead && transient < policy.transientReads) {
        transient += 1;
        await response.body?.cancel();
        await delay(policy.readBackoffMs * transient);
        continue;
      }
      return response;
    }
  };
}
