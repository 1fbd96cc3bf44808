import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import {
  ApplicationFailure,
  isCancellation,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import { INGESTION_CONCURRENCY } from '../../domain/defaults';
import { scheduleSizeProblem } from '../../domain/ingestion/limits';
import { periodRange, windowCount, windowEndAt } from '../../domain/ingestion/windows';
import { CutoverLastStatus } from '../../visibility/search-attributes';
import { PATCHES } from '../patches';
import { failureWebhook, scheduleOutcome, ScheduledById, ScheduledStartTime } from './outcome';
import { describeFailure } from '../shared/failures';
import { RunReporter } from '../shared/reporter';
import { runIngestionGroup } from './group';
import { legacyIngestionBackfill, legacyScheduledIngestion, type LegacyIngestionProgress } from './legacy';
import {
  groupReportSignal,
  ingestionProgressQuery,
  NO_WINDOWS,
  type BackfillInput,
  type FailedWindow,
  type GroupReport,
  type GroupTally,
  type IngestionGroupInput,
  type IngestionProgress,
  type IngestionSettings,
  type WindowTally,
} from './messages';

/** Flows per child workflow: each group's input and result stay a few tens of kilobytes. */
const FLOWS_PER_GROUP = 100;
/** Reports all groups send their run, at most: each is a few events in the run's history. */
const REPORTS_PER_RUN = 300;
/** Failed windows a run's progress shows; the rest are counted. */
const FAILURES_SHOWN = 50;
/** Failed windows a run's summary (memo, failure message) names. */
const FAILURES_NAMED = 5;

/**
 * One scheduled ingestion run: each flow ingests the windows from where its
 * last successful on-demand run ended up to the window the scheduled time
 * closes (the Flow Service's runs are the record), in order. A failed window
 * stops its flow and fails the run, and is the first window the next run
 * ingests.
 */
export async function scheduledIngestionWorkflow(
  settings: IngestionSettings,
): Promise<IngestionProgress | LegacyIngestionProgress> {
  if (!patched(PATCHES.ingestionInGroups)) return legacyScheduledIngestion(settings);
  const scheduledAt = workflowInfo().typedSearchAttributes.get(ScheduledStartTime) ?? new Date(Date.now());
  const end = windowEndAt(Math.floor(scheduledAt.getTime() / 1000), settings.windowSeconds);
  const run = new IngestionRun(settings, scheduledAt, settings.flows.length * settings.maxWindowsPerRun);
  return run.ingest(
    { scheduled: { end, maxWindowsPerRun: settings.maxWindowsPerRun } },
    // A run started by hand (or where search attributes are off) has no schedule to record its outcome on.
    workflowInfo().typedSearchAttributes.get(ScheduledById),
  );
}

/** Re-ingests a past period in the schedule's windows, in order, even where it was ingested before. */
export async function ingestionBackfillWorkflow(
  input: BackfillInput,
): Promise<IngestionProgress | LegacyIngestionProgress> {
  if (!patched(PATCHES.ingestionInGroups)) return legacyIngestionBackfill(input);
  const range = periodRange(input.from, input.to, input.windowSeconds);
  const run = new IngestionRun(
    input,
    new Date(input.to * 1000),
    input.flows.length * windowCount(range, input.windowSeconds),
  );
  // Runs this backfill made are reused on retry; older runs of the same window are deliberately redone.
  return run.ingest({ backfill: { range, notBefore: workflowInfo().startTime.getTime() } });
}

/** A group of an ingestion run's flows, in its own history (see `runIngestionGroup`). */
export async function ingestionGroupWorkflow(input: IngestionGroupInput): Promise<GroupTally> {
  return runIngestionGroup(input);
}

/**
 * A run's flows in groups, each a child workflow with its own history, so a
 * run of any number of flows and windows stays far under Temporal's history
 * and payload limits; the run keeps only counts and the failed windows.
 */
class IngestionRun {
  private readonly progress: IngestionProgress;
  private readonly reporter: RunReporter<IngestionProgress>;
  private readonly tallies: WindowTally[] = [];
  private readonly failures: FailedWindow[][] = [];
  private readonly groupErrors: string[] = [];

  constructor(
    private readonly settings: IngestionSettings,
    scheduledAt: Date,
    private readonly mostWindows: number,
  ) {
    this.progress = {
      scheduledAt: scheduledAt.toISOString(),
      status: 'running',
      dataflows: settings.flows.length,
      windows: { ...NO_WINDOWS },
      failures: [],
      moreFailures: 0,
    };
    this.reporter = new RunReporter(settings, ingestionProgressQuery, () => this.progress);
    setHandler(groupReportSignal, (report) => this.apply(report));
  }

  async ingest(
    plan: Pick<IngestionGroupInput, 'scheduled' | 'backfill'>,
    scheduleId?: string,
  ): Promise<IngestionProgress> {
    const tooMany = scheduleSizeProblem(this.settings.schedule, this.settings.flows.length);
    if (tooMany) throw ApplicationFailure.nonRetryable(tooMany, 'IngestionTooLarge');
    this.show();
    const groups = inGroupsOf(this.settings.flows, FLOWS_PER_GROUP);
    const lanes = Math.max(
      1,
      Math.floor((this.settings.concurrency ?? INGESTION_CONCURRENCY) / Math.max(1, groups.length)),
    );
    const reportEvery = Math.max(1, Math.ceil(this.mostWindows / REPORTS_PER_RUN));
    const handles = await Promise.all(
      groups.map((flows, group) =>
        startChild(ingestionGroupWorkflow, {
          workflowId: `${workflowInfo().workflowId}/flows-${group + 1}`,
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          staticSummary:
            `Ingest ${flows.length} dataflow(s) of ${this.settings.schedule}, group ${group + 1} of ${groups.length}`.slice(
              0,
              200,
            ),
          args: [
            {
              runWorkflowId: workflowInfo().workflowId,
              schedule: this.settings.schedule,
              group,
              flows,
              windowSeconds: this.settings.windowSeconds,
              attemptsPerWindow: this.settings.attemptsPerWindow,
              runTimeoutMs: msToNumber(this.settings.runTimeout as Duration),
              lanes,
              reportEvery,
              ...plan,
            },
          ],
        }),
      ),
    );
    await Promise.all(
      handles.map((handle, group) =>
        handle.result().then(
          (tally) => this.settle(group, tally),
          (error: unknown) => {
            if (isCancellation(error)) throw error;
            this.groupErrors.push(`group ${group + 1}: ${describeFailure(error)}`);
          },
        ),
      ),
    );
    await this.finish(scheduleId);
    return this.progress;
  }

  private apply(report: GroupReport): void {
    this.tallies[report.group] = report.tally;
    (this.failures[report.group] ??= []).push(...report.newFailures);
    this.show();
  }

  private settle(group: number, tally: GroupTally): void {
    const { failures, ...counts } = tally;
    this.tallies[group] = counts;
    this.failures[group] = failures;
  }

  /** Sums the groups' tallies into the run's progress, and shows it. */
  private show(note?: string): void {
    const windows = { ...NO_WINDOWS };
    for (const tally of this.tallies)
      for (const key of Object.keys(windows) as Array<keyof WindowTally>) windows[key] += tally?.[key] ?? 0;
    const failures = this.failures.flat();
    Object.assign(this.progress, {
      windows,
      failures: failures.slice(0, FAILURES_SHOWN),
      moreFailures: Math.max(0, windows.failed - FAILURES_SHOWN),
    });
    this.reporter.report(
      {
        phase: this.progress.status,
        unit: 'windows',
        total: windows.planned,
        done: windows.succeeded,
        failed: windows.failed,
        counts: [
          ['success', windows.succeeded],
          ['failed', windows.failed],
        ].filter(([, count]) => Number(count) > 0) as Array<[string, number]>,
        note: note ?? `For ${this.progress.scheduledAt}: ${this.progress.dataflows} dataflow(s)`,
      },
      this.progress.status === 'running' ? [] : [{ key: CutoverLastStatus, value: this.progress.status }],
    );
  }

  private summary(): string {
    const { windows, failures } = this.progress;
    const ingested = `${windows.succeeded} window(s) ingested, ${windows.records} records`;
    if (!windows.failed && !this.groupErrors.length) return ingested;
    const named = failures
      .slice(0, FAILURES_NAMED)
      .map(
        (failure) =>
          `${failure.name ?? failure.flowId} ${new Date(failure.start * 1000).toISOString()}: ${failure.reason}`,
      );
    const more = windows.failed - named.length;
    return [
      `${windows.failed} window(s) failed: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}`,
      ...this.groupErrors,
      ingested,
    ].join('; ');
  }

  private async finish(scheduleId: string | undefined): Promise<void> {
    const failed = this.progress.windows.failed > 0 || this.groupErrors.length > 0;
    this.progress.status = failed ? 'failed' : 'success';
    const summary = this.summary();
    upsertMemo({ lastStatus: this.progress.status, summary });
    this.show(`For ${this.progress.scheduledAt}: ${summary}`);
    if (scheduleId)
      await scheduleOutcome.recordScheduleOutcome({
        scheduleId,
        status: this.progress.status,
        detail: summary,
        ...(this.settings.pauseAfterFailures ? { pauseAfterFailures: this.settings.pauseAfterFailures } : {}),
      });
    if (!failed) return;
    // The webhook is a courtesy: when it cannot be reached, the run still fails for its own reason.
    const notified = await failureWebhook
      .notifyIngestionFailure({
        report: {
          schedule: this.settings.schedule,
          workflowId: workflowInfo().workflowId,
          ...this.progress,
          summary,
        },
      })
      .then(
        () => '',
        (error: unknown) => ` (the webhook could not be told: ${describeFailure(error)})`,
      );
    throw ApplicationFailure.nonRetryable(
      `Ingestion for ${this.settings.schedule} failed: ${summary}${notified}`,
      'IngestionFailed',
    );
  }
}

function inGroupsOf<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, (index + 1) * size),
  );
}
