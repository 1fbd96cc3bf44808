import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { z } from 'zod';
import { loadConfigFile } from '../../config/load';
import type { CutoverConfig } from '../../config/schema';
import type { UserPlan } from '../../domain/sales-connect/invitations';
import { describeFinding } from '../../domain/sales-connect/preflight';
import { salesConnectRun } from '../../runs';
import type { ProvisioningPlan } from '../../workflows/sales-connect/plan';
import {
  confirmStepUpdate,
  provisioningProgressQuery,
  type ProvisioningProgress,
  type UserProgress,
} from '../../workflows/sales-connect/messages';
import { configFlag, configPathFrom, parseCommandArgs, UsageError } from '../args';
import { endedRunFailure, followWorkflow } from '../follow';
import { CliFailure, EXIT, explainBlocker } from '../errors';
import { formatTable } from '../table';
import { cliReferenceProblems } from './doctor';
import { connectClient } from '../temporal-client';

/** Reads Sales Connect and the config and plans, changing nothing: the workflow's own plan, from here. */
export async function planSalesConnect(config: CutoverConfig): Promise<ProvisioningPlan> {
  const request = salesConnectRun.fromConfig(config);
  if (request.problems.length)
    throw new CliFailure(`Fix the config first:\n  - ${request.problems.join('\n  - ')}`, EXIT.fixInput);
  return salesConnectRun.plan(config, request.input, explainBlocker);
}

export function usersTable(users: Array<UserPlan | UserProgress>): string {
  return formatTable(
    ['user', 'action / status', 'workspace', 'reason'],
    users.map((user) => [
      user.email,
      'action' in user ? user.action : user.status,
      user.workspace ?? '',
      'detail' in user ? `${user.reason}: ${user.detail}` : 'reason' in user ? (user.reason ?? '') : '',
    ]),
  );
}

const runFlags = { ...configFlag, json: { type: 'boolean' }, detach: { type: 'boolean' } } as const;
const runArgs = z.object({
  config: z.string().optional(),
  json: z.boolean().default(false),
  detach: z.boolean().default(false),
});

async function planCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('sales-connect plan', argv, runFlags, runArgs);
  const config = loadConfigFile(configPathFrom(args.config));
  const plan = await planSalesConnect(config);
  if (args.json) {
    console.log(JSON.stringify(plan, null, 2));
    return plan.blockers.length ? 1 : 0;
  }
  for (const finding of plan.findings.filter((candidate) => candidate.severity === 'warning'))
    console.log(`WARNING: ${describeFinding(finding)}`);
  if (plan.users.length) console.log(usersTable(plan.users));
  const invite = plan.users.filter((user) => user.action === 'invite').length;
  const { input } = salesConnectRun.fromConfig(config);
  console.log(
    `\n${plan.marketoConnected ? `Marketo ${plan.marketoConnected.munchkinId} connected at ${plan.marketoConnected.connectedAt}` : 'Connect Marketo'}, ` +
      `wait ${input.provisioningDelay} after the connection, then invite ${invite} user(s) in ${Math.ceil(invite / input.batchSize)} batch(es).`,
  );
  for (const blocker of plan.blockers) console.error(`BLOCKED: ${blocker}`);
  return plan.blockers.length ? 1 : 0;
}

/** Starts the provisioning of the configured instance, or attaches to the one running. */
export async function startSalesConnectProvisioning(client: Client, config: CutoverConfig) {
  const request = salesConnectRun.fromConfig(config);
  if (request.problems.length)
    throw new UsageError(`Cannot start Sales Connect provisioning:\n  - ${request.problems.join('\n  - ')}`);
  return salesConnectRun.start(client, request, { taskQueue: config.temporal.taskQueue });
}

function describeProgress(progress: ProvisioningProgress): string {
  const counts = new Map<string, number>();
  for (const user of progress.users) counts.set(user.status, (counts.get(user.status) ?? 0) + 1);
  const parts = [...counts].map(([status, count]) => `${count} ${status}`);
  const head = `phase ${progress.phase}${parts.length ? `: ${parts.join(', ')}` : ''}`;
  if (progress.awaiting)
    return `${head}\n  ${progress.awaiting.instructions.replaceAll('\n', '\n  ')}\n  then: cutover sales-connect confirm --step ${progress.awaiting.step}`;
  if (progress.phase === 'waiting') return `${head} (inviting starts at ${progress.provisioningStartsAt})`;
  return head;
}

export function followSalesConnectProvisioning(client: Client, workflowId: string) {
  return followWorkflow(client, workflowId, provisioningProgressQuery, describeProgress);
}

async function runCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs('sales-connect run', argv, runFlags, runArgs);
  const config = loadConfigFile(configPathFrom(args.config));
  for (const problem of await cliReferenceProblems(config))
    console.error(`note: ${problem} (the run uses the worker's config and environment)`);
  const temporal = await connectClient(config);
  try {
    const handle = await startSalesConnectProvisioning(temporal.client, config);
    console.log(`Sales Connect provisioning ${handle.workflowId} on ${temporal.address}`);
    if (args.detach) return 0;
    const result = await followSalesConnectProvisioning(temporal.client, handle.workflowId);
    if (!result) return 0;
    console.log(`\n${usersTable(result.users)}\n\n${describeProgress(result)}`);
    return result.users.some((user) => user.status === 'rejected') ? 1 : 0;
  } finally {
    await temporal.close();
  }
}

const controlFlags = {
  ...configFlag,
  'workflow-id': { type: 'string' },
  step: { type: 'string' },
  'instance-url': { type: 'string' },
  production: { type: 'boolean' },
  sandbox: { type: 'boolean' },
  'munchkin-id': { type: 'string' },
  'already-connected': { type: 'string', multiple: true },
  rejected: { type: 'string', multiple: true },
} as const;
const controlArgs = z.object({
  config: z.string().optional(),
  'workflow-id': z.string().optional(),
  step: z.string().min(1).optional(),
  'instance-url': z.string().min(1).optional(),
  production: z.boolean().optional(),
  sandbox: z.boolean().optional(),
  'munchkin-id': z.string().optional(),
  'already-connected': z.array(z.email({ error: 'expected an e-mail address' })).optional(),
  rejected: z
    .array(
      z.string().regex(/^[^=\s]+@[^=\s]+=.+$/, {
        error: 'expected EMAIL=REASON, e.g. dev.ops@acme.example=email-used-on-other-instance',
      }),
    )
    .optional(),
});

async function withProvisioning(
  command: string,
  argv: string[],
  act: (client: Client, workflowId: string, args: z.output<typeof controlArgs>) => Promise<number>,
): Promise<number> {
  const args = parseCommandArgs(`sales-connect ${command}`, argv, controlFlags, controlArgs);
  const config = loadConfigFile(configPathFrom(args.config));
  const workflowId = args['workflow-id'] ?? salesConnectRun.fromConfig(config).workflowId;
  const temporal = await connectClient(config);
  try {
    return await act(temporal.client, workflowId, args);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      throw (await endedRunFailure(temporal.client, workflowId)) ?? error;
    if (error instanceof WorkflowUpdateFailedError)
      throw new UsageError(
        `cutover sales-connect ${command}: ${(error.cause as Error | undefined)?.message ?? error.message}`,
      );
    throw error;
  } finally {
    await temporal.close();
  }
}

const confirmCommand = (argv: string[]) =>
  withProvisioning('confirm', argv, async (client, workflowId, args) => {
    if (!args.step)
      throw new UsageError('cutover sales-connect confirm: --step is required (the step the run waits for)');
    if (args.production && args.sandbox)
      throw new UsageError('cutover sales-connect confirm: give --production or --sandbox, not both');
    const answer = await client.workflow.getHandle(workflowId).executeUpdate(confirmStepUpdate, {
      args: [
        {
          step: args.step,
          ...(args['instance-url'] ? { instanceUrl: args['instance-url'] } : {}),
          ...(args.production || args.sandbox ? { isProduction: Boolean(args.production) } : {}),
          ...(args['munchkin-id'] ? { munchkinId: args['munchkin-id'] } : {}),
          ...(args['already-connected'] ? { alreadyConnected: args['already-connected'] } : {}),
          ...(args.rejected
            ? {
                rejected: args.rejected.map((entry) => {
                  const [email, ...reason] = entry.split('=');
                  return { email: email!, reason: reason.join('=') };
                }),
              }
            : {}),
          ...(process.env.USER ? { by: process.env.USER } : {}),
        },
      ],
    });
    console.log(answer);
    return 0;
  });

const statusCommand = (argv: string[]) =>
  withProvisioning('status', argv, async (client, workflowId) => {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    const progress = await handle.query(provisioningProgressQuery);
    console.log(`${workflowId}: ${description.status.name}, ${describeProgress(progress)}\n`);
    for (const finding of progress.findings)
      console.log(`${finding.severity.toUpperCase()}: ${describeFinding(finding)}`);
    if (progress.users.length) console.log(usersTable(progress.users));
    return 0;
  });

export async function salesConnectCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const commands: Record<string, (argv: string[]) => Promise<number>> = {
    plan: planCommand,
    run: runCommand,
    confirm: confirmCommand,
    status: statusCommand,
  };
  const command = sub ? commands[sub] : undefined;
  if (!command)
    throw new UsageError(
      `cutover sales-connect: expected plan, run, confirm or status, got "${sub ?? ''}". Run \`cutover help\` for usage.`,
    );
  return command(rest);
}
