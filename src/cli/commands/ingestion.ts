import { ScheduleNotFoundError, type Client, type ScheduleDescription } from '@temporalio/client';
import { z } from 'zod';
import { loadConfigFile } from '../../config/load';
import type { CutoverConfig, IngestionScheduleConfig } from '../../config/schema';
import { scheduleSizeProblem } from '../../domain/ingestion/limits';
import { planningClients } from '../../runs/clients';
import { CutoverItemsFailed, CutoverLastStatus } from '../../visibility/search-attributes';
import {
  ingestionSettingsFor,
  managedScheduleIds,
  scheduleOptionsFor,
  startIngestionBackfill,
  syncIngestionSchedules,
  triggerIngestionSchedule,
  unpauseIngestionSchedule,
} from '../../runs/ingestion';
import {
  ingestionProgressQuery,
  scheduleIdOf,
  type IngestionProgress,
  type IngestionSettings,
} from '../../workflows/ingestion/messages';
import { configFlag, configPathFrom, parseCommandArgs, UsageError } from '../args';
import { followWorkflow } from '../follow';
import { formatTable } from '../table';
import { connectClient } from '../temporal-client';
import { resolveIngestionFlows } from './ingestion-flows';

/** Every configured schedule with its flows resolved: what Temporal should have. */
export async function desiredIngestionSettings(
  config: CutoverConfig,
  client: Client,
  only?: string,
): Promise<IngestionSettings[]> {
  const entries = (config.ingestion?.schedules ?? []).filter((entry) => !only || entry.name === only);
  if (only && !entries.length)
    throw new UsageError(
      `--name ${only}: not in ingestion.schedules (${(config.ingestion?.schedules ?? []).map((entry) => entry.name).join(', ') || 'none configured'})`,
    );
  const clients = planningClients(config);
  const settings: IngestionSettings[] = [];
  for (const entry of entries) {
    const flows = await resolveIngestionFlows(entry, { clients, client });
    const tooMany = scheduleSizeProblem(entry.name, flows.length);
    if (tooMany) throw new UsageError(tooMany);
    settings.push(ingestionSettingsFor(entry, flows));
  }
  return settings;
}

function entryNamed(config: CutoverConfig, name: string | undefined): IngestionScheduleConfig {
  if (!name) throw new UsageError('--name is required: the schedule name from ingestion.schedules');
  const entry = config.ingestion?.schedules.find((candidate) => candidate.name === name);
  if (!entry)
    throw new UsageError(
      `--name ${name}: not in ingestion.schedules (${(config.ingestion?.schedules ?? []).map((candidate) => candidate.name).join(', ') || 'none configured'})`,
    );
  return entry;
}

const flags = {
  ...configFlag,
  name: { type: 'string' },
  note: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  'dry-run': { type: 'boolean' },
  detach: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;
const isoTime = z.iso.datetime({
  offset: true,
  error: 'expected an ISO 8601 time such as 2026-11-01T00:00:00Z',
});
const args = z.object({
  config: z.string().optional(),
  name: z.string().optional(),
  note: z.string().optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  'dry-run': z.boolean().default(false),
  detach: z.boolean().default(false),
  json: z.boolean().default(false),
});
type Args = z.output<typeof args>;

async function withClient(
  command: string,
  argv: string[],
  act: (client: Client, config: CutoverConfig, parsed: Args) => Promise<number>,
  options: { needsSchedule?: boolean } = {},
): Promise<number> {
  const parsed = parseCommandArgs(`ingestion ${command}`, argv, flags, args);
  const config = loadConfigFile(configPathFrom(parsed.config));
  // A schedule command names a configured schedule: checked before anything reaches Temporal.
  if (options.needsSchedule) entryNamed(config, parsed.name);
  const temporal = await connectClient(config);
  try {
    return await act(temporal.client, config, parsed);
  } catch (error) {
    if (error instanceof ScheduleNotFoundError)
      throw new UsageError(
        `cutover ingestion ${command}: no schedule ${error.scheduleId}; run \`cutover ingestion sync\``,
      );
    throw error;
  } finally {
    await temporal.close();
  }
}

const syncCommand = (argv: string[]) =>
  withClient('sync', argv, async (client, config, parsed) => {
    const report = await syncIngestionSchedules(
      client,
      config,
      await desiredIngestionSettings(config, client),
      {
        dryRun: parsed['dry-run'],
      },
    );
    if (parsed.json) console.log(JSON.stringify(report, null, 2));
    else {
      for (const [change, ids] of Object.entries(report))
        for (const id of ids as string[]) console.log(`${change.padEnd(9)} ${id}`);
      console.log(
        `${parsed['dry-run'] ? 'Would change' : 'Changed'}: ${report.created.length} created, ${report.updated.length} updated, ${report.deleted.length} deleted; ${report.unchanged.length} unchanged.`,
      );
    }
    return 0;
  });

const scheduleCommands: Record<string, (argv: string[]) => Promise<number>> = {
  create: (argv) =>
    withClient('schedule create', argv, async (client, config, parsed) => {
      const entry = entryNamed(config, parsed.name);
      const [settings] = await desiredIngestionSettings(config, client, entry.name);
      const options = scheduleOptionsFor(config, settings!);
      await client.schedule.create({ ...options, state: { ...options.state, paused: entry.paused } });
      console.log(`Created schedule ${options.scheduleId} over ${settings!.flows.length} dataflow(s).`);
      return 0;
    }),
  list: (argv) =>
    withClient('schedule list', argv, async (client, config) => {
      const rows: string[][] = [];
      for (const scheduleId of await managedScheduleIds(client, config.temporal.taskQueue)) {
        const description = await client.schedule.getHandle(scheduleId).describe();
        rows.push([
          scheduleId,
          description.state.paused ? 'paused' : 'active',
          String(description.typedSearchAttributes.get(CutoverLastStatus) ?? ''),
          description.info.nextActionTimes[0]?.toISOString() ?? '',
          description.state.note ?? '',
        ]);
      }
      console.log(formatTable(['schedule', 'state', 'last status', 'next run', 'note'], rows));
      return 0;
    }),
  describe: (argv) =>
    withClient(
      'schedule describe',
      argv,
      async (client, _config, parsed) => {
        const description = await client.schedule.getHandle(scheduleIdOf(parsed.name!)).describe();
        const settings = (
          description.action.type === 'startWorkflow' ? description.action.args?.[0] : undefined
        ) as IngestionSettings | undefined;
        console.log(
          [
            `${description.scheduleId}: ${description.state.paused ? 'paused' : 'active'}; last status ${description.typedSearchAttributes.get(CutoverLastStatus) ?? '-'}, failed runs in a row ${description.typedSearchAttributes.get(CutoverItemsFailed) ?? 0}`,
            `note: ${description.state.note ?? ''}`,
            `windows: ${settings?.windowSeconds ?? '?'} s; every ${settings?.spec.cron?.join(', ') ?? settings?.spec.interval}; catch-up ${settings?.spec.catchupWindow}`,
            `next runs: ${description.info.nextActionTimes
              .slice(0, 3)
              .map((time) => time.toISOString())
              .join(', ')}`,
            `recent runs: ${description.info.recentActions.map((action) => `${action.scheduledAt.toISOString()} ${action.action.workflow.workflowId}`).join('; ') || 'none'}`,
            await latestRun(client, description),
            '',
            formatTable(
              ['sandbox', 'dataflow', 'name'],
              (settings?.flows ?? []).map((flow) => [flow.sandbox, flow.flowId, flow.name ?? '']),
            ),
          ].join('\n'),
        );
        return 0;
      },
      { needsSchedule: true },
    ),
  pause: (argv) =>
    withClient(
      'schedule pause',
      argv,
      async (client, _config, parsed) => {
        await client.schedule
          .getHandle(scheduleIdOf(parsed.name!))
          .pause(parsed.note ?? `paused by ${process.env.USER ?? 'cutover'}`);
        console.log(`Paused ${scheduleIdOf(parsed.name!)}.`);
        return 0;
      },
      { needsSchedule: true },
    ),
  unpause: (argv) =>
    withClient(
      'schedule unpause',
      argv,
      async (client, _config, parsed) => {
        const scheduleId = scheduleIdOf(parsed.name!);
        await unpauseIngestionSchedule(
          client,
          scheduleId,
          parsed.note ?? `unpaused by ${process.env.USER ?? 'cutover'}`,
        );
        console.log(`Unpaused ${scheduleId}.`);
        return 0;
      },
      { needsSchedule: true },
    ),
  trigger: (argv) =>
    withClient(
      'schedule trigger',
      argv,
      async (client, _config, parsed) => {
        await triggerIngestionSchedule(client, scheduleIdOf(parsed.name!));
        console.log(`Triggered a run of ${scheduleIdOf(parsed.name!)} now (skipped if one is running).`);
        return 0;
      },
      { needsSchedule: true },
    ),
  delete: (argv) =>
    withClient(
      'schedule delete',
      argv,
      async (client, _config, parsed) => {
        await client.schedule.getHandle(scheduleIdOf(parsed.name!)).delete();
        console.log(
          `Deleted ${scheduleIdOf(parsed.name!)}; \`cutover ingestion sync\` recreates it while it is configured.`,
        );
        return 0;
      },
      { needsSchedule: true },
    ),
  backfill: (argv) =>
    withClient(
      'schedule backfill',
      argv,
      async (client, config, parsed) => {
        if (!parsed.from || !parsed.to) throw new UsageError('--from and --to are required (ISO 8601 times)');
        const handle = await startBackfill(
          client,
          config,
          parsed.name!,
          new Date(parsed.from),
          new Date(parsed.to),
        );
        console.log(`Backfill ${handle.workflowId} started.`);
        if (parsed.detach) return 0;
        const result = await followWorkflow(
          client,
          handle.workflowId,
          ingestionProgressQuery,
          describeIngestion,
        );
        return result?.status === 'success' ? 0 : 1;
      },
      { needsSchedule: true },
    ),
};

/** Failed windows `schedule describe` lists; the run's progress counts the rest. */
const FAILURES_LISTED = 5;

/**
 * Where the schedule's latest run stands: its counts and first failed
 * windows, from its progress query (a worker answers it) or else from the
 * summary it left in its memo.
 */
async function latestRun(client: Client, description: ScheduleDescription): Promise<string> {
  const latest = description.info.runningActions.at(-1) ?? description.info.recentActions.at(-1)?.action;
  if (!latest) return 'latest run: none';
  const { workflowId, firstExecutionRunId } = latest.workflow;
  const handle = client.workflow.getHandle(workflowId, undefined, { firstExecutionRunId });
  const progress = await client
    .withDeadline(Date.now() + 5_000, () => handle.query(ingestionProgressQuery))
    .catch(() => undefined);
  if (!progress) {
    const { memo, status } = await handle.describe();
    return `latest run ${workflowId}: ${String(memo?.summary ?? status.name.toLowerCase())} (no worker answered for its progress)`;
  }
  return [
    `latest run ${workflowId}: ${describeIngestion(progress)}`,
    ...progress.failures
      .slice(0, FAILURES_LISTED)
      .map(
        (failure) =>
          `  failed: ${failure.sandbox} ${failure.name ?? failure.flowId} ${new Date(failure.start * 1000).toISOString()} after ${failure.attempts} attempt(s): ${failure.reason}`,
      ),
  ].join('\n');
}

/** One line on where an ingestion run stands: its counts, and the first window that failed. */
export function describeIngestion(progress: IngestionProgress): string {
  const { windows, failures } = progress;
  const first = failures[0];
  return [
    `${progress.status}: ${windows.succeeded} of ${windows.planned} window(s) ingested over ${progress.dataflows} dataflow(s), ${windows.records} records`,
    ...(windows.failed ? [`${windows.failed} failed`] : []),
    ...(first
      ? [
          `first: ${first.name ?? first.flowId} ${new Date(first.start * 1000).toISOString()}: ${first.reason}`,
        ]
      : []),
  ].join('; ');
}

/** Re-ingests a past period for the schedule's flows, in its windows and in order, as one workflow. */
export async function startBackfill(
  client: Client,
  config: CutoverConfig,
  name: string,
  from: Date,
  to: Date,
) {
  if (!(from < to)) throw new UsageError('--from must be before --to');
  const description = await client.schedule.getHandle(scheduleIdOf(name)).describe();
  const settings = (
    description.action.type === 'startWorkflow' ? description.action.args?.[0] : undefined
  ) as IngestionSettings | undefined;
  if (!settings) throw new UsageError(`${scheduleIdOf(name)} does not start an ingestion workflow`);
  return startIngestionBackfill(client, config, settings, { from, to });
}

export async function ingestionCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'sync') return syncCommand(rest);
  if (sub === 'schedule') {
    const [action, ...flagsArgv] = rest;
    const command = action ? scheduleCommands[action] : undefined;
    if (command) return command(flagsArgv);
    throw new UsageError(
      `cutover ingestion schedule: expected ${Object.keys(scheduleCommands).join('|')}, got "${action ?? ''}"`,
    );
  }
  throw new UsageError(
    `cutover ingestion: expected "sync" or "schedule", got "${sub ?? ''}". Run \`cutover help\` for usage.`,
  );
}
