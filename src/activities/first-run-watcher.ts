import { setTimeout as delay } from 'node:timers/promises';
import type { Run } from '../integrations/flow-service/schemas';
import { runOutcome } from './flow-service-lookup';
import { cancellationSignal } from './heartbeat';
import type { RemoteClients } from './remote-clients';

/** Flow ids per runs list: 50 UUIDs keep the URL far under Adobe's 8 KB. */
const FLOWS_PER_LIST = 50;
/**
 * A flow is looked at again after this share of its age: its first run is
 * then seen at most ~5 % (plus one call) after it settled, whatever that run
 * takes, for a few dozen calls per flow spread over every waiting flow.
 */
const RECHECK_AFTER_SHARE_OF_AGE = 0.05;
const MIN_RECHECK_MS = 1_000;
const MAX_RECHECK_MS = 30_000;
const GATHER_MS = 100;

interface Waiter {
  flowId: string;
  since: number;
  due: number;
  /** The first run as last seen, still in progress. */
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

/** How long to wait for a first run, in epoch milliseconds of this worker's clock. */
export interface RunWatchWindow {
  /** When the flow was created: how long its run has had, for how often to look. */
  since: number;
  /** Give up (answer undefined: still pending) at this time. */
  until: number;
}

export interface FirstRunWatch extends RunWatchWindow {
  sandbox: string;
  flowId: string;
  signal?: AbortSignal;
}

/**
 * Waits for the first runs of many dataflows at once, in this worker
 * process: one runs list per sandbox covers up to 50 waiting flows, so a
 * thousand flows waiting cost a call every second or so, not a thousand.
 */
export class FirstRunWatcher {
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly looping = new Set<string>();

  constructor(
    private readonly listRuns: (sandbox: string, flowIds: string[]) => AsyncIterable<Run>,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<unknown> = delay,
    /** How long a new round waits for flows that start waiting together (a batch of children) to join its first list. */
    private readonly gatherMs = GATHER_MS,
  ) {}

  /** The flow's first run once it has settled; when `until` comes first, as last seen (undefined: none yet). */
  firstSettledRun(watch: FirstRunWatch): Promise<Run | undefined> {
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
        flowId: watch.flowId,
        since: watch.since,
        due: this.now(),
        settle: (run) => {
          remove();
          resolve(run);
        },
      };
      watch.signal?.addEventListener('abort', onAbort, { once: true });
      waiters.push(waiter);
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
        if (next > this.now()) await this.sleep(Math.min(next - this.now(), MIN_RECHECK_MS));
        else await this.look(sandbox, waiters);
      }
    } finally {
      this.looping.delete(sandbox);
    }
  }

  /** One list for the flows most overdue (and, filling it up, those due next). */
  private async look(sandbox: string, waiters: Waiter[]): Promise<void> {
    const byDue = [...waiters].sort((a, b) => a.due - b.due);
    const flowIds = [...new Set(byDue.map((waiter) => waiter.flowId))].slice(0, FLOWS_PER_LIST);
    const first = new Map<string, Run>();
    try {
      for await (const run of this.listRuns(sandbox, flowIds)) {
        const flowId = run.flowId ?? '';
        if (isEarlier(run, first.get(flowId))) first.set(flowId, run);
      }
    } catch {
      // A failed look is tried again on the next round; each waiter still ends at its own deadline.
      await this.sleep(MIN_RECHECK_MS);
      return;
    }
    const now = this.now();
    for (const waiter of waiters.filter((candidate) => flowIds.includes(candidate.flowId))) {
      const run = first.get(waiter.flowId);
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
