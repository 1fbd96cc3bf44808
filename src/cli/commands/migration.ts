import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import { loadConfigFile } from '../../config/load';
import type { CutoverConfig } from '../../config/schema';
import { MIGRATION_RUNS } from '../../runs';
import { planTable, startMigrationRequest, type MigrationRunKind } from '../../runs/migration';
import {
  approveUpdate,
  progressQuery,
  rejectUpdate,
  type MigrationProgress,
} from '../../workflows/migration/messages';
import { configFlag, configPathFrom, parseCommandArgs, UsageError } from '../args';
import { CliFailure, EXIT, explainBlocker, unreadablePayload } from '../errors';
import { formatTable } from '../table';
import { endedRunFailure, failureReason, followWorkflow } from '../follow';
import { progressView } from '../progress-view';
import { retryingSteps } from '../retrying-steps';
import { connectClient } from '../temporal-client';
import { cliReferenceProblems } from './doctor';
import { REMOTE_API_LABELS } from '../../domain/outage';
import { progressSummary, progressTable } from './migration-progress';

const runFlags = {
  ...configFlag,
  sandbox: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  detach: { type: 'boolean' },
} as const;
const runArgs = z.object({
  config: z.string().optional(),
  sandbox: z.array(z.string()).optional(),
  json: z.boolean().default(false),
  detach: z.boolean().default(false),
});

/** Starts the migration, or attaches to the one already running for the same org and sandboxes. */
export async function startMigration(
  client: Client,
  config: CutoverConfig,
  run: MigrationRunKind,
  sandboxes?: string[],
) {
  const request = run.fromConfig(config, sandboxes);
  if (request.problems.length)
    throw new CliFailure(
      `Cannot start the ${run.title} migration; fix the config first:\n  - ${request.problems.join('\n  - ')}`,
      EXIT.fixInput,
    );
  // Two runs over a shared sandbox would find (and roll back) each other's V2 objects by name.
  const overlapping = await runningMigrations(client, config, run.kind, request.input.sandboxes);
  const other = overlapping.find((workflowId) => workflowId !== request.workflowId);
  if (other)
    throw new UsageError(
      `A ${run.title} migration over some of these sandboxes is already running (${other}); wait for it, or run again with exactly its sandboxes to attach to it.`,
    );
  return startMigrationRequest(client, run, request, { taskQueue: config.temporal.taskQueue });
}

/** Running top-level migrations of this kind, org and task queue over any of the sandboxes; none when visibility cannot tell. */
async function runningMigrations(
  client: Client,
  config: CutoverConfig,
  kind: string,
  sandboxes: string[],
): Promise<string[]> {
  const query = [
    `CutoverKind = '${kind}'`,
    `CutoverOrg = '${config.adobe.orgId}'`,
    `TaskQueue = '${config.temporal.taskQueue}'`,
    `CutoverSandboxes IN (${sandboxes.map((sandbox) => `'${sandbox}'`).join(', ')})`,
    `ExecutionStatus = 'Running'`,
  ].join(' AND ');
  const found: string[] = [];
  try {
    for await (const execution of client.workflow.list({ query })) {
      if (!execution.parentExecution) found.push(execution.workflowId);
    }
  } catch {
    // Without cutover's search attributes the server cannot answer; the workflow id still guards exact repeats.
  }
  return found;
}

/** Prints progress as it changes until the workflow ends; Ctrl-C detaches without stopping it. */
export function followMigration(client: Client, workflowId: string): Promise<MigrationProgress | undefined> {
  return followWorkflow(
    client,
    workflowId,
    progressQuery,
    progressView((progress) =>
      progress.waitingFor?.length
        ? `${progress.phase}, ${progress.waitingFor.map((wait) => `waiting for ${REMOTE_API_LABELS[wait.api]} since ${wait.since.slice(11, 19)} UTC`).join('; ')}`
        : progress.phase === 'awaiting-approval'
          ? `awaiting-approval: cutover approve --workflow-id '${workflowId}'   (or: cutover reject --workflow-id '${workflowId}' --reason "...")`
          : progress.phase,
    ),
  );
}

/** `cutover <kind> plan|run`. */
export function migrationCommand(run: MigrationRunKind) {
  return async (argv: string[]): Promise<number> => {
    const [sub, ...rest] = argv;
    if (sub === 'plan') return planCommand(run, rest);
    if (sub === 'run') return runCommand(run, rest);
    throw new UsageError(
      `cutover ${run.command}: expected "plan" or "run", got "${sub ?? ''}". Run \`cutover help\` for usage.`,
    );
  };
}

async function planCommand(run: MigrationRunKind, argv: string[]): Promise<number> {
  const args = parseCommandArgs(`${run.command} plan`, argv, runFlags, runArgs);
  const config = loadConfigFile(configPathFrom(args.config));
  const request = run.fromConfig(config, args.sandbox);
  if (request.problems.length)
    throw new CliFailure(`Fix the config first:\n  - ${request.problems.join('\n  - ')}`, EXIT.fixInput);
  const { plans, blockers } = await run.plan(config, request.input, explainBlocker);
  if (args.json) console.log(JSON.stringify({ plans, blockers }, null, 2));
  else {
    const items = plans.flatMap((plan) => plan.items);
    const migrate = items.filter((item) => item.action === 'migrate').length;
    const table = planTable(run, plans);
    console.log(
      `${formatTable(table.columns, table.rows)}\n\n${migrate} ${run.migrateLabel}, ${items.length - migrate} reported and skipped.`,
    );
    for (const blocker of blockers) console.error(`BLOCKED: ${blocker}`);
  }
  return blockers.length ? EXIT.notDone : EXIT.done;
}

async function runCommand(run: MigrationRunKind, argv: string[]): Promise<number> {
  const args = parseCommandArgs(`${run.command} run`, argv, runFlags, runArgs);
  const config = loadConfigFile(configPathFrom(args.config));
  // The worker resolves its own references; one this config cannot resolve here is worth knowing first.
  for (const problem of await cliReferenceProblems(config))
    console.error(`note: ${problem} (the run uses the worker's config and environment)`);
  const temporal = await connectClient(config);
  try {
    const handle = await startMigration(temporal.client, config, run, args.sandbox);
    console.log(
      `${run.title} migration ${handle.workflowId} (run ${handle.firstExecutionRunId}) on ${temporal.address}, namespace ${temporal.namespace}`,
    );
    if (args.detach) return EXIT.done;
    const result = await followMigration(temporal.client, handle.workflowId).catch(async (error: unknown) => {
      // The items' own reasons say more than the run's failure alone.
      const progress = await handle.query(progressQuery).catch(() => undefined);
      const failed = progress?.items.filter((item) => item.status === 'failed') ?? [];
      if (failed.length) console.log(`\nItems that failed:\n${progressTable(failed)}`);
      throw error;
    });
    if (!result) return EXIT.done;
    console.log(`\n${progressTable(result.items)}\n\n${progressSummary(result)}`);
    const failed = result.items.filter((item) => item.status === 'failed');
    if (failed.length)
      console.error(`${failed.length} dataflow(s) failed; their reasons are in the table above.`);
    return result.phase === 'completed' && !failed.length ? EXIT.done : EXIT.notDone;
  } finally {
    await temporal.close();
  }
}

const controlFlags = {
  ...configFlag,
  'workflow-id': { type: 'string' },
  kind: { type: 'string' },
  sandbox: { type: 'string', multiple: true },
  reason: { type: 'string' },
  follow: { type: 'boolean' },
} as const;
const controlArgs = z.object({
  config: z.string().optional(),
  'workflow-id': z.string().optional(),
  kind: z
    .enum(MIGRATION_RUNS.map((run) => run.command) as [string, ...string[]], {
      error: `expected ${MIGRATION_RUNS.map((run) => run.command).join(' or ')}`,
    })
    .optional(),
  sandbox: z.array(z.string()).optional(),
  reason: z.string().min(3, { error: 'say why, in a few words' }).optional(),
  follow: z.boolean().default(false),
});

/** The running migration of this organisation (of one kind, if given), found through visibility. */
async function findRunningMigration(client: Client, config: CutoverConfig, kind?: string): Promise<string> {
  const kinds = MIGRATION_RUNS.filter((run) => !kind || run.command === kind).map((run) => run.kind);
  const running: string[] = [];
  try {
    const query = `CutoverKind IN (${kinds.map((value) => `'${value}'`).join(', ')}) AND CutoverOrg = '${config.adobe.orgId}' AND ExecutionStatus = 'Running'`;
    for await (const execution of client.workflow.list({ query })) {
      if (!execution.parentExecution) running.push(execution.workflowId);
    }
  } catch {
    throw new UsageError(
      'Cannot search for running migrations (are cutover search attributes registered? see `cutover search-attributes`); give --workflow-id.',
    );
  }
  if (running.length > 1) {
    throw new UsageError(
      `Several migrations are running (${running.join(', ')}); choose one with --workflow-id or --kind.`,
    );
  }
  if (!running[0])
    throw new UsageError(
      `No ${kind ? `${kind} ` : ''}migration of ${config.adobe.orgId} is running; give --workflow-id for a finished one.`,
    );
  return running[0];
}

async function withRun<T>(
  command: string,
  argv: string[],
  act: (client: Client, workflowId: string, args: z.output<typeof controlArgs>) => Promise<T>,
  checkFirst: (args: z.output<typeof controlArgs>) => void = () => {},
) {
  const args = parseCommandArgs(command, argv, controlFlags, controlArgs);
  checkFirst(args);
  const config = loadConfigFile(configPathFrom(args.config));
  const temporal = await connectClient(config);
  let workflowId = args['workflow-id'] ?? '';
  try {
    workflowId = args['workflow-id'] ?? (await findRunningMigration(temporal.client, config, args.kind));
    return await act(temporal.client, workflowId, args);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      throw (await endedRunFailure(temporal.client, workflowId)) ?? error;
    if (error instanceof WorkflowUpdateFailedError)
      throw new UsageError(
        `cutover ${command}: ${(error.cause as Error | undefined)?.message ?? error.message}`,
      );
    throw error;
  } finally {
    await temporal.close();
  }
}

export const statusCommand = (argv: string[]) =>
  withRun('status', argv, async (client, workflowId, args) => {
    const handle = client.workflow.getHandle(workflowId);
    if (args.follow && (await handle.describe()).status.name === 'RUNNING')
      await followMigration(client, workflowId).catch(() => undefined);
    const description = await handle.describe();
    const running = description.status.name === 'RUNNING';
    // A closed run answers queries only through a worker replaying it; without one, do not wait long.
    const progress = await Promise.race([
      handle.query(progressQuery).catch((error: unknown) => {
        const unreadable = unreadablePayload(error);
        if (unreadable) throw unreadable;
        return undefined;
      }),
      delay(running ? 30_000 : 3_000).then(() => undefined),
    ]);
    const failure = running ? undefined : await failureReason(client, workflowId);
    console.log(
      `${workflowId}: ${description.status.name}${progress ? `, ${progressSummary(progress)}` : ''}${failure ? `\nwhy: ${failure}` : ''}\n`,
    );
    if (progress) console.log(progressTable(progress.items));
    else console.log('(per-dataflow progress needs a running worker on the task queue to answer the query)');
    if (running) for (const line of await retryingSteps(client, workflowId)) console.log(line);
    return description.status.name === 'FAILED' || progress?.items.some((item) => item.status === 'failed')
      ? EXIT.notDone
      : EXIT.done;
  });

/**
 * Refuses before a decision is sent with a codec the run's worker cannot
 * read (its workflow task would fail on it, and the run would wait on):
 * reading the run's progress proves this config reads what the worker writes.
 */
async function requireReadablePayloads(client: Client, workflowId: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  // An ended run is told as such by the update's own refusal; a query of it would wait for a replay.
  if ((await handle.describe()).status.name !== 'RUNNING') return;
  const unreadable = await Promise.race([
    handle.query(progressQuery).then(
      () => undefined,
      (error: unknown) => unreadablePayload(error),
    ),
    delay(QUERY_PATIENCE_MS).then(() => undefined),
  ]);
  if (unreadable) throw unreadable;
}

/** How long a check waits for a worker to answer a query before going on without its answer. */
const QUERY_PATIENCE_MS = 10_000;

export const approveCommand = (argv: string[]) =>
  withRun('approve', argv, async (client, workflowId, args) => {
    await requireReadablePayloads(client, workflowId);
    const approved = await client.workflow
      .getHandle(workflowId)
      .executeUpdate(approveUpdate, { args: [{ sandboxes: args.sandbox, by: process.env.USER }] });
    console.log(`Approved V1 deletion in ${approved.join(', ')}.`);
    return 0;
  });

export const rejectCommand = (argv: string[]) =>
  withRun(
    'reject',
    argv,
    async (client, workflowId, args) => {
      await requireReadablePayloads(client, workflowId);
      const rejected = await client.workflow
        .getHandle(workflowId)
        .executeUpdate(rejectUpdate, { args: [{ reason: args.reason!, by: process.env.USER }] });
      console.log(`Rejected: rolling back ${rejected.join(', ')}.`);
      return 0;
    },
    (args) => {
      if (!args.reason)
        throw new UsageError('cutover reject: --reason is required (it is kept with the rolled-back items)');
    },
  );
