import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import {
  ApplicationFailure,
  metricMeter,
  proxyActivities,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { IngestionActivities } from '../../activities/ingestion';
import {
  splitPeriod,
  windowEndAt,
  windowsToIngest,
  type IngestionWindow,
} from '../../domain/ingestion/windows';
import { cutoverMetrics } from '../../visibility/metrics';
import { CutoverLastStatus } from '../../visibility/search-attributes';
import { READ, WRITE } from '../activity-options';
import { describeFailure } from '../shared/failures';
import { failureWebhook, scheduleOutcome, ScheduledStartTime } from './outcome';
import { forEachBounded } from '../shared/concurrency';
import { pollUntilSettled } from '../shared/polling';
import { countsByStatus, RunReporter } from '../shared/reporter';
import {
  ingestionProgressQuery,
  scheduleIdOf,
  type BackfillInput,
  type IngestionFlow,
  type IngestionProgress,
  type IngestionSettings,
} from './messages';

/*
 * Ingestion as runs started before it was split into groups of flows
 * (PATCHES.ingestionInGroups) still do it: every window of every flow in one
 * history. Kept, unchanged in what it schedules, so those runs replay on
 * today's workers; removed once no such run can be open.
 */

interface WindowResult {
  start: number;
  end: number;
  status: 'success' | 'failed';
  attempts: number;
  runId?: string;
  records?: number;
  failedRecords?: number;
  reason?: string;
}

interface FlowIngestion extends IngestionFlow {
  windows: WindowResult[];
}

/** What these runs return. */
export interface LegacyIngestionProgress {
  scheduledAt: string;
  status: 'running' | 'success' | 'failed';
  flows: FlowIngestion[];
}

/** The progress these runs answer the query with, as today's runs tell it. */
function asProgress(legacy: LegacyIngestionProgress): IngestionProgress {
  const windows = legacy.flows.flatMap((flow) => flow.windows.map((window) => ({ flow, window })));
  const failures = windows
    .filter(({ window }) => window.status === 'failed')
    .map(({ flow, window }) => ({
      sandbox: flow.sandbox,
      flowId: flow.flowId,
      ...(flow.name ? { name: flow.name } : {}),
      start: window.start,
      end: window.end,
      attempts: window.attempts,
      reason: window.reason ?? '',
      ...(window.runId ? { runId: window.runId } : {}),
    }));
  return {
    scheduledAt: legacy.scheduledAt,
    status: legacy.status,
    dataflows: legacy.flows.length,
    windows: {
      planned: windows.length,
      succeeded: windows.length - failures.length,
      failed: failures.length,
      records: windows.reduce((sum, { window }) => sum + (window.records ?? 0), 0),
      failedRecords: windows.reduce((sum, { window }) => sum + (window.failedRecords ?? 0), 0),
      flowsDone: legacy.status === 'running' ? 0 : legacy.flows.length,
    },
    failures,
    moreFailures: 0,
  };
}

const runs = proxyActivities<Pick<IngestionActivities, 'lastIngestedWindowEnd' | 'ingestionRunOutcome'>>({
  ...READ,
  summary: 'Read Flow Service runs: where ingestion stopped, or how a run ended',
});

const starts = proxyActivities<Pick<IngestionActivities, 'startIngestionRun'>>({
  ...WRITE,
  summary: 'Start (or find) the on-demand run of a window',
});

const FLOWS_AT_ONCE = 5;

/** One window, tried up to `attemptsPerWindow` times; each failed Flow Service run is followed by a new one. */
async function ingestWindow(
  settings: IngestionSettings,
  flow: IngestionFlow,
  window: IngestionWindow,
  notBefore?: number,
): Promise<WindowResult> {
  let reason = '';
  for (let attempt = 1; attempt <= settings.attemptsPerWindow; attempt += 1) {
    const { runId } = await starts.startIngestionRun({
      sandbox: flow.sandbox,
      flowId: flow.flowId,
      window,
      ...(notBefore !== undefined ? { notBefore } : {}),
    });
    const outcome = await pollUntilSettled(
      () => runs.ingestionRunOutcome({ sandbox: flow.sandbox, runId }),
      msToNumber(settings.runTimeout as Duration),
      `Wait for run ${runId} (${new Date(window.start * 1000).toISOString()} to ${new Date(window.end * 1000).toISOString()})`,
    );
    if (outcome.state === 'success') {
      return {
        ...window,
        status: 'success',
        attempts: attempt,
        runId,
        records: outcome.records,
        failedRecords: outcome.failedRecords,
      };
    }
    if (outcome.state === 'pending') {
      return {
        ...window,
        status: 'failed',
        attempts: attempt,
        runId,
        reason: `run ${runId} still running after ${settings.runTimeout}`,
      };
    }
    reason = `run ${runId} failed: ${outcome.detail}`;
  }
  return { ...window, status: 'failed', attempts: settings.attemptsPerWindow, reason };
}

/** Windows of one flow in order; the first failure stops the flow, so no later window gets ahead of a gap. */
async function ingestInOrder(
  settings: IngestionSettings,
  flow: IngestionFlow,
  windows: IngestionWindow[],
  into: FlowIngestion,
  notBefore?: number,
): Promise<void> {
  const metrics = cutoverMetrics(metricMeter);
  for (const window of windows) {
    const result = await ingestWindow(settings, flow, window, notBefore);
    into.windows.push(result);
    metrics.windowsSettled(result.status, 1);
    if (result.status === 'failed') return;
  }
}

function describeRun(progress: LegacyIngestionProgress): string {
  const windows = progress.flows.flatMap((flow) => flow.windows.map((window) => ({ flow, window })));
  const failed = windows.filter(({ window }) => window.status === 'failed');
  const records = windows.reduce((sum, { window }) => sum + (window.records ?? 0), 0);
  if (!failed.length) return `${windows.length} window(s) ingested, ${records} records`;
  return `${failed.length} window(s) failed: ${failed
    .map(
      ({ flow, window }) =>
        `${flow.name ?? flow.flowId} ${new Date(window.start * 1000).toISOString()}: ${window.reason}`,
    )
    .join('; ')}`;
}

/** Where an ingestion run stands, as every run kind reports it: windows by status. */
function reportRun(
  reporter: RunReporter<IngestionProgress>,
  progress: LegacyIngestionProgress,
  note?: string,
) {
  const windows = progress.flows.flatMap((flow) => flow.windows);
  const failed = windows.filter((window) => window.status === 'failed').length;
  reporter.report(
    {
      phase: progress.status,
      unit: 'windows',
      total: windows.length,
      done: windows.length - failed,
      failed,
      counts: countsByStatus(windows, ['success', 'failed']),
      note: note ?? `For ${progress.scheduledAt}`,
    },
    progress.status === 'running' ? [] : [{ key: CutoverLastStatus, value: progress.status }],
  );
}

async function finish(
  settings: IngestionSettings,
  progress: LegacyIngestionProgress,
  reporter: RunReporter<IngestionProgress>,
  scheduled: boolean,
) {
  const failed = progress.flows.some((flow) => flow.windows.some((window) => window.status === 'failed'));
  progress.status = failed ? 'failed' : 'success';
  const summary = describeRun(progress);
  upsertMemo({ lastStatus: progress.status, summary });
  reportRun(reporter, progress, `For ${progress.scheduledAt}: ${summary}`);
  if (scheduled) {
    await scheduleOutcome.recordScheduleOutcome({
      scheduleId: scheduleIdOf(settings.schedule),
      status: progress.status,
      detail: summary,
      ...(settings.pauseAfterFailures ? { pauseAfterFailures: settings.pauseAfterFailures } : {}),
    });
  }
  if (failed) {
    // The webhook is a courtesy: when it cannot be reached, the run still fails for its own reason.
    const notified = await failureWebhook
      .notifyIngestionFailure({
        report: { schedule: settings.schedule, workflowId: workflowInfo().workflowId, ...progress, summary },
      })
      .then(
        () => '',
        (error: unknown) => ` (the webhook could not be told: ${describeFailure(error)})`,
      );
    throw ApplicationFailure.nonRetryable(
      `Ingestion for ${settings.schedule} failed: ${summary}${notified}`,
      'IngestionFailed',
    );
  }
}

/**
 * One scheduled ingestion run: each flow ingests the windows from where its
 * last successful on-demand run ended up to the window the scheduled time
 * closes (the Flow Service's runs are the record), in order, waiting for each
 * run with durable timers. A failed window fails the run, and is the first
 * window the next run ingests.
 */
export async function legacyScheduledIngestion(
  settings: IngestionSettings,
): Promise<LegacyIngestionProgress> {
  const scheduledAt = workflowInfo().typedSearchAttributes.get(ScheduledStartTime) ?? new Date(Date.now());
  const progress: LegacyIngestionProgress = {
    scheduledAt: scheduledAt.toISOString(),
    status: 'running',
    flows: settings.flows.map((flow) => ({ ...flow, windows: [] })),
  };
  const reporter = new RunReporter(settings, ingestionProgressQuery, () => asProgress(progress));
  reportRun(reporter, progress);
  const end = windowEndAt(Math.floor(scheduledAt.getTime() / 1000), settings.windowSeconds);
  await forEachBounded(progress.flows, FLOWS_AT_ONCE, async (flow) => {
    const { end: last } = await runs.lastIngestedWindowEnd({ sandbox: flow.sandbox, flowId: flow.flowId });
    await ingestInOrder(
      settings,
      flow,
      windowsToIngest(last, end, settings.windowSeconds, settings.maxWindowsPerRun),
      flow,
    );
  });
  await finish(settings, progress, reporter, true);
  return progress;
}

/** Re-ingests a past period in the schedule's windows, in order, even where it was ingested before. */
export async function legacyIngestionBackfill(input: BackfillInput): Promise<LegacyIngestionProgress> {
  const progress: LegacyIngestionProgress = {
    scheduledAt: new Date(input.to * 1000).toISOString(),
    status: 'running',
    flows: input.flows.map((flow) => ({ ...flow, windows: [] })),
  };
  const reporter = new RunReporter(input, ingestionProgressQuery, () => asProgress(progress));
  reportRun(reporter, progress);
  const windows = splitPeriod(input.from, input.to, input.windowSeconds);
  // Runs this backfill made are reused on retry; older runs of the same window are deliberately redone.
  const startedAt = workflowInfo().startTime.getTime();
  for (const flow of progress.flows) await ingestInOrder(input, flow, windows, flow, startedAt);
  await finish(input, progress, reporter, false);
  return progress;
}
