/**
 * The rate limiter keeps this process inside its share of a remote API's
 * limit: calls are spaced at 1/rate once the burst is spent, a worker count
 * divides the rate, the burst and the concurrency, and a JSON client holds a
 * slot for exactly as long as its call is out, failures included, its
 * timeout starting only once the call is sent.
 */
import { describe, expect, it, vi } from 'vitest';
import { JsonHttpClient } from '../../src/integrations/http/json-http-client';
import { RateLimiter, type RateLimit } from '../../src/integrations/http/rate-limiter';

/** A clock that only moves when the limiter sleeps, so every wait is exact and instant. */
function fakeClock() {
  const clock = {
    time: 0,
    slept: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

function limiterOn(limit: RateLimit) {
  const clock = fakeClock();
  return { clock, limiter: new RateLimiter(limit, clock.now, clock.sleep) };
}

/** One call after another, each released at once: when each was let through. */
async function sendTimes(limiter: RateLimiter, clock: { now(): number }, calls: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const release = await limiter.acquire();
    times.push(clock.now());
    release();
  }
  return times;
}

/** The most calls in any window of `windowMs` (a busiest window always starts at a call). */
function busiest(times: number[], windowMs: number): number {
  return Math.max(...times.map((start) => times.filter((t) => t >= start && t <= start + windowMs).length));
}

/** Lets every promise that can settle do so, without any time passing. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function tracked<T>(promise: Promise<T>) {
  const state = { done: false, value: undefined as T | undefined };
  void promise.then((value) => {
    state.done = true;
    state.value = value;
  });
  return state;
}

describe('RateLimiter pacing', () => {
  it('lets the burst go at once, then spaces calls one interval (1/rate) apart', async () => {
    const { clock, limiter } = limiterOn({ requestsPerSecond: 10, burst: 5 });
    const times = await sendTimes(limiter, clock, 10);
    expect(times).toEqual([0, 0, 0, 0, 0, 100, 200, 300, 400, 500]);
    expect(clock.slept.every((ms) => ms === 100)).toBe(true);
  });

  it('never lets more than rate × window + burst through in any window, quiet spells included', async () => {
    const { clock, limiter } = limiterOn({ requestsPerSecond: 10, burst: 5 });
    const times = await sendTimes(limiter, clock, 20);
    // A quiet spell long enough to earn the whole burst back, then another rush.
    clock.time += 2_000;
    times.push(...(await sendTimes(limiter, clock, 20)));
    for (const windowMs of [0, 50, 100, 250, 999, 1_000, 2_500, 5_000])
      expect(busiest(times, windowMs), `window of ${windowMs} ms`).toBeLessThanOrEqual(
        (10 * windowMs) / 1_000 + 5,
      );
    // The bound is tight: the rush after the quiet spell uses the burst again.
    expect(busiest(times, 0)).toBe(5);
  });

  it('does not bank more than the burst however long it stays quiet', async () => {
    const { clock, limiter } = limiterOn({ requestsPerSecond: 10, burst: 5 });
    clock.time = 60_000;
    const times = await sendTimes(limiter, clock, 7);
    expect(times).toEqual([60_000, 60_000, 60_000, 60_000, 60_000, 60_100, 60_200]);
  });
});

describe('RateLimiter priority', () => {
  it('gives an urgent call the next turn, ahead of calls that were waiting before it', async () => {
    const { limiter } = limiterOn({ requestsPerSecond: 10, burst: 1 });
    const order: string[] = [];
    const take = (name: string, urgent = false) =>
      limiter.acquire(urgent).then((release) => {
        order.push(name);
        release();
      });
    await Promise.all([take('first'), take('queued-1'), take('queued-2'), take('urgent', true)]);
    expect(order).toEqual(['first', 'urgent', 'queued-1', 'queued-2']);
  });
});

describe('RateLimiter.shareAmong', () => {
  it('gives one of three workers a third of the rate and of the burst', async () => {
    const { clock, limiter } = limiterOn({ requestsPerSecond: 30, burst: 6 });
    limiter.shareAmong(3);
    expect(limiter.ratePerSecond).toBe(10);
    const times = await sendTimes(limiter, clock, 5);
    expect(times).toEqual([0, 0, 100, 200, 300]);
  });

  it('restores the whole rate and burst when the share goes back to one worker', async () => {
    const { clock, limiter } = limiterOn({ requestsPerSecond: 30, burst: 6 });
    limiter.shareAmong(3);
    await sendTimes(limiter, clock, 5);
    limiter.shareAmong(1);
    expect(limiter.ratePerSecond).toBe(30);
    // Slots reserved at the smaller share are still owed; after a quiet second they are not.
    clock.time += 1_000;
    const start = clock.now();
    const times = (await sendTimes(limiter, clock, 8)).map((t) => t - start);
    const expected = [0, 0, 0, 0, 0, 0, 1_000 / 30, 2_000 / 30];
    expected.forEach((at, i) => expect(times[i], `call ${i + 1}`).toBeCloseTo(at, 6));
  });

  it('counts fewer than one worker, or a fraction, as whole workers (at least one)', () => {
    const { limiter } = limiterOn({ requestsPerSecond: 30, burst: 6 });
    limiter.shareAmong(0);
    expect(limiter.ratePerSecond).toBe(30);
    limiter.shareAmong(2.9);
    expect(limiter.ratePerSecond).toBe(15);
  });
});

describe('RateLimiter concurrency cap', () => {
  // A rate far above what the tests send, so only the concurrency cap can hold a call back.
  const unpaced = { requestsPerSecond: 1_000_000, burst: 1_000 };

  it('holds a third call while two are in flight, until one is released', async () => {
    const { limiter } = limiterOn({ ...unpaced, concurrent: 2 });
    const first = await limiter.acquire();
    await limiter.acquire();
    const third = tracked(limiter.acquire());
    await settle();
    expect(third.done).toBe(false);
    first();
    await settle();
    expect(third.done).toBe(true);
  });

  it('keeps the pace for calls the cap held back: slots freed together do not release a burst', async () => {
    const { clock, limiter } = limiterOn({ requestsPerSecond: 10, burst: 1, concurrent: 2 });
    const first = await limiter.acquire();
    const second = await limiter.acquire();
    const waiting = [limiter.acquire(), limiter.acquire()];
    await settle();
    clock.time = 1_000;
    const sleptBefore = clock.slept.length;
    first();
    second();
    for (const release of await Promise.all(waiting)) release();
    // The second held-back call waits one interval after the first, rather than both going at t = 1000.
    expect(clock.slept.slice(sleptBefore)).toEqual([100]);
  });

  it('frees one slot only, however often a release is called', async () => {
    const { limiter } = limiterOn({ ...unpaced, concurrent: 2 });
    const first = await limiter.acquire();
    await limiter.acquire();
    first();
    first();
    await limiter.acquire();
    const fourth = tracked(limiter.acquire());
    await settle();
    expect(fourth.done).toBe(false);
  });

  it('lets one of two workers have at most 5 of 10 calls in flight', async () => {
    const { limiter } = limiterOn({ ...unpaced, concurrent: 10 });
    limiter.shareAmong(2);
    const held = [];
    for (let i = 0; i < 5; i++) held.push(await limiter.acquire());
    const sixth = tracked(limiter.acquire());
    await settle();
    expect(sixth.done).toBe(false);
    held[0]!();
    await settle();
    expect(sixth.done).toBe(true);
  });

  it('wakes a call waiting for a slot when a smaller share raises the cap', async () => {
    const { limiter } = limiterOn({ ...unpaced, concurrent: 10 });
    limiter.shareAmong(2);
    for (let i = 0; i < 5; i++) await limiter.acquire();
    const sixth = tracked(limiter.acquire());
    await settle();
    expect(sixth.done).toBe(false);
    limiter.shareAmong(1);
    await settle();
    expect(sixth.done).toBe(true);
  });
});

describe('a JSON client with a limiter', () => {
  /** A limiter of one slot that records when its slot is taken and given back. */
  function oneSlot(events: string[]) {
    const { limiter } = limiterOn({ requestsPerSecond: 1_000_000, burst: 1_000, concurrent: 1 });
    const acquire = limiter.acquire.bind(limiter);
    vi.spyOn(limiter, 'acquire').mockImplementation(async () => {
      const release = await acquire();
      events.push('acquired');
      return () => {
        events.push('released');
        release();
      };
    });
    return limiter;
  }

  const clientOver = (base: typeof fetch, limiter: RateLimiter, timeoutMs?: number) =>
    new JsonHttpClient({
      api: 'flow-service',
      baseUrl: 'https://api.example',
      fetch: base,
      limiter,
      timeoutMs,
    });

  it('takes a turn before every call and gives it back once the whole answer has been read', async () => {
    const events: string[] = [];
    const base = vi.fn(async (input: string | URL | Request) => {
      events.push(`fetch ${String(input)}`);
      return new Response('{}');
    }) as unknown as typeof fetch;
    const client = clientOver(base, oneSlot(events));
    await client.send({ method: 'GET', path: '/a' });
    await client.send({ method: 'GET', path: '/b' });
    expect(events).toEqual([
      'acquired',
      'fetch https://api.example/a',
      'released',
      'acquired',
      'fetch https://api.example/b',
      'released',
    ]);
  });

  it('does not send while the limiter holds the call back', async () => {
    const events: string[] = [];
    let answer!: (response: Response) => void;
    const base = vi.fn(
      () => new Promise<Response>((resolve) => (answer = resolve)),
    ) as unknown as typeof fetch;
    const client = clientOver(base, oneSlot(events));
    const first = client.send({ method: 'GET', path: '/a' });
    const second = client.send({ method: 'GET', path: '/b' });
    await settle();
    expect(base).toHaveBeenCalledTimes(1);
    answer(new Response('{"a":1}'));
    expect((await first).body).toEqual({ a: 1 });
    await settle();
    expect(base).toHaveBeenCalledTimes(2);
    answer(new Response('{"b":2}'));
    expect((await second).body).toEqual({ b: 2 });
    expect(events).toEqual(['acquired', 'released', 'acquired', 'released']);
  });

  it('frees the slot when the call fails, so the next call still goes', async () => {
    const events: string[] = [];
    const base = vi
      .fn<typeof fetch>()
      .mockRejectedValueOnce(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } }))
      .mockResolvedValueOnce(new Response('{}'));
    const client = clientOver(base, oneSlot(events));
    await expect(client.send({ method: 'GET', path: '/a' })).rejects.toThrow(/ECONNRESET/);
    expect(events).toEqual(['acquired', 'released']);
    await client.send({ method: 'GET', path: '/b' });
    expect(events).toEqual(['acquired', 'released', 'acquired', 'released']);
  });

  it('reads the credential once its turn has come, so a token cannot expire while the call waits', async () => {
    const events: string[] = [];
    const base = vi.fn(async () => new Response('{}')) as unknown as typeof fetch;
    const client = new JsonHttpClient({
      api: 'flow-service',
      baseUrl: 'https://api.example',
      fetch: base,
      limiter: oneSlot(events),
      auth: {
        headers: async () => {
          events.push('token read');
          return { authorization: 'Bearer t' };
        },
        rejected: () => undefined,
      },
    });
    await client.send({ method: 'GET', path: '/a' });
    expect(events).toEqual(['acquired', 'token read', 'released']);
  });

  it("starts a call's timeout when it is sent, not while it waits for its turn", async () => {
    const slow = new RateLimiter({ requestsPerSecond: 1_000, burst: 1 });
    vi.spyOn(slow, 'acquire').mockImplementation(async () => {
      await new Promise((resolve) => setTimeout(resolve, 150));
      return () => undefined;
    });
    const base = vi.fn(async (_input: unknown, init?: RequestInit) => {
      expect(init?.signal?.aborted).toBe(false);
      return new Response('{"ok":true}');
    }) as unknown as typeof fetch;
    // Waiting 150 ms for the turn, with a 50 ms timeout for the call itself.
    expect((await clientOver(base, slow, 50).send({ method: 'GET', path: '/a' })).body).toEqual({ ok: true });
  });
});
