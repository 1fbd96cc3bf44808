import {
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  metricMeter,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { IngestionActivities } from '../../activities/ingestion';
import type { SliceOutcome } from '../../activities/ingestion-windows';
import { scheduledRange, windowAt, windowCount } from '../../domain/ingestion/windows';
import { cutoverMetrics } from '../../visibility/metrics';
import { INGEST, READ } from '../activity-options';
import { forEachBounded } from '../shared/concurrency';
import { describeFailure } from '../shared/failures';
import { WATCH_SLICE_MS } from '../shared/polling';
import {
  groupProgressQuery,
  groupReportSignal,
  NO_WINDOWS,
  type GroupFlow,
  type GroupTally,
  type IngestionGroupInput,
} from './messages';

const standings = proxyActivities<Pick<IngestionActivities, 'ingestionStandings'>>({
  ...READ,
  summary: 'Read where each flow stands: the end of its last successful window',
});

const windows = proxyActivities<Pick<IngestionActivities, 'ingestWindows'>>({
  ...INGEST,
  summary: "Ingest a flow's next windows, in order",
});

/**
 * Windows one slice ingests at most: a slice is a few events in the group's
 * history however many windows it covers, and the run hears of progress
 * between slices.
 */
export const WINDOWS_PER_SLICE = 100;

/**
 * Events after which a group continues as new, carrying where each flow
 * stands: far enough under Temporal's 10,240-event warning that every lane
 * can finish the slice it is in.
 */
export const GROUP_HISTORY_BUDGET = 5_000;

/**
 * A group of a run's flows, each ingesting its windows in order, `lanes` at
 * once: slices of windows, each a few events, reported to the run every so
 * often, and a fresh history (continue-as-new) whenever this one has grown.
 */
export async function runIngestionGroup(input: IngestionGroupInput): Promise<GroupTally> {
  const group = new IngestionGroup(input);
  await group.resolveRanges();
  await forEachBounded(group.unfinished(), input.lanes, (flow) => group.ingest(flow));
  await group.flush();
  if (group.unfinished().length) await continueAsNew<typeof runIngestionGroup>(group.carried());
  return group.tally;
}

class IngestionGroup {
  readonly tally: GroupTally;
  private readonly metrics = cutoverMetrics(metricMeter);
  private readonly run;
  private settledSinceReport = 0;
  private failuresReported: number;
  /** Reports go one after another, so the run never applies an older one last. */
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly input: IngestionGroupInput) {
    this.tally = input.tally ?? { ...NO_WINDOWS, failures: [] };
    this.failuresReported = input.failuresReported ?? 0;
    this.run = getExternalWorkflowHandle(input.runWorkflowId);
    setHandler(groupProgressQuery, () => this.tally);
  }

  unfinished(): GroupFlow[] {
    return this.input.flows.filter((flow) => !flow.done);
  }

  /** A scheduled run's flows start where their last success ended: read once, on the group's first run. */
  async resolveRanges(): Promise<void> {
    const backfill = this.input.backfill;
    const toResolve = this.input.flows.filter((flow) => !flow.range);
    if (!toResolve.length) return;
    if (backfill) {
      for (const flow of toResolve) this.start(flow, backfill.range, false);
    } else {
      const { end, maxWindowsPerRun } = this.input.scheduled!;
      const { ends } = await standings.ingestionStandings({
        flows: toResolve.map(({ sandbox, flowId }) => ({ sandbox, flowId })),
        recentFrom: end - 2 * maxWindowsPerRun * this.input.windowSeconds,
      });
      toResolve.forEach((flow, index) =>
        this.start(
          flow,
          scheduledRange(ends[index] ?? undefined, end, this.input.windowSeconds, maxWindowsPerRun),
          // An earlier run may have left this window's run going: reuse it rather than start a second.
          true,
        ),
      );
    }
    this.report();
  }

  private start(flow: GroupFlow, range: NonNullable<GroupFlow['range']>, lookFirst: boolean): void {
    flow.range = range;
    flow.cursor = { next: range.from, attempt: 1, ...(lookFirst ? { lookFirst } : {}) };
    this.tally.planned += windowCount(range, this.input.windowSeconds);
    if (range.from >= range.to) this.finished(flow);
  }

  /** One flow's windows, slice after slice, until it is done or this history has grown enough. */
  async ingest(flow: GroupFlow): Promise<void> {
    while (!flow.done && !this.historyIsFull()) this.apply(flow, await this.slice(flow));
  }

  /**
   * The flow's next slice. A slice that fails past its retries (the flow is
   * gone, a permission is missing) stops this flow at its window, not the group.
   */
  private async slice(flow: GroupFlow): Promise<SliceOutcome> {
    const { range, cursor } = flow as Required<GroupFlow>;
    try {
      return await windows.ingestWindows({
        sandbox: flow.sandbox,
        flowId: flow.flowId,
        range,
        cursor,
        windowSeconds: this.input.windowSeconds,
        attemptsPerWindow: this.input.attemptsPerWindow,
        runTimeoutMs: this.input.runTimeoutMs,
        ...(this.input.backfill ? { notBefore: this.input.backfill.notBefore } : {}),
        maxWindows: WINDOWS_PER_SLICE,
        maxMs: WATCH_SLICE_MS,
      });
    } catch (error) {
      if (isCancellation(error)) throw error;
      return {
        cursor,
        succeeded: 0,
        records: 0,
        failedRecords: 0,
        failure: {
          ...windowAt(cursor.next, range, this.input.windowSeconds),
          attempts: cursor.attempt,
          reason: describeFailure(error),
        },
      };
    }
  }

  private apply(flow: GroupFlow, outcome: SliceOutcome): void {
    flow.cursor = outcome.cursor;
    this.tally.succeeded += outcome.succeeded;
    this.tally.records += outcome.records;
    this.tally.failedRecords += outcome.failedRecords;
    this.metrics.windowsSettled('success', outcome.succeeded);
    this.settledSinceReport += outcome.succeeded;
    if (outcome.failure) {
      this.tally.failed += 1;
      this.tally.failures.push({
        sandbox: flow.sandbox,
        flowId: flow.flowId,
        ...(flow.name ? { name: flow.name } : {}),
        ...outcome.failure,
      });
      this.metrics.windowsSettled('failed', 1);
      this.settledSinceReport += 1;
      this.finished(flow);
    } else if (outcome.cursor.next >= flow.range!.to) this.finished(flow);
    if (this.settledSinceReport >= this.input.reportEvery) this.report();
  }

  private finished(flow: GroupFlow): void {
    flow.done = true;
    this.tally.flowsDone += 1;
  }

  private historyIsFull(): boolean {
    const info = workflowInfo();
    return (
      info.continueAsNewSuggested || info.historyLength >= (this.input.historyBudget ?? GROUP_HISTORY_BUDGET)
    );
  }

  /** Tells the run the group's tally and the failures it has not heard of; a run that is gone is not waited for. */
  private report(): void {
    const { failures, ...counts } = this.tally;
    const newFailures = failures.slice(this.failuresReported);
    this.failuresReported = failures.length;
    this.settledSinceReport = 0;
    const report = { group: this.input.group, tally: counts, newFailures };
    this.sending = this.sending.then(() => this.run.signal(groupReportSignal, report).catch(() => undefined));
  }

  async flush(): Promise<void> {
    if (this.settledSinceReport > 0 && this.unfinished().length) this.report();
    await this.sending;
  }

  /** The input of the group's next history: every flow where it stands, and the tally so far. */
  carried(): IngestionGroupInput {
    return {
      ...this.input,
      flows: this.unfinished(),
      tally: this.tally,
      failuresReported: this.failuresReported,
    };
  }
}
