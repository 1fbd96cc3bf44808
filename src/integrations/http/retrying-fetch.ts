import { setTimeout as delay } from 'node:timers/promises';
import { backoffMs, type Backoff } from './backoff';
import { parseRetryAfter } from './retry-after';

export interface InPlaceRetryPolicy extends Backoff {
  /** Tries of an idempotent request after a network error or a 5xx, the first one included. */
  attempts: number;
  /** 429s waited out, whatever the method: a throttled request was not processed. */
  rateLimited: number;
  /** A Retry-After longer than this is left to Temporal's retry (and its nextRetryDelay). */
  maxWaitMs: number;
}

export const DEFAULT_IN_PLACE_RETRIES: InPlaceRetryPolicy = {
  attempts: 6,
  rateLimited: 8,
  maxWaitMs: 30_000,
  initialMs: 250,
  maxMs: 8_000,
  coefficient: 2,
};

function headerOf(init: RequestInit | undefined, name: string): string | undefined {
  const headers = init?.headers;
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  if (Array.isArray(headers)) return headers.find(([key]) => key?.toLowerCase() === name)?.[1];
  const record = headers as Record<string, string>;
  return Object.entries(record).find(([key]) => key.toLowerCase() === name)?.[1];
}

/**
 * Whether repeating a request whose answer was lost cannot change anything a
 * second time: reads, deletes (a second one finds nothing), and patches
 * guarded by If-Match (a second one meets a 412 once the first applied).
 * Creates are not: activities find what an earlier attempt made instead
 * (though any request answered 429 or 503 may be repeated: it was not handled).
 */
export function isIdempotent(init: RequestInit | undefined): boolean {
  const method = (init?.method ?? 'GET').toUpperCase();
  if (['GET', 'HEAD', 'DELETE', 'PUT', 'OPTIONS'].includes(method)) return true;
  return method === 'PATCH' && headerOf(init, 'if-match') !== undefined;
}

export interface RetryingFetchOptions {
  policy?: InPlaceRetryPolicy;
  sleep?: (ms: number) => Promise<unknown>;
  random?: () => number;
  /** Told about every answer the remote API throttled, e.g. to count them. */
  onRateLimited?: (url: string) => void;
}

/**
 * A fetch that absorbs throttling and flaky answers in place, so a lost answer
 * costs one more call instead of a whole activity (and a batch activity does
 * not start over). Waits grow exponentially with jitter; a Retry-After is a
 * floor under the wait, never a replacement for it.
 */
export function retryingFetch(base: typeof fetch = fetch, options: RetryingFetchOptions = {}): typeof fetch {
  const policy = options.policy ?? DEFAULT_IN_PLACE_RETRIES;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const random = options.random ?? Math.random;
  return async (input, init) => {
    const idempotent = isIdempotent(init);
    let rateLimited = 0;
    let transient = 0;
    for (;;) {
      let response: Response;
      try {
        response = await base(input, init);
      } catch (error) {
        // A caller's own deadline or cancellation is not a flaky network.
        if (!idempotent || init?.signal?.aborted || transient + 1 >= policy.attempts) throw error;
        transient += 1;
        await sleep(backoffMs(policy, transient, random));
        continue;
      }
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (response.status === 429) {
        options.onRateLimited?.(String(input instanceof Request ? input.url : input));
        if (rateLimited < policy.rateLimited && (retryAfter ?? 0) <= policy.maxWaitMs) {
          rateLimited += 1;
          await response.body?.cancel();
          await sleep(Math.max(retryAfter ?? 0, backoffMs(policy, rateLimited, random)));
          continue;
        }
      }
      // A 503 says the server did not handle the request (RFC 9110), so even a create may be repeated.
      const repeatable = idempotent || response.status === 503;
      if (response.status >= 500 && repeatable && transient + 1 < policy.attempts) {
        if ((retryAfter ?? 0) <= policy.maxWaitMs) {
          transient += 1;
          await response.body?.cancel();
          await sleep(Math.max(retryAfter ?? 0, backoffMs(policy, transient, random)));
          continue;
        }
      }
      return response;
    }
  };
}
