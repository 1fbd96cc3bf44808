/**
 * The first-run watcher answers many waiting flows with few runs lists: at
 * most 50 flow ids per list, one sandbox per list, and each waiter ends with
 * its flow's first run once settled, or at its deadline with the run as last
 * seen, or with its own cancellation, whatever the lists around it do.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FirstRunWatcher, RunWatcher, type FirstRunWatch } from '../../src/activities/run-watcher';
import type { Run } from '../../src/integrations/flow-service/schemas';

const START = Date.UTC(2025, 0, 1);

interface ListCall {
  sandbox: string;
  flowIds: string[];
  /** Milliseconds since the test started. */
  at: number;
}

function run(flowId: string, status: string | undefined, createdAt: number, id = `${flowId}-run`): Run {
  return {
    id,
    flowId,
    createdAt,
    ...(status === undefined ? {} : { metrics: { statusSummary: { status } } }),
  };
}

/** A runs list that records every call and answers each flow with what `respond` says. */
function recordingList(respond: (sandbox: string, flowId: string, call: number) => Iterable<Run>) {
  const calls: ListCall[] = [];
  async function* listRuns(sandbox: string, flowIds: string[]): AsyncGenerator<Run> {
    calls.push({ sandbox, flowIds: [...flowIds], at: Date.now() - START });
    const call = calls.length;
    for (const flowId of flowIds) yield* respond(sandbox, flowId, call);
  }
  return { calls, listRuns };
}

// Everything on the fake clock: the watcher's own deadlines (setTimeout) and its pauses between rounds.
// No gathering pause unless a test is about it: the rounds then fall on whole seconds.
function watcherOn(listRuns: (sandbox: string, flowIds: string[]) => AsyncIterable<Run>, gatherMs = 0) {
  return new FirstRunWatcher(listRuns, {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    gatherMs,
  });
}

function watch(flowId: string, options: Partial<FirstRunWatch> = {}): FirstRunWatch {
  return { sandbox: 'prod', flowId, since: START, until: START + 60_000, ...options };
}

function tracked<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(START);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FirstRunWatcher', () => {
  it('looks at 120 flows of one sandbox in lists of at most 50 ids: 3 lists a round, not 120 calls', async () => {
    const { calls, listRuns } = recordingList((_sandbox, flowId) => [run(flowId, 'inProgress', START)]);
    const watcher = watcherOn(listRuns);
    const flowIds = Array.from({ length: 120 }, (_, i) => `flow-${i}`);
    for (const flowId of flowIds) void watcher.firstSettledRun(watch(flowId));
    await advance(5_500);

    expect(calls.every((call) => call.sandbox === 'prod' && call.flowIds.length <= 50)).toBe(true);
    const rounds = new Map<number, ListCall[]>();
    for (const call of calls) rounds.set(call.at, [...(rounds.get(call.at) ?? []), call]);
    expect([...rounds.keys()]).toEqual([0, 1_000, 2_000, 3_000, 4_000, 5_000]);
    for (const [at, lists] of rounds)
      expect(new Set(lists.flatMap((list) => list.flowIds)), `round at ${at} ms`).toEqual(new Set(flowIds));
    // The first list can go out as the first flow starts waiting, before the other 119 have joined it.
    expect(rounds.get(0)!.length).toBeLessThanOrEqual(4);
    for (const [at, lists] of [...rounds].slice(1)) expect(lists.length, `round at ${at} ms`).toBe(3);
  });

  it('lets flows that start waiting together join the first round: 120 flows, 3 lists from the start', async () => {
    const { calls, listRuns } = recordingList((_sandbox, flowId) => [run(flowId, 'inProgress', START)]);
    const watcher = watcherOn(listRuns, 100);
    for (let i = 0; i < 120; i += 1) void watcher.firstSettledRun(watch(`flow-${i}`));
    await advance(150);
    expect(calls.map((call) => [call.at, call.flowIds.length])).toEqual([
      [100, 50],
      [100, 50],
      [100, 50],
    ]);
  });

  it('resolves with the first run once it has settled, the oldest by createdAt of several', async () => {
    const oldest = run('flow-a', 'success', START + 1_000, 'oldest');
    const newer = run('flow-a', 'failed', START + 2_000, 'newer');
    const { listRuns } = recordingList(() => [newer, oldest]);
    await expect(watcherOn(listRuns).firstSettledRun(watch('flow-a'))).resolves.toBe(oldest);
  });

  it('settles on a failed first run as well as on a successful one', async () => {
    const failed = run('flow-a', 'failed', START);
    const { listRuns } = recordingList(() => [failed]);
    await expect(watcherOn(listRuns).firstSettledRun(watch('flow-a'))).resolves.toBe(failed);
  });

  it('keeps waiting while the first run is in progress, and answers on the round that sees it settle', async () => {
    const settled = run('flow-a', 'success', START);
    const { calls, listRuns } = recordingList((_sandbox, flowId, call) =>
      call < 3 ? [run(flowId, 'inProgress', START)] : [settled],
    );
    const waiter = tracked(watcherOn(listRuns).firstSettledRun(watch('flow-a')));
    await advance(1_999);
    expect(waiter.settled).toBe(false);
    await advance(1);
    expect(waiter).toEqual({ settled: true, value: settled });
    expect(calls).toHaveLength(3);
  });

  it('waits on the first run even when a later run of the flow has already settled', async () => {
    const first = run('flow-a', 'inProgress', START + 1_000, 'first');
    const later = run('flow-a', 'success', START + 5_000, 'later');
    const { listRuns } = recordingList(() => [later, first]);
    const waiter = tracked(watcherOn(listRuns).firstSettledRun(watch('flow-a', { until: START + 3_000 })));
    await advance(3_000);
    expect(waiter).toEqual({ settled: true, value: first });
  });

  it('answers at `until` with the in-progress run as last seen', async () => {
    const seen: Run[] = [];
    const { listRuns } = recordingList((_sandbox, flowId) => {
      // A fresh object per list, so the answer shows which list it came from.
      const latest = { ...run(flowId, 'inProgress', START), updatedAt: Date.now() };
      seen.push(latest);
      return [latest];
    });
    const waiter = tracked(watcherOn(listRuns).firstSettledRun(watch('flow-a', { until: START + 4_500 })));
    await advance(4_499);
    expect(waiter.settled).toBe(false);
    await advance(1);
    expect(waiter.settled).toBe(true);
    expect(waiter.value).toBe(seen.at(-1));
    expect(waiter.value?.updatedAt).toBe(START + 4_000);
  });

  it('answers undefined at `until` when the flow has no run at all', async () => {
    const { calls, listRuns } = recordingList(() => []);
    const waiter = tracked(watcherOn(listRuns).firstSettledRun(watch('flow-a', { until: START + 2_500 })));
    await advance(2_499);
    expect(waiter.settled).toBe(false);
    await advance(1);
    expect(waiter).toEqual({ settled: true, value: undefined });
    const listedAfterDeadline = calls.length;
    await advance(10_000);
    expect(calls).toHaveLength(listedAfterDeadline);
  });

  it('rejects a cancelled waiter with the abort reason and stops looking at its flow, while others go on', async () => {
    const done = run('flow-b', 'success', START);
    const { calls, listRuns } = recordingList((_sandbox, flowId, call) =>
      flowId === 'flow-b' && call >= 6 ? [done] : [run(flowId, 'inProgress', START)],
    );
    const watcher = watcherOn(listRuns);
    const cancel = new AbortController();
    const reason = new Error('workflow cancelled');
    const cancelled = watcher.firstSettledRun(watch('flow-a', { signal: cancel.signal }));
    const rejection = expect(cancelled).rejects.toBe(reason);
    const other = tracked(watcher.firstSettledRun(watch('flow-b')));

    await advance(1_500);
    cancel.abort(reason);
    await rejection;
    const listedBeforeAbort = calls.length;
    await advance(10_000);

    const afterAbort = calls.slice(listedBeforeAbort);
    expect(afterAbort.length).toBeGreaterThan(0);
    expect(afterAbort.every((call) => !call.flowIds.includes('flow-a'))).toBe(true);
    expect(other).toEqual({ settled: true, value: done });
  });

  it('lists the flows of each sandbox separately, and answers each from its own sandbox', async () => {
    const { calls, listRuns } = recordingList((sandbox, flowId) => [
      run(flowId, 'success', START, `${sandbox}:${flowId}`),
    ]);
    const watcher = watcherOn(listRuns);
    // The same flow id in both sandboxes: only the sandbox tells the runs apart.
    const inDev = watcher.firstSettledRun(watch('shared', { sandbox: 'dev' }));
    const inProd = watcher.firstSettledRun(watch('shared', { sandbox: 'prod' }));
    const onlyProd = watcher.firstSettledRun(watch('prod-only', { sandbox: 'prod' }));

    expect((await inDev)?.id).toBe('dev:shared');
    expect((await inProd)?.id).toBe('prod:shared');
    expect((await onlyProd)?.id).toBe('prod:prod-only');
    expect(calls.filter((call) => call.sandbox === 'dev').flatMap((call) => call.flowIds)).toEqual([
      'shared',
    ]);
    expect(new Set(calls.filter((call) => call.sandbox === 'prod').flatMap((call) => call.flowIds))).toEqual(
      new Set(['shared', 'prod-only']),
    );
  });

  it('does not reject waiters when a list fails, and settles them on a later list that succeeds', async () => {
    const settled = run('flow-a', 'success', START, 'from-third-list');
    const { calls, listRuns } = recordingList((_sandbox, _flowId, call) => {
      if (call === 1) throw new Error('503 Service Unavailable');
      // The second list fails part-way, after it has already yielded a run.
      if (call === 2) return brokenAfter(run('flow-a', 'success', START, 'from-broken-list'));
      return [settled];
    });
    const waiter = tracked(watcherOn(listRuns).firstSettledRun(watch('flow-a')));
    await advance(1_999);
    expect(waiter.settled).toBe(false);
    await advance(1);
    expect(waiter).toEqual({ settled: true, value: settled });
    expect(calls).toHaveLength(3);
  });

  it('still ends each waiter at its deadline when every list fails', async () => {
    const { listRuns } = recordingList(() => {
      throw new Error('503 Service Unavailable');
    });
    const waiter = tracked(watcherOn(listRuns).firstSettledRun(watch('flow-a', { until: START + 3_000 })));
    await advance(3_000);
    expect(waiter).toEqual({ settled: true, value: undefined });
  });
});

/** Yields these runs, then fails like a connection lost mid-page. */
function* brokenAfter(...runs: Run[]): Generator<Run> {
  yield* runs;
  throw new Error('socket hang up');
}

describe('RunWatcher over runs by id, one looked at as soon as it is started', () => {
  function byIdWatcher(listRuns: (sandbox: string, runIds: string[]) => AsyncIterable<Run>) {
    return new RunWatcher(
      { list: listRuns, keyOf: (listed) => listed.id },
      {
        now: () => Date.now(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        gatherMs: 0,
        lookAtOnce: true,
      },
    );
  }
  const waitFor = (key: string) => ({ sandbox: 'prod', key, since: START, until: START + 60_000 });

  it('answers each run with its own listed run, by id', async () => {
    const { calls, listRuns } = recordingList((_sandbox, runId) => [run('flow-a', 'success', START, runId)]);
    const watcher = byIdWatcher(listRuns);
    const [first, second] = [watcher.settledRun(waitFor('run-1')), watcher.settledRun(waitFor('run-2'))];
    await advance(0);
    await expect(first).resolves.toMatchObject({ id: 'run-1' });
    await expect(second).resolves.toMatchObject({ id: 'run-2' });
    expect(calls.flatMap((call) => call.flowIds)).toEqual(['run-1', 'run-2']);
  });

  it('looks at a run that starts waiting while the others rest, without waiting for their next round', async () => {
    const { calls, listRuns } = recordingList((_sandbox, runId) => [
      run('flow-a', runId === 'slow' ? 'inProgress' : 'success', START, runId),
    ]);
    const watcher = byIdWatcher(listRuns);
    void watcher.settledRun(waitFor('slow'));
    await advance(100);
    const quick = tracked(watcher.settledRun(waitFor('quick')));
    await advance(0);
    expect(quick).toEqual({ settled: true, value: expect.objectContaining({ id: 'quick' }) });
    expect(calls.map((call) => [call.at, call.flowIds])).toEqual([
      [0, ['slow']],
      // The list that goes out for it is filled up with the runs due next.
      [100, ['quick', 'slow']],
    ]);
  });
});
