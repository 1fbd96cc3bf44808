import {
  lastSuccessfulWindowEnd,
  windowAt,
  type IngestionWindow,
  type RunSummary,
  type WindowRange,
} from '../domain/ingestion/windows';
import type { FlowServiceClient } from '../integrations/flow-service/flow-service-client';
import { where } from '../integrations/flow-service/property-filter';
import type { Run } from '../integrations/flow-service/schemas';
import { collect, findOrCreate, oldestFirst, runOutcome } from './flow-service-lookup';
import { activityInfo, cancellationSignal, checkpoint, heartbeat } from './heartbeat';
import type { RemoteClients } from './remote-clients';

/** Where one flow stands in a run: the window it is at, and that window's attempt. */
export interface FlowCursor {
  /** The start of the next window to ingest (unix seconds). */
  next: number;
  /** The attempt at that window, from 1. */
  attempt: number;
  /** That attempt's run once started, and how long it has been waited for so far. */
  run?: { id: string; waitedMs: number };
  /** A run of that window may exist already (one an earlier run left going): look before starting one. */
  lookFirst?: boolean;
}

/** The window a flow stopped at, and why. */
export interface WindowFailure extends IngestionWindow {
  attempts: number;
  reason: string;
  runId?: string;
}

/** One turn of a flow's ingestion: its windows in order, for a few minutes or a hundred windows at most. */
export interface WindowSlice {
  sandbox: string;
  flowId: string;
  /** The flow's windows in this run; `cursor.next` is within it. */
  range: WindowRange;
  cursor: FlowCursor;
  windowSeconds: number;
  attemptsPerWindow: number;
  /** How long one Flow Service run may take. */
  runTimeoutMs: number;
  /** Only runs made since then (epoch ms) count as this window's: a backfill redoes older ones. */
  notBefore?: number;
  maxWindows: number;
  maxMs: number;
}

/** What a slice did: where the flow stands now, what it ingested, and the window it stopped at, if any. */
export interface SliceOutcome {
  cursor: FlowCursor;
  succeeded: number;
  records: number;
  failedRecords: number;
  failure?: WindowFailure;
}

const summaryOf = (run: Run): RunSummary => ({
  windowStart: run.params?.windowStartTime,
  windowEnd: run.params?.windowEndTime,
  status: runOutcome(run).state,
});

/**
 * Where a flow's on-demand ingestion stands: the end of its latest successful
 * window. Runs ending since `recentFrom` are read first (one short list for a
 * flow that keeps up); the flow's whole run history only when none of those
 * succeeded.
 */
export async function ingestedUpTo(
  flowService: FlowServiceClient,
  flowId: string,
  recentFrom?: number,
): Promise<number | undefined> {
  if (recentFrom !== undefined) {
    const recent = await collect(
      flowService.listRuns(flowId, [where('params.windowEndTime', '>=', recentFrom)]),
    );
    const end = lastSuccessfulWindowEnd(recent.map(summaryOf));
    if (end !== undefined) return end;
  }
  return lastSuccessfulWindowEnd((await collect(flowService.listRuns(flowId))).map(summaryOf));
}

/** The runs of exactly this window that may still ingest it (not failed; made since `notBefore`), oldest first. */
export async function runsOfWindow(
  flowService: FlowServiceClient,
  flowId: string,
  window: IngestionWindow,
  notBefore?: number,
): Promise<Run[]> {
  const runs = await collect(
    flowService.listRuns(flowId, [where('params.windowStartTime', '==', window.start)]),
  );
  return oldestFirst(
    runs.filter(
      (run) =>
        run.params?.windowStartTime === window.start &&
        run.params?.windowEndTime === window.end &&
        runOutcome(run).state !== 'failed' &&
        (notBefore === undefined || (run.createdAt ?? 0) >= notBefore),
    ),
  );
}

/**
 * The on-demand run of one window: started, or the one already doing it when
 * one may exist (a retried attempt whose answer was lost, waiting out lists
 * that lag; a run an earlier ingestion left going). A failed run is never reused.
 */
export async function startWindowRun(
  clients: Pick<RemoteClients, 'flowService' | 'consistency'>,
  input: { sandbox: string; flowId: string; window: IngestionWindow; notBefore?: number; lookFirst: boolean },
): Promise<{ id: string; reused: boolean }> {
  const flowService = clients.flowService(input.sandbox);
  const create = () =>
    flowService.createRun({
      flowId: input.flowId,
      params: {
        startTime: Math.floor(Date.now() / 1000),
        windowStartTime: input.window.start,
        windowEndTime: input.window.end,
      },
    });
  const retried = (activityInfo()?.attempt ?? 1) > 1;
  if (!input.lookFirst && !retried) return { id: (await create()).id, reused: false };
  const ensured = await findOrCreate(
    () => runsOfWindow(flowService, input.flowId, input.window, input.notBefore),
    create,
    clients.consistency,
  );
  return { id: ensured.id, reused: !ensured.created };
}

/** How one watch of a window's run ended. */
type WindowOutcome =
  | { state: 'success'; records: number; failedRecords: number }
  | { state: 'failed'; reason: string }
  /** Still running after its timeout: the window fails with no second run beside this one. */
  | { state: 'overdue'; reason: string }
  | { state: 'pending'; waitedMs: number };

/**
 * Ingests a flow's windows in order, each run watched with every other
 * window this worker waits on, until the range is done, a window fails all
 * its attempts (nothing after it is ingested, so there is never a gap), a
 * run outlasts its timeout, or the slice is over. Resumes from the last
 * heartbeat on a retry.
 */
export async function ingestWindowSlice(
  clients: Pick<RemoteClients, 'flowService' | 'consistency' | 'windowRuns'>,
  slice: WindowSlice,
): Promise<SliceOutcome> {
  const outcome: SliceOutcome = checkpoint<SliceOutcome>() ?? {
    cursor: slice.cursor,
    succeeded: 0,
    records: 0,
    failedRecords: 0,
  };
  const deadline = Date.now() + slice.maxMs;
  while (
    !outcome.failure &&
    outcome.cursor.next < slice.range.to &&
    outcome.succeeded < slice.maxWindows &&
    Date.now() < deadline
  ) {
    const { cursor } = outcome;
    const window = windowAt(cursor.next, slice.range, slice.windowSeconds);
    const run = cursor.run ?? {
      id: (
        await startWindowRun(clients, {
          sandbox: slice.sandbox,
          flowId: slice.flowId,
          window,
          notBefore: slice.notBefore,
          lookFirst: Boolean(cursor.lookFirst),
        })
      ).id,
      waitedMs: 0,
    };
    outcome.cursor = { next: cursor.next, attempt: cursor.attempt, run };
    heartbeat(outcome);
    const settled = await watchWindowRun(clients, slice, run, deadline);
    if (settled.state === 'success') {
      outcome.cursor = { next: window.end, attempt: 1 };
      outcome.succeeded += 1;
      outcome.records += settled.records;
      outcome.failedRecords += settled.failedRecords;
    } else if (settled.state === 'failed' && cursor.attempt < slice.attemptsPerWindow) {
      outcome.cursor = { next: cursor.next, attempt: cursor.attempt + 1 };
    } else if (settled.state !== 'pending') {
      outcome.failure = { ...window, attempts: cursor.attempt, reason: settled.reason, runId: run.id };
      outcome.cursor = { next: cursor.next, attempt: cursor.attempt };
    } else {
      outcome.cursor.run = { id: run.id, waitedMs: settled.waitedMs };
    }
    heartbeat(outcome);
  }
  return outcome;
}

/**
 * Watches a window's run until it settles or the slice ends. A run still
 * going after its timeout fails the window (without a second run beside it);
 * so does a run that no longer exists.
 */
async function watchWindowRun(
  clients: Pick<RemoteClients, 'flowService' | 'windowRuns'>,
  slice: WindowSlice,
  run: { id: string; waitedMs: number },
  deadline: number,
): Promise<WindowOutcome> {
  const started = Date.now();
  const seen = await clients.windowRuns.settledRun({
    sandbox: slice.sandbox,
    key: run.id,
    since: started - run.waitedMs,
    until: Math.min(deadline, started + slice.runTimeoutMs - run.waitedMs),
    signal: cancellationSignal(),
  });
  const state = seen ? runOutcome(seen) : { state: 'pending' as const };
  if (state.state === 'success')
    return {
      state: 'success',
      records: state.inputRecordCount,
      failedRecords: seen?.metrics?.recordSummary?.failedRecordCount ?? 0,
    };
  if (state.state === 'failed')
    return { state: 'failed', reason: `run ${run.id} failed: ${state.errors.join('; ') || 'no details'}` };
  const waitedMs = run.waitedMs + (Date.now() - started);
  // Lists lag behind writes, so a run no list has shown yet may be new: it is gone only if a read says so.
  if (!seen && !(await clients.flowService(slice.sandbox).getRun(run.id)))
    return { state: 'failed', reason: `run ${run.id} no longer exists` };
  if (waitedMs >= slice.runTimeoutMs)
    return {
      state: 'overdue',
      reason: `run ${run.id} still running after ${Math.round(slice.runTimeoutMs / 1000)} s`,
    };
  return { state: 'pending', waitedMs };
}
