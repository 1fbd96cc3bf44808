import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CutoverActivities } from '../../activities';
import { inBatches, invitationRequestId, planInvitations } from '../../domain/sales-connect/invitations';
import {
  checkSalesforcePreflight,
  describeFinding,
  sameSalesforceInstance,
} from '../../domain/sales-connect/preflight';
import { effectiveProvisioningDelayMs, remainingWaitMs } from '../../domain/sales-connect/wait';
import {
  CutoverItemsDone,
  CutoverItemsFailed,
  CutoverItemsTotal,
  CutoverKind,
  CutoverOrg,
  CutoverPhase,
} from '../../temporal/search-attributes';
import { WRITE_RETRY } from '../activity-options';
import { describeFailure } from '../failures';
import { manualInstructions } from './instructions';
import {
  confirmStepUpdate,
  provisioningProgressQuery,
  type ProvisioningPhase,
  type ProvisioningProgress,
  type SalesConnectProvisioningInput,
  type StepConfirmation,
} from './messages';

const read = proxyActivities<CutoverActivities>({
  heartbeatTimeout: '20 seconds',
  startToCloseTimeout: '5 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
  },
  summary: 'Read Sales Connect',
});

const write = proxyActivities<CutoverActivities>({
  heartbeatTimeout: '20 seconds',
  startToCloseTimeout: '2 minutes',
  // A too-early answer waits on the server's own schedule (nextRetryDelay), so attempts are bounded by time.
  retry: { ...WRITE_RETRY, maximumAttempts: 40 },
  summary: 'Change Sales Connect (idempotent)',
});

const MUNCHKIN = /^\d{3}-[A-Z]{3}-\d{3}$/;

/**
 * Sales Connect provisioning in Adobe's order: Salesforce connected (checked
 * against the preflight rules), Marketo credentials proven, Sales Connect
 * connected to Marketo, a durable wait of at least ten minutes, then users
 * invited in idempotent batches with their workspaces. With the manual
 * adapter a person does each Sales Connect step and confirms it.
 */
export async function salesConnectProvisioningWorkflow(
  input: SalesConnectProvisioningInput,
): Promise<ProvisioningProgress> {
  const progress: ProvisioningProgress = { phase: 'preflight', findings: [], users: [] };
  const confirmations = new Map<string, StepConfirmation>();
  const manual = input.gateway === 'manual';

  setHandler(provisioningProgressQuery, () => progress);
  setHandler(
    confirmStepUpdate,
    (confirmation) => {
      confirmations.set(confirmation.step, confirmation);
      progress.awaiting = undefined;
      return `Confirmed "${confirmation.step}".`;
    },
    {
      validator: (confirmation) => validateConfirmation(confirmation),
      description: 'Confirm the manual Sales Connect step the run is waiting for.',
    },
  );

  function validateConfirmation(confirmation: StepConfirmation): void {
    const awaiting = progress.awaiting;
    if (!awaiting)
      throw new Error(`Nothing is waiting for confirmation: the run is in phase "${progress.phase}".`);
    if (confirmation.step !== awaiting.step)
      throw new Error(`The run waits for step "${awaiting.step}", not "${confirmation.step}".`);
    if (confirmation.step === 'salesforce-connected') {
      if (!confirmation.instanceUrl || confirmation.isProduction === undefined)
        throw new Error(
          'Step "salesforce-connected" needs --instance-url (the Salesforce org Sales Connect shows) and --production or --sandbox.',
        );
      // Confirming the wrong org is refused here, before anything is recorded: Sales Connect must use Marketo's.
      if (!sameSalesforceInstance(confirmation.instanceUrl, input.salesforce.marketo.instance))
        throw new Error(
          `Sales Connect shows Salesforce ${confirmation.instanceUrl}, but Marketo uses ${input.salesforce.marketo.instance}: disconnect it in Sales Connect Settings > Admin Settings > Salesforce and connect ${input.salesforce.marketo.instance}, or fix salesforce.marketoInstance.`,
        );
    }
    const reported = [
      ...(confirmation.alreadyConnected ?? []),
      ...(confirmation.rejected ?? []).map((user) => user.email),
    ];
    const outsideBatch = reported.filter(
      (email) => !awaiting.users?.some((user) => user.toLowerCase() === email.toLowerCase()),
    );
    if (outsideBatch.length)
      throw new Error(`Not in the batch step "${awaiting.step}" waits for: ${outsideBatch.join(', ')}.`);
    if (confirmation.step === 'marketo-connected') {
      const munchkinId = confirmation.munchkinId?.trim().toUpperCase() ?? '';
      if (!MUNCHKIN.test(munchkinId))
        throw new Error('Step "marketo-connected" needs --munchkin-id, shaped like 123-ABC-456.');
      if (munchkinId !== input.munchkinId.toUpperCase())
        throw new Error(
          `Sales Connect shows Munchkin ID ${munchkinId}, but marketo.munchkinId is ${input.munchkinId}: connect it with the Marketo subscription in the config.`,
        );
    }
  }

  const upsert: typeof upsertSearchAttributes = (attributes) => {
    if (input.useSearchAttributes !== false) upsertSearchAttributes(attributes);
  };
  const count = (statuses: string[]) =>
    progress.users.filter((user) => statuses.includes(user.status)).length;
  const report = (phase: ProvisioningPhase, details?: string) => {
    progress.phase = phase;
    upsert([
      { key: CutoverPhase, value: phase },
      { key: CutoverItemsTotal, value: progress.users.length },
      { key: CutoverItemsDone, value: count(['invited', 'already-connected', 'skipped']) },
      { key: CutoverItemsFailed, value: count(['rejected']) },
    ]);
    setCurrentDetails(
      [
        `**Phase:** ${phase}`,
        ...(details ? ['', details] : []),
        ...(progress.users.length
          ? [
              '',
              '| status | users |',
              '| --- | --- |',
              ...(['planned', 'invited', 'already-connected', 'skipped', 'rejected'] as const)
                .filter((status) => count([status]) > 0)
                .map((status) => `| ${status} | ${count([status])} |`),
            ]
          : []),
      ].join('\n'),
    );
  };

  async function confirmed(step: string, instructions: string, users?: string[]): Promise<StepConfirmation> {
    progress.awaiting = { step, instructions, ...(users ? { users } : {}) };
    report(
      'awaiting-confirmation',
      `${instructions}\n\nThen confirm: \`cutover sales-connect confirm --step ${step}\``,
    );
    await condition(() => confirmations.has(step));
    return confirmations.get(step)!;
  }

  upsert([
    { key: CutoverKind, value: 'sales-connect-provisioning' },
    { key: CutoverOrg, value: input.orgId },
  ]);

  try {
    // 1. Sales Connect must already use the Salesforce org Marketo uses.
    report('preflight');
    // The worker holding the gateway decides how short the wait may be, not the caller's input.
    const { minimumDelayMs } = await read.salesConnectWaitPolicy();
    let salesforce: { instanceUrl: string; isProduction: boolean };
    if (manual) {
      const confirmation = await confirmed(
        'salesforce-connected',
        manualInstructions.salesforce(input.salesforce.marketo.instance),
      );
      salesforce = { instanceUrl: confirmation.instanceUrl!, isProduction: confirmation.isProduction! };
    } else {
      const status = await read.readSalesConnectSalesforce({ instanceId: input.instanceId });
      if (!status.connected)
        throw ApplicationFailure.nonRetryable(
          `Sales Connect instance ${input.instanceId} is not connected to Salesforce. ${manualInstructions.salesforce(input.salesforce.marketo.instance)} Then run again.`,
          'SalesforceNotConnected',
        );
      salesforce = { instanceUrl: status.instanceUrl, isProduction: status.isProduction };
    }
    progress.findings = checkSalesforcePreflight({ ...input.salesforce, salesConnect: salesforce });
    const violations = progress.findings.filter((finding) => finding.severity === 'violation');
    if (violations.length)
      throw ApplicationFailure.nonRetryable(
        `Preflight failed, nothing was changed: ${violations.map(describeFinding).join(' ')}`,
        'PreflightFailed',
      );

    // 2. The Marketo credentials are proven before Sales Connect sees them.
    report('connecting-marketo');
    await read.verifyMarketoCredentials();
    let connectedAtMs: number;
    if (manual) {
      await confirmed('marketo-connected', manualInstructions.marketo(input.munchkinId));
      connectedAtMs = Date.now();
    } else {
      const existing = await read.readSalesConnectMarketo({ instanceId: input.instanceId });
      if (existing.connected && existing.munchkinId.toUpperCase() !== input.munchkinId)
        throw ApplicationFailure.nonRetryable(
          `Sales Connect instance ${input.instanceId} is connected to Marketo ${existing.munchkinId}, not ${input.munchkinId}; disconnect it in Settings > Admin Settings > Marketo first, or check marketo.munchkinId.`,
          'MarketoAlreadyConnected',
        );
      if (existing.connected) {
        // An earlier connection is measured by the bridge's clock.
        connectedAtMs = Date.parse(existing.connectedAt);
      } else {
        await write.connectSalesConnectToMarketo({ instanceId: input.instanceId });
        // Measured by Temporal's clock, just after the connection was made: never shorter than asked.
        connectedAtMs = Date.now();
      }
    }

    // 3. The wait Adobe asks for: a durable timer, no worker slot held.
    const delayMs = effectiveProvisioningDelayMs(
      msToNumber(input.provisioningDelay as Duration),
      minimumDelayMs,
    );
    const waitMs = remainingWaitMs(connectedAtMs, Date.now(), delayMs);
    progress.marketoConnectedAt = new Date(connectedAtMs).toISOString();
    progress.provisioningStartsAt = new Date(Date.now() + waitMs).toISOString();
    if (waitMs > 0) {
      report(
        'waiting',
        `Marketo connected at ${progress.marketoConnectedAt}; Adobe asks for ${Math.round(delayMs / 60_000)} minutes before provisioning users. Inviting starts at **${progress.provisioningStartsAt}**.`,
      );
      await sleep(waitMs, {
        summary: `Wait after connecting Marketo; provisioning starts at ${progress.provisioningStartsAt}`,
      });
    }

    // 4. Invitations, batch by batch, each under a request id this run owns.
    report('provisioning');
    const team = manual
      ? undefined
      : await read.readSalesConnectTeam({
          instanceId: input.instanceId,
          emails: input.users.map((user) => user.email),
        });
    const plan = planInvitations(input.users, team);
    progress.users = plan.map((user) => ({
      email: user.email,
      ...(user.workspace ? { workspace: user.workspace } : {}),
      status: user.action === 'invite' ? 'planned' : user.action === 'skip' ? 'skipped' : 'rejected',
      ...(user.action === 'skip' ? { reason: user.reason } : {}),
      ...(user.action === 'reject' ? { reason: `${user.reason}: ${user.detail}` } : {}),
    }));
    const invitations = plan.flatMap((user) =>
      user.action === 'invite'
        ? [{ email: user.email, ...(user.workspace ? { workspace: user.workspace } : {}) }]
        : [],
    );
    const batches = inBatches(invitations, input.batchSize);
    for (const [index, batch] of batches.entries()) {
      const number = index + 1;
      report('provisioning', `Batch ${number} of ${batches.length}`);
      const entries = batch.map((target) => progress.users.find((user) => user.email === target.email)!);
      if (manual) {
        const confirmation = await confirmed(
          `invitations-${number}`,
          manualInstructions.invite(batch),
          batch.map((user) => user.email),
        );
        const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
        for (const entry of entries) {
          const rejected = confirmation.rejected?.find((user) => same(user.email, entry.email));
          const connected = confirmation.alreadyConnected?.some((email) => same(email, entry.email));
          entry.batch = number;
          entry.status = rejected ? 'rejected' : connected ? 'already-connected' : 'invited';
          entry.reason = rejected
            ? rejected.reason
            : `confirmed${confirmation.by ? ` by ${confirmation.by}` : ''}`;
        }
        continue;
      }
      const answer = await write.inviteSalesConnectUsers({
        instanceId: input.instanceId,
        requestId: invitationRequestId(workflowInfo().workflowId, batch),
        users: batch,
      });
      for (const entry of entries) {
        const result = answer.results.find(
          (candidate) => candidate.email.toLowerCase() === entry.email.toLowerCase(),
        );
        if (!result) continue;
        entry.batch = number;
        entry.status = result.outcome;
        // What the user holds now: a rejected user keeps their own workspace, or none.
        if (result.workspace) entry.workspace = result.workspace;
        else delete entry.workspace;
        if (result.outcome === 'rejected') entry.reason = result.reason;
      }
    }
    report('completed');
  } catch (error) {
    progress.phase = 'failed';
    upsert([{ key: CutoverPhase, value: 'failed' }]);
    setCurrentDetails(`**Failed:** ${describeFailure(error)}`);
    throw error;
  }
  await condition(allHandlersFinished);
  return progress;
}
