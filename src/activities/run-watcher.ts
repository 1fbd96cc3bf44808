import { setTimeout as delay } from 'node:timers/promises';
import type { Run } from '../integrations/flow-service/schemas';
import { runOutcome } from './flow-service-lookup';
import { cancellationSignal } from './heartbeat';
import type { RemoteClients } from './remote-clients';

/** Keys per runs list: 50 UUIDs keep the URL far under Adobe's 8 KB. */
const KEYS_PER_LIST = 50;
/**
 * A run is looked at again after this share of its age: it is then seen
 * settled at most ~5 % (plus one call) after it settled, whatever it takes,
 * for a few dozen calls per run spread over every waiting run.
 */
const RECHECK_AFTER_SHARE_OF_AGE = 0.05;
const MIN_RECHECK_MS = 1_000;
const MAX_RECHECK_MS = 30_000;
const GATHER_MS = 100;

interface Waiter {
  key: string;
  since: number;
  due: number;
  /** The run as last seen, still in progress. */
  latest?: Run;
  settle(run: Run | undefined): void;
}

/**
 * One watching activity's slice, as the workflow gives it: durations, never
 * instants, since the workflow's clock may not be the worker's (a
 * time-skipping server runs days ahead).
 */
export interface WatchSlice {
  /** How long the workflow has waited for this run so far. */
  waitedMs: number;
  /** How long this activity may wait. */
  maxWaitMs: number;
}

/** A slice on this worker's clock. */
export function windowOf(slice: WatchSlice, now = Date.now()): RunWatchWindow {
  return { since: now - Math.max(0, slice.waitedMs), until: now + Math.max(0, slice.maxWaitMs) };
}

/** How long to wait for a run, in epoch milliseconds of this worker's clock. */
export interface RunWatchWindow {
  /** When the run began (or its flow was created): how long it has had, for how often to look. */
  since: number;
  /** Give up (answer the run as last seen, or undefined: none yet) at this time. */
  until: number;
}

export interface RunWatch extends RunWatchWindow {
  sandbox: string;
  /** What the run is found by in a list: its flow's id (first runs) or its own id. */
  key: string;
  signal?: AbortSignal;
}

/** Which runs a watcher waits for, and how it finds them many at a time. */
export interface RunSelection {
  /** The runs of up to 50 keys of one sandbox, in one list. */
  list(sandbox: string, keys: string[]): AsyncIterable<Run>;
  /** The key a listed run answers for. */
  keyOf(run: Run): string | undefined;
  /** Of several runs listed for one key, whether `run` is the one to watch rather than `chosen`. */
  prefer?(run: Run, chosen: Run): boolean;
}

export interface RunWatcherOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
  /** How long a new round waits for runs that start waiting together (a batch of children) to join its first list. */
  gatherMs?: number;
  /**
   * Whether a new waiter is looked at as soon as the list in flight (if any)
   * is back, rather than at the next round: for runs awaited one after
   * another, where each round's pause would add to every run.
   */
  lookAtOnce?: boolean;
}

/**
 * Waits for many runs at once, in this worker process: one runs list per
 * sandbox covers up to 50 waiting runs, so a thousand runs waiting cost a
 * call every second or so, not a thousand.
 */
export class RunWatcher {
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly looping = new Set<string>();
  private readonly wakers = new Map<string, () => void>();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<unknown>;
  private readonly gatherMs: number;
  private readonly lookAtOnce: boolean;

  constructor(
    private readonly selection: RunSelection,
    options: RunWatcherOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? delay;
    this.gatherMs = options.gatherMs ?? GATHER_MS;
    this.lookAtOnce = options.lookAtOnce ?? false;
  }

  /** The run once it has settled; when `until` comes first, as last seen (undefined: none yet). */
  settledRun(watch: RunWatch): Promise<Run | undefined> {
    return new Promise((resolve, reject) => {
      if (watch.signal?.aborted) {
        reject(watch.signal.reason ?? new Error('cancelled'));
        return;
      }
      const waiters = this.waiting.get(watch.sandbox) ?? [];
      this.waiting.set(watch.sandbox, waiters);
      const timeout = setTimeout(() => waiter.settle(waiter.latest), Math.max(0, watch.until - this.now()));
      const onAbort = () => {
        remove();
        reject(watch.signal?.reason ?? new Error('cancelled'));
      };
      const remove = () => {
        clearTimeout(timeout);
        watch.signal?.removeEventListener('abort', onAbort);
        const index = waiters.indexOf(waiter);
        if (index >= 0) waiters.splice(index, 1);
      };
      const waiter: Waiter = {
        key: watch.key,
        since: watch.since,
        due: this.now(),
        settle: (run) => {
          remove();
          resolve(run);
        },
      };
      watch.signal?.addEventListener('abort', onAbort, { once: true });
      waiters.push(waiter);
      if (this.lookAtOnce) this.wakers.get(watch.sandbox)?.();
      void this.loop(watch.sandbox);
    });
  }

  private async loop(sandbox: string): Promise<void> {
    if (this.looping.has(sandbox)) return;
    this.looping.add(sandbox);
    try {
      if (this.gatherMs > 0) await this.sleep(this.gatherMs);
      for (;;) {
        const waiters = this.waiting.get(sandbox) ?? [];
        if (!waiters.length) return;
        const next = Math.min(...waiters.map((waiter) => waiter.due));
        if (next > this.now()) await this.pause(sandbox, Math.min(next - this.now(), MIN_RECHECK_MS));
        else await this.look(sandbox, waiters);
      }
    } finally {
      this.looping.delete(sandbox);
    }
  }

  /** Sleeps between rounds; a new waiter cuts it short when runs are awaited one after another. */
  private async pause(sandbox: string, ms: number): Promise<void> {
    if (!this.lookAtOnce) {
      await this.sleep(ms);
      return;
    }
    await new Promise<void>((resolve) => {
      this.wakers.set(sandbox, resolve);
      void this.sleep(ms).then(() => resolve());
    });
    this.wakers.delete(sandbox);
  }

  /** One list for the runs most overdue (and, filling it up, those due next). */
  private async look(sandbox: string, waiters: Waiter[]): Promise<void> {
    const byDue = [...waiters].sort((a, b) => a.due - b.due);
    const keys = [...new Set(byDue.map((waiter) => waiter.key))].slice(0, KEYS_PER_LIST);
    const chosen = new Map<string, Run>();
    try {
      for await (const run of this.selection.list(sandbox, keys)) {
        const key = this.selection.keyOf(run) ?? '';
        const current = chosen.get(key);
        if (!current || this.selection.prefer?.(run, current)) chosen.set(key, run);
      }
    } catch {
      // A failed look is tried again on the next round; each waiter still ends at its own deadline.
      await this.sleep(MIN_RECHECK_MS);
      return;
    }
    const now = this.now();
    for (const waiter of waiters.filter((candidate) => keys.includes(candidate.key))) {
      const run = chosen.get(waiter.key);
      if (run && runOutcome(run).state !== 'pending') {
        waiter.settle(run);
        continue;
      }
      if (run) waiter.latest = run;
      waiter.due =
        now +
        Math.min(MAX_RECHECK_MS, Math.max(MIN_RECHECK_MS, (now - waiter.since) * RECHECK_AFTER_SHARE_OF_AGE));
    }
  }
}

/** A first-run watch: the key is the flow's id. */
export interface FirstRunWatch extends RunWatchWindow {
  sandbox: string;
  flowId: string;
  signal?: AbortSignal;
}

/**
 * Waits for the first runs of many dataflows at once: one runs list per
 * sandbox covers up to 50 waiting flows, each answered by its oldest run.
 */
export class FirstRunWatcher extends RunWatcher {
  constructor(
    listRuns: (sandbox: string, flowIds: string[]) => AsyncIterable<Run>,
    options: RunWatcherOptions = {},
  ) {
    super({ list: listRuns, keyOf: (run) => run.flowId, prefer: isEarlier }, options);
  }

  /** The flow's first run once it has settled; when `until` comes first, as last seen (undefined: none yet). */
  firstSettledRun({ flowId, ...watch }: FirstRunWatch): Promise<Run | undefined> {
    return this.settledRun({ ...watch, key: flowId });
  }
}

/** Whether `run` came before `other`: a dataflow's first run is its oldest. */
function isEarlier(run: Run, other: Run | undefined): boolean {
  return !other || (run.createdAt ?? 0) < (other.createdAt ?? 0);
}

/**
 * A dataflow's first run: with `watch`, waited for (with every other flow
 * this worker waits on) until it settles or the slice ends; else read once.
 */
export async function firstRunOf(
  clients: Pick<RemoteClients, 'firstRuns' | 'flowService'>,
  input: { sandbox: string; flowId: string; watch?: WatchSlice },
): Promise<Run | undefined> {
  if (input.watch)
    return clients.firstRuns.firstSettledRun({
      sandbox: input.sandbox,
      flowId: input.flowId,
      ...windowOf(input.watch),
      signal: cancellationSignal(),
    });
  let first: Run | undefined;
  for await (const run of clients.flowService(input.sandbox).listRuns(input.flowId))
    if (isEarlier(run, first)) first = run;
  return first;
}
