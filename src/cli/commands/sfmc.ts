import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { createRemoteClients } from '../../activities/remote-clients';
import { createSfmcMigrationActivities } from '../../activities/sfmc-migration';
import { loadConfigFile } from '../../config/load';
import type { CutoverConfig } from '../../config/schema';
import { SecretResolver } from '../../config/secrets';
import { planSfmcMigration } from '../../domain/sfmc/plan';
import { sfmcRunFromConfig, sfmcMigrationWorkflowId } from '../../domain/sfmc/run-input';
import type { SfmcMigrationPlan } from '../../domain/sfmc/types';
import { CutoverKind, CutoverOrg, CutoverSandboxes } from '../../temporal/search-attributes';
import {
  approveUpdate,
  progressQuery,
  rejectUpdate,
  type SfmcMigrationProgress,
} from '../../workflows/sfmc/messages';
import { configFlag, configPathFrom, parseCommandArgs, UsageError } from '../args';
import { formatTable } from '../table';
import { connectClient } from '../temporal-client';
import { progressSummary, progressTable } from './sfmc-progress';

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

/** Discovers and plans without changing anything, from this machine; the same activities the worker runs. */
export async function planSfmc(
  config: CutoverConfig,
  sandboxes?: string[],
): Promise<{ plans: SfmcMigrationPlan[]; blockers: string[] }> {
  const run = sfmcRunFromConfig(config, sandboxes);
  const blockers = [...run.problems];
  const activities = createSfmcMigrationActivities({
    clients: createRemoteClients(config, new SecretResolver()),
  });
  if (run.input.plan.v2BaseEndpoint) {
    await activities
      .verifySfmcV2Access()
      .catch((error: Error) => blockers.push(`SFMC V2 credentials: ${error.message}`));
  }
  const plans: SfmcMigrationPlan[] = [];
  for (const sandbox of run.input.sandboxes) {
    const { discovered, extensions } = await activities.discoverSfmcSandbox({ sandbox });
    const plan = planSfmcMigration(discovered, extensions, run.input.plan);
    plans.push(plan);
    blockers.push(...plan.blockers.map((blocker) => `${sandbox}: ${blocker}`));
  }
  return { plans, blockers: [...new Set(blockers)] };
}

function planTable(plans: SfmcMigrationPlan[]): string {
  return formatTable(
    ['sandbox', 'V1 dataflow', 'action', 'V2 source (data extension / delta column)', 'reason or warnings'],
    plans.flatMap((plan) =>
      plan.items.map((item) =>
        item.action === 'migrate'
          ? [
              plan.sandbox,
              item.v1.name,
              'migrate',
              `${item.v2.dataExtension.name} / ${item.v2.deltaColumn}`,
              item.warnings.join('; '),
            ]
          : [plan.sandbox, item.v1.name, `skip (${item.reason})`, '', item.detail],
      ),
    ),
  );
}

export async function sfmcCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'plan') return sfmcPlanCommand(rest);
  if (sub === 'run') return sfmcRunCommand(rest);
  throw new UsageError(
    `cutover sfmc: expected "plan" or "run", got "${sub ?? ''}". Run \`cutover help\` for usage.`,
  );
}

async function sfmcPlanCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('sfmc plan', argv, runFlags, runArgs);
  const config = loadConfigFile(configPathFrom(args.config));
  const { plans, blockers } = await planSfmc(config, args.sandbox);
  if (args.json) console.log(JSON.stringify({ plans, blockers }, null, 2));
  else {
    console.log(planTable(plans));
    const migrate = plans.flatMap((plan) => plan.items).filter((item) => item.action === 'migrate').length;
    console.log(
      `\n${migrate} dataflow(s) to migrate, ${plans.flatMap((plan) => plan.items).length - migrate} reported and skipped.`,
    );
    for (const blocker of blockers) console.error(`BLOCKED: ${blocker}`);
  }
  return blockers.length ? 1 : 0;
}

/** Starts the migration, or attaches to the one already running for the same org and sandboxes. */
export async function startSfmcMigration(client: Client, config: CutoverConfig, sandboxes?: string[]) {
  const run = sfmcRunFromConfig(config, sandboxes);
  if (run.problems.length)
    throw new UsageError(`Cannot start the SFMC migration:\n  - ${run.problems.join('\n  - ')}`);
  return client.workflow.start('sfmcMigrationWorkflow', {
    taskQueue: config.temporal.taskQueue,
    workflowId: run.workflowId,
    args: [run.input],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [
      { key: CutoverKind, value: 'sfmc-migration' },
      { key: CutoverOrg, value: run.input.orgId },
      { key: CutoverSandboxes, value: run.input.sandboxes },
    ],
    staticSummary: `SFMC source V1 -> V2 for ${run.input.sandboxes.join(', ')}`.slice(0, 200),
    staticDetails: [
      `**Organisation:** ${run.input.orgId}`,
      `**Sandboxes:** ${run.input.sandboxes.map((name) => `${name} (${run.input.approval[name]?.autoApprove ? 'auto-approve' : 'needs approval'})`).join(', ')}`,
      'Use the `progress` query for per-dataflow state; `approve` / `reject` updates decide the cut-over.',
    ].join('\n\n'),
  });
}

/** Prints progress as it changes until the workflow ends; Ctrl-C detaches without stopping it. */
export async function followSfmcMigration(
  client: Client,
  workflowId: string,
  pollMs = 1_000,
): Promise<SfmcMigrationProgress | undefined> {
  const handle = client.workflow.getHandle(workflowId);
  let detached = false;
  const detach = () => (detached = true);
  process.once('SIGINT', detach);
  let last = '';
  try {
    const finished = handle.result().then(
      (result: SfmcMigrationProgress) => ({ result }),
      (error: Error) => ({ error }),
    );
    while (!detached) {
      const done = await Promise.race([finished, delay(pollMs).then(() => undefined)]);
      if (done) {
        if ('error' in done) throw done.error;
        return done.result;
      }
      const progress = await handle.query(progressQuery).catch(() => undefined);
      if (!progress) continue;
      const summary = progressSummary(progress);
      if (summary !== last) {
        console.log(`[${new Date().toISOString().slice(11, 19)}] ${summary}`);
        if (progress.phase === 'awaiting-approval') {
          console.log(
            `  waiting: cutover approve --workflow-id '${workflowId}'   (or: cutover reject --workflow-id '${workflowId}' --reason "...")`,
          );
        }
        last = summary;
      }
    }
    console.log(`Detached; the migration continues in Temporal (workflow ${workflowId}).`);
    return undefined;
  } finally {
    process.off('SIGINT', detach);
  }
}

async function sfmcRunCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('sfmc run', argv, runFlags, runArgs);
  const config = loadConfigFile(configPathFrom(args.config));
  const temporal = await connectClient(config);
  try {
    const handle = await startSfmcMigration(temporal.client, config, args.sandbox);
    console.log(
      `SFMC migration ${handle.workflowId} (run ${handle.firstExecutionRunId}) on ${temporal.address}, namespace ${temporal.namespace}`,
    );
    if (args.detach) return 0;
    const result = await followSfmcMigration(temporal.client, handle.workflowId);
    if (!result) return 0;
    console.log(`\n${progressTable(result.items)}\n\n${progressSummary(result)}`);
    return result.phase === 'completed' ? 0 : 1;
  } finally {
    await temporal.close();
  }
}

const controlFlags = {
  ...configFlag,
  'workflow-id': { type: 'string' },
  sandbox: { type: 'string', multiple: true },
  reason: { type: 'string' },
} as const;
const controlArgs = z.object({
  config: z.string().optional(),
  'workflow-id': z.string().optional(),
  sandbox: z.array(z.string()).optional(),
  reason: z.string().min(3, { error: 'say why, in a few words' }).optional(),
});

/**
 * The running SFMC migration of this organisation, found through visibility;
 * with none running, the id a run over all configured sandboxes would have.
 */
async function findRunningMigration(client: Client, config: CutoverConfig): Promise<string> {
  const fallback = sfmcMigrationWorkflowId(
    config.adobe.orgId,
    config.adobe.sandboxes.map((sandbox) => sandbox.name),
  );
  const running: string[] = [];
  try {
    const query = `CutoverKind = 'sfmc-migration' AND CutoverOrg = '${config.adobe.orgId}' AND ExecutionStatus = 'Running'`;
    for await (const execution of client.workflow.list({ query })) {
      if (!execution.parentExecution) running.push(execution.workflowId);
    }
  } catch {
    // Without cutover's search attributes on the server, only the default id can be tried.
    return fallback;
  }
  if (running.length > 1) {
    throw new UsageError(
      `Several SFMC migrations are running (${running.join(', ')}); choose one with --workflow-id.`,
    );
  }
  return running[0] ?? fallback;
}

async function withRun<T>(
  command: string,
  argv: string[],
  act: (client: Client, workflowId: string, args: z.output<typeof controlArgs>) => Promise<T>,
) {
  const args = parseCommandArgs(command, argv, controlFlags, controlArgs);
  const config = loadConfigFile(configPathFrom(args.config));
  const temporal = await connectClient(config);
  const workflowId = args['workflow-id'] ?? (await findRunningMigration(temporal.client, config));
  try {
    return await act(temporal.client, workflowId, args);
  } catch (error) {
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
  withRun('status', argv, async (client, workflowId) => {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    const progress = await handle.query(progressQuery);
    console.log(`${workflowId}: ${description.status.name}, ${progressSummary(progress)}\n`);
    console.log(progressTable(progress.items));
    return 0;
  });

export const approveCommand = (argv: string[]) =>
  withRun('approve', argv, async (client, workflowId, args) => {
    const approved = await client.workflow
      .getHandle(workflowId)
      .executeUpdate(approveUpdate, { args: [{ sandboxes: args.sandbox, by: process.env.USER }] });
    console.log(`Approved V1 deletion in ${approved.join(', ')}.`);
    return 0;
  });

export const rejectCommand = (argv: string[]) =>
  withRun('reject', argv, async (client, workflowId, args) => {
    if (!args.reason)
      throw new UsageError('cutover reject: --reason is required (it is kept with the rolled-back items)');
    const rejected = await client.workflow
      .getHandle(workflowId)
      .executeUpdate(rejectUpdate, { args: [{ reason: args.reason, by: process.env.USER }] });
    console.log(`Rejected: rolling back ${rejected.join(', ')}.`);
    return 0;
  });
