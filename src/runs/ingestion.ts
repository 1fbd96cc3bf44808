import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
} from '@temporalio/client';
import type { CutoverConfig, IngestionScheduleConfig } from '../config/schema';
import { replaceScheduleDefinition, updateScheduleSearchAttributes } from '../temporal/schedule-changes';
import {
  CutoverFlowGroup,
  CutoverItemsFailed,
  CutoverKind,
  CutoverLastStatus,
  CutoverSandboxes,
} from '../visibility/search-attributes';
import { ingestionBackfillWorkflow, scheduledIngestionWorkflow } from '../workflows/ingestion/ingestion';
import type { IngestionFlow, IngestionSettings } from '../workflows/ingestion/messages';
import { scheduleIdOf } from '../workflows/ingestion/messages';

/** The CutoverKind of each thing scheduled ingestion puts in Temporal. */
export const INGESTION_KINDS = {
  run: 'ingestion',
  schedule: 'ingestion-schedule',
  backfill: 'ingestion-backfill',
} as const;

const MANAGED_BY = 'cutover ingestion';

/** The settings every run of a configured schedule gets: what `sync` compares with what Temporal has. */
export function ingestionSettingsFor(
  entry: IngestionScheduleConfig,
  flows: IngestionFlow[],
): IngestionSettings {
  return {
    schedule: entry.name,
    flows,
    windowSeconds: Math.round(msToNumber(entry.interval as Duration) / 1000),
    maxWindowsPerRun: entry.maxWindowsPerRun,
    attemptsPerWindow: entry.attemptsPerWindow,
    runTimeout: entry.runTimeout,
    ...(entry.pauseAfterFailures ? { pauseAfterFailures: entry.pauseAfterFailures } : {}),
    ...(entry.concurrency ? { concurrency: entry.concurrency } : {}),
    spec: {
      interval: entry.interval,
      ...(entry.cron ? { cron: entry.cron } : {}),
      catchupWindow: entry.catchupWindow,
    },
  };
}

/**
 * A run never starts while the previous one still ingests (one run at a time
 * counts the schedule's failures in a row), and since each run starts where
 * the Flow Service's last successful window ended, a skipped start loses
 * nothing.
 */
const INGESTION_OVERLAP = ScheduleOverlapPolicy.SKIP;

/** Starts a run of the schedule now, unless one is running (Temporal's own trigger would start a second). */
export async function triggerIngestionSchedule(client: Client, scheduleId: string): Promise<void> {
  await client.schedule.getHandle(scheduleId).trigger(INGESTION_OVERLAP);
}

/** A Temporal Schedule for one group of flows. */
export function scheduleOptionsFor(config: CutoverConfig, settings: IngestionSettings): ScheduleOptions {
  const sandboxes = [...new Set(settings.flows.map((flow) => flow.sandbox))].sort();
  const kindAttributes = [
    { key: CutoverFlowGroup, value: settings.schedule },
    { key: CutoverSandboxes, value: sandboxes },
  ];
  return {
    scheduleId: scheduleIdOf(settings.schedule),
    spec: settings.spec.cron
      ? { cronExpressions: settings.spec.cron }
      : { intervals: [{ every: settings.spec.interval as Duration }] },
    action: {
      type: 'startWorkflow',
      workflowType: scheduledIngestionWorkflow,
      workflowId: `${scheduleIdOf(settings.schedule)}/run`,
      taskQueue: config.temporal.taskQueue,
      args: [settings],
      typedSearchAttributes: [{ key: CutoverKind, value: INGESTION_KINDS.run }, ...kindAttributes],
      staticSummary: `Ingest ${settings.flows.length} dataflow(s) of ${settings.schedule}`.slice(0, 200),
    },
    policies: {
      overlap: INGESTION_OVERLAP,
      catchupWindow: settings.spec.catchupWindow as Duration,
      pauseOnFailure: false,
    },
    state: { note: `${MANAGED_BY}: created` },
    // Whose schedule this is: sync only ever touches the schedules of its own task queue.
    memo: { managedBy: MANAGED_BY, taskQueue: config.temporal.taskQueue },
    typedSearchAttributes: [
      { key: CutoverKind, value: INGESTION_KINDS.schedule },
      ...kindAttributes,
      { key: CutoverLastStatus, value: 'new' },
      { key: CutoverItemsFailed, value: 0 },
    ],
  };
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : item,
  );
}

export interface SyncReport {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
}

/** The ids of the ingestion schedules cutover manages for this task queue. */
export async function managedScheduleIds(client: Client, taskQueue: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const schedule of client.schedule.list()) {
    if (
      schedule.scheduleId.startsWith('ingestion/') &&
      schedule.memo?.managedBy === MANAGED_BY &&
      schedule.memo.taskQueue === taskQueue
    )
      ids.push(schedule.scheduleId);
  }
  return ids.sort();
}

/**
 * Makes Temporal's ingestion schedules match the config: creates the missing,
 * updates the changed (settings, spec, policies; their paused state and
 * status stay, since pausing is a person's or a failure's decision), deletes
 * the ones the config no longer has. Running it twice changes nothing.
 */
export async function syncIngestionSchedules(
  client: Client,
  config: CutoverConfig,
  desired: IngestionSettings[],
  options: { dryRun?: boolean } = {},
): Promise<SyncReport> {
  const result: SyncReport = { created: [], updated: [], deleted: [], unchanged: [] };
  const wanted = new Map(desired.map((settings) => [scheduleIdOf(settings.schedule), settings]));
  for (const [scheduleId, settings] of wanted) {
    await namingTheSchedule(settings.schedule, () => syncOne(scheduleId, settings));
  }
  for (const scheduleId of await managedScheduleIds(client, config.temporal.taskQueue)) {
    if (wanted.has(scheduleId)) continue;
    if (!options.dryRun) await client.schedule.getHandle(scheduleId).delete();
    result.deleted.push(scheduleId);
  }
  return result;

  async function syncOne(scheduleId: string, settings: IngestionSettings): Promise<void> {
    const options_ = scheduleOptionsFor(config, settings);
    const handle = client.schedule.getHandle(scheduleId);
    const current = await handle.describe().catch((error: unknown) => {
      if (error instanceof ScheduleNotFoundError) return undefined;
      throw error;
    });
    if (!current) {
      if (!options.dryRun) {
        const entry = config.ingestion?.schedules.find((candidate) => candidate.name === settings.schedule);
        await client.schedule.create({
          ...options_,
          state: { ...options_.state, paused: entry?.paused ?? false },
        });
      }
      result.created.push(scheduleId);
      return;
    }
    const same =
      current.action.type === 'startWorkflow' &&
      canonical(current.action.args?.[0]) === canonical(settings) &&
      current.action.taskQueue === config.temporal.taskQueue;
    if (same) {
      result.unchanged.push(scheduleId);
      return;
    }
    if (!options.dryRun) await replaceScheduleDefinition(client.schedule, options_);
    result.updated.push(scheduleId);
  }
}

/**
 * Unpauses a schedule with Temporal's own unpause, then starts a fresh count
 * of failures in a row without rewriting anything else: a pause that comes
 * right after (a person's, or the schedule's own after failures) stays.
 */
export async function unpauseIngestionSchedule(client: Client, scheduleId: string, note: string) {
  await client.schedule.getHandle(scheduleId).unpause(note);
  await updateScheduleSearchAttributes(client.schedule, scheduleId, () => [
    { key: CutoverItemsFailed, value: 0 },
  ]);
}

/** Runs one schedule's step; whatever goes wrong says which schedule it was. */
async function namingTheSchedule(name: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    throw new Error(`ingestion.schedules "${name}": ${(error as Error).message}`, { cause: error });
  }
}

/** Re-ingests a past period for a schedule's flows, in its windows and in order, as one workflow. */
export function startIngestionBackfill(
  client: Client,
  config: CutoverConfig,
  settings: IngestionSettings,
  period: { from: Date; to: Date },
) {
  const { from, to } = period;
  const sandboxes = [...new Set(settings.flows.map((flow) => flow.sandbox))].sort();
  return client.workflow.start(ingestionBackfillWorkflow, {
    taskQueue: config.temporal.taskQueue,
    workflowId: `${scheduleIdOf(settings.schedule)}/backfill/${from.toISOString()}/${to.toISOString()}`,
    workflowIdConflictPolicy: 'USE_EXISTING',
    args: [{ ...settings, from: Math.floor(from.getTime() / 1000), to: Math.ceil(to.getTime() / 1000) }],
    typedSearchAttributes: [
      { key: CutoverKind, value: INGESTION_KINDS.backfill },
      { key: CutoverFlowGroup, value: settings.schedule },
      { key: CutoverSandboxes, value: sandboxes },
    ],
    staticSummary: `Backfill ${settings.schedule}: ${from.toISOString()} to ${to.toISOString()}`,
  });
}
