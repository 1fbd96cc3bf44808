import type { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { findOrCreate } from '../../src/activities/flow-service-lookup';
import { createFlowServiceActivities } from '../../src/activities/flow-service-steps';
import type { RemoteClients } from '../../src/activities/remote-clients';
import { checkpoint, heartbeat } from '../../src/activities/heartbeat';
import { policyBackoffMs, toActivityFailure } from '../../src/activities/remote-failure';
import { backoffMs } from '../../src/integrations/http/backoff';
import { RemoteApiError } from '../../src/integrations/http/errors';
import {
  isIdempotent,
  retryingFetch,
  type InPlaceRetryPolicy,
} from '../../src/integrations/http/retrying-fetch';

const policy: InPlaceRetryPolicy = {
  attempts: 4,
  rateLimited: 3,
  maxWaitMs: 10_000,
  initialMs: 100,
  maxMs: 1_000,
  coefficient: 2,
};

/** A fetch that answers from a script, and a sleep that records instead of waiting. */
function scripted(answers: Array<number | Error | [number, Record<string, string>]>) {
  const calls: string[] = [];
  const waits: number[] = [];
  const base = (async (_input: unknown, init?: RequestInit) => {
    calls.push(init?.method ?? 'GET');
    const next = answers.shift() ?? 200;
    if (next instanceof Error) throw next;
    const [status, headers] = Array.isArray(next) ? next : [next, {}];
    return new Response(status === 204 ? null : '{}', { status, headers });
  }) as typeof fetch;
  const fetchImpl = retryingFetch(base, {
    policy,
    random: () => 1,
    sleep: async (ms) => void waits.push(ms),
  });
  return { fetchImpl, calls, waits };
}

const lost = () => Object.assign(new TypeError('fetch failed'), { cause: { code: 'UND_ERR_SOCKET' } });

describe('in-place retries of one remote call', () => {
  it('repeat an idempotent call after a lost answer or a 5xx, with exponential backoff', async () => {
    const { fetchImpl, calls, waits } = scripted([lost(), 503, 502, 200]);
    expect((await fetchImpl('http://x/flows/1', { method: 'DELETE' })).status).toBe(200);
    expect(calls).toEqual(['DELETE', 'DELETE', 'DELETE', 'DELETE']);
    expect(waits).toEqual([100, 200, 400]);
  });

  it('make Retry-After a floor under the backoff, never a replacement for it', async () => {
    const { fetchImpl, waits } = scripted([
      [503, { 'retry-after': '1' }],
      [503, { 'retry-after': '0' }],
      [429, { 'retry-after': '0' }],
      200,
    ]);
    await fetchImpl('http://x/flows', { method: 'GET' });
    // 1 s beats the 100 ms step; a zero Retry-After still waits the 200 ms step; 429s back off on their own count.
    expect(waits).toEqual([1_000, 200, 100]);
  });

  it('never repeat a create after a lost answer or a 500, but after a 429 or 503 (not handled) for any method', async () => {
    const create = scripted([lost()]);
    await expect(create.fetchImpl('http://x/flows', { method: 'POST' })).rejects.toThrow('fetch failed');
    expect(create.calls).toEqual(['POST']);
    const failed = scripted([500]);
    expect((await failed.fetchImpl('http://x/flows', { method: 'POST' })).status).toBe(500);
    expect(failed.calls).toEqual(['POST']);
    const unavailable = scripted([503, 201]);
    expect((await unavailable.fetchImpl('http://x/flows', { method: 'POST' })).status).toBe(201);
    expect(unavailable.calls).toEqual(['POST', 'POST']);
    const throttled = scripted([429, 200]);
    expect((await throttled.fetchImpl('http://x/flows', { method: 'POST' })).status).toBe(200);
    expect(throttled.calls).toEqual(['POST', 'POST']);
  });

  it('give up after the policy’s attempts and hand the last answer to the caller', async () => {
    const { fetchImpl, calls } = scripted([500, 500, 500, 500, 500]);
    expect((await fetchImpl('http://x/flows', {})).status).toBe(500);
    expect(calls).toHaveLength(4);
  });

  it('count a PATCH as idempotent only with If-Match', () => {
    expect(isIdempotent({ method: 'PATCH', headers: { 'If-Match': '"1"' } })).toBe(true);
    expect(isIdempotent({ method: 'PATCH', headers: new Headers({ 'if-match': '"1"' }) })).toBe(true);
    expect(isIdempotent({ method: 'PATCH' })).toBe(false);
    expect(isIdempotent({ method: 'POST' })).toBe(false);
    expect(isIdempotent(undefined)).toBe(true);
  });

  it('jitter between half the step and the whole step, capped', () => {
    const step = { initialMs: 100, maxMs: 1_000, coefficient: 2 };
    expect(backoffMs(step, 1, () => 0)).toBe(50);
    expect(backoffMs(step, 3, () => 1)).toBe(400);
    expect(backoffMs(step, 10, () => 1)).toBe(1_000);
  });
});

describe('the retry delay Temporal is given', () => {
  const throttled = new RemoteApiError({
    api: 'flow-service',
    endpoint: 'DELETE /flows/1',
    kind: 'server',
    status: 503,
    retryAfterMs: 1_000,
  });

  it('is the policy’s own backoff when that is longer than Retry-After', async () => {
    const env = new MockActivityEnvironment({
      attempt: 6,
      retryPolicy: { initialInterval: 2_000, backoffCoefficient: 2, maximumInterval: 60_000 },
    });
    const outcome: unknown = await env.run(async () => toActivityFailure(throttled));
    const failure = outcome as ApplicationFailure;
    expect(failure.nextRetryDelay).toBe(60_000);
    expect(await env.run(async () => policyBackoffMs())).toBe(60_000);
  });

  it('is Retry-After when the server asks for longer than the policy would wait', async () => {
    const env = new MockActivityEnvironment({ attempt: 1, retryPolicy: { initialInterval: 500 } });
    const outcome: unknown = await env.run(async () => toActivityFailure(throttled));
    const failure = outcome as ApplicationFailure;
    expect(failure.nextRetryDelay).toBe(1_000);
  });
});

describe('find-or-create across a lost answer', () => {
  const consistency = { listVisibilityWindowMs: 1_500 };

  it('creates on a first attempt when nothing has the name, and says it was not retried', async () => {
    const env = new MockActivityEnvironment({ attempt: 1 });
    const made = await env.run(() =>
      findOrCreate(
        async () => [],
        async () => ({ id: 'new' }),
        consistency,
      ),
    );
    expect(made).toEqual({ id: 'new', created: true, retried: false });
  });

  it('keeps looking on a retried attempt until what the lost answer made shows in the lagging list', async () => {
    const env = new MockActivityEnvironment({ attempt: 2, currentAttemptScheduledTimestampMs: Date.now() });
    const visibleAt = Date.now() + 1_200;
    let looks = 0;
    let creates = 0;
    const found = await env.run(() =>
      findOrCreate(
        async () => {
          looks += 1;
          return Date.now() >= visibleAt
            ? [
                { id: 'older', createdAt: 1 },
                { id: 'younger', createdAt: 2 },
              ]
            : [];
        },
        async () => ({ id: `twin-${++creates}` }),
        consistency,
      ),
    );
    expect(found).toEqual({ id: 'older', created: false, retried: true });
    expect(looks).toBeGreaterThan(1);
    expect(creates).toBe(0);
  });

  it('creates on a retried attempt only once the whole window has passed with nothing found', async () => {
    const scheduledAt = Date.now();
    const env = new MockActivityEnvironment({ attempt: 3, currentAttemptScheduledTimestampMs: scheduledAt });
    let createdAt = 0;
    const made = await env.run(() =>
      findOrCreate(
        async () => [],
        async () => {
          createdAt = Date.now();
          return { id: 'new' };
        },
        consistency,
      ),
    );
    expect(made).toEqual({ id: 'new', created: true, retried: true });
    expect(createdAt - scheduledAt).toBeGreaterThanOrEqual(1_500);
  });

  it('waits one window at most when the Temporal clock runs hours ahead of the worker clock (a time-skipping server)', async () => {
    const startedAt = Date.now();
    const env = new MockActivityEnvironment({
      attempt: 2,
      currentAttemptScheduledTimestampMs: startedAt + 3 * 3_600_000,
    });
    const made = await env.run(() =>
      findOrCreate(
        async () => [],
        async () => ({ id: 'new' }),
        consistency,
      ),
    );
    expect(made).toEqual({ id: 'new', created: true, retried: true });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_500);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});

describe('batch checkpoints', () => {
  it('keep the last progress when a keep-alive heartbeat carries none', async () => {
    const env = new MockActivityEnvironment({ heartbeatDetails: { done: 3 } });
    const sent: unknown[] = [];
    env.on('heartbeat', (details: unknown) => sent.push(details));
    await env.run(async () => {
      expect(checkpoint()).toEqual({ done: 3 });
      heartbeat();
      heartbeat({ done: 4 });
      heartbeat();
    });
    expect(sent).toEqual([{ done: 3 }, { done: 4 }, { done: 4 }]);
  });
});

describe('a batch activity retried after a lost answer', () => {
  it('resumes after the last object the earlier attempt reported deleted', async () => {
    const deleted: string[] = [];
    const clients = {
      flowService: () => ({
        flows: {
          delete: async (id: string) => {
            deleted.push(id);
            return 'deleted';
          },
        },
      }),
    } as unknown as RemoteClients;
    const activities = createFlowServiceActivities({ clients });
    const env = new MockActivityEnvironment({
      attempt: 2,
      heartbeatDetails: { done: 2, results: ['deleted', 'deleted'] },
    });
    const count = await env.run(() =>
      activities.deleteFlowServiceObjects({
        sandbox: 'prod',
        objects: ['a', 'b', 'c', 'd'].map((id) => ({ collection: 'flows' as const, id })),
      }),
    );
    expect(deleted).toEqual(['c', 'd']);
    expect(count).toBe(4);
  });
});
