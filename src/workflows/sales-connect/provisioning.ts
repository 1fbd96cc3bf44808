import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  metricMeter,
  patched,
  sleep,
} from '@temporalio/workflow';
import type { SalesConnectActivities } from '../../activities/sales-connect';
import { inBatches, type UserPlan } from '../../domain/sales-connect/invitations';
import { effectiveProvisioningDelayMs, remainingWaitMs } from '../../domain/sales-connect/wait';
import { cutoverMetrics, type CutoverMetrics } from '../../visibility/metrics';
import { READ } from '../activity-options';
import { PATCHES } from '../patches';
import { OutageBoard, patientActivities, showWaits, waitOutOutages } from '../shared/outage';
import { countsByStatus, RunReporter } from '../shared/reporter';
import { httpSteps } from './http-steps';
import { ConfirmationGate, manualSteps } from './manual-steps';
import {
  provisioningProgressQuery,
  type ProvisioningPhase,
  type ProvisioningProgress,
  type SalesConnectProvisioningInput,
  type UserProgress,
} from './messages';
import { planProvisioning, type ProvisioningPlan } from './plan';
import type { SalesConnectSteps } from './steps';

const waitPolicy = patientActivities<Pick<SalesConnectActivities, 'salesConnectWaitPolicy'>>({
  ...READ,
  summary: 'Ask the worker holding the gateway how short the wait after connecting Marketo may be',
});

const STATUS_ORDER = ['planned', 'invited', 'already-connected', 'skipped', 'rejected'];

/**
 * Sales Connect provisioning in Adobe's order: Salesforce connected (checked
 * against the preflight rules), Marketo credentials proven, Sales Connect
 * connected to Marketo, a durable wait of at least ten minutes, then users
 * invited in idempotent batches with their workspaces. With the manual
 * gateway a person does each Sales Connect step and confirms it.
 */
export async function salesConnectProvisioningWorkflow(
  input: SalesConnectProvisioningInput,
): Promise<ProvisioningProgress> {
  const run = new Provisioning(input);
  try {
    const plan = await run.preflight();
    // The worker holding the gateway decides how short the wait may be, not the caller's input.
    const { minimumDelayMs } = await waitPolicy.salesConnectWaitPolicy();
    const connectedAtMs = await run.connectMarketo(plan);
    await run.waitAfterConnecting(connectedAtMs, minimumDelayMs);
    if (patched(PATCHES.marketoRecheckedAfterWait)) await run.confirmMarketoStillConnected();
    await run.invite(plan.users);
    run.report('completed');
  } catch (error) {
    run.failed(error);
    throw error;
  }
  await condition(allHandlersFinished);
  return run.progress;
}

/** One provisioning's state and steps; each method is one step of the workflow. */
class Provisioning {
  readonly progress: ProvisioningProgress = { phase: 'preflight', findings: [], users: [] };
  private readonly reporter: RunReporter<ProvisioningProgress>;
  private readonly metrics: CutoverMetrics = cutoverMetrics(metricMeter);
  private readonly steps: SalesConnectSteps;
  private readonly outages = new OutageBoard();
  private note: string | undefined;

  constructor(private readonly input: SalesConnectProvisioningInput) {
    this.reporter = new RunReporter(input, provisioningProgressQuery, () => this.progress);
    const changed = (isNew: boolean) => {
      if (!isNew) return;
      const waits = this.outages.list();
      showWaits(this.progress, waits);
      this.report(this.progress.phase, this.note);
    };
    waitOutOutages({
      tolerances: input.outageTolerances,
      observer: {
        waiting: (wait) => changed(this.outages.waiting(wait)),
        resumed: (wait) => changed(this.outages.resumed(wait)),
      },
    });
    const gate = new ConfirmationGate(input, this.progress, (step, instructions) =>
      this.report(
        'awaiting-confirmation',
        `${instructions}\n\nThen confirm: \`cutover sales-connect confirm --step ${step}\``,
      ),
    );
    this.steps = input.gateway === 'manual' ? manualSteps(input, gate) : httpSteps(input);
  }

  report(phase: ProvisioningPhase, note?: string): void {
    this.progress.phase = phase;
    this.note = note;
    const count = (statuses: string[]) =>
      this.progress.users.filter((user) => statuses.includes(user.status)).length;
    this.reporter.report({
      phase,
      unit: 'users',
      total: this.progress.users.length,
      done: count(['invited', 'already-connected', 'skipped']),
      failed: count(['rejected']),
      counts: countsByStatus(this.progress.users, STATUS_ORDER),
      ...(note ? { note } : {}),
      ...(this.progress.waitingFor ? { waitingFor: this.progress.waitingFor } : {}),
    });
  }

  failed(error: unknown): void {
    this.progress.phase = 'failed';
    this.reporter.failed(error);
  }

  /** The plan `cutover sales-connect plan` shows; anything blocking it stops the run before a change. */
  async preflight(): Promise<ProvisioningPlan> {
    this.report('preflight');
    const plan = await planProvisioning(this.steps, this.input);
    this.progress.findings = plan.findings;
    this.progress.users = plan.users.map(progressOf);
    if (plan.blockers.length)
      throw ApplicationFailure.nonRetryable(
        `Preflight failed, nothing was changed: ${plan.blockers.join(' ')}`,
        'PreflightFailed',
      );
    return plan;
  }

  /** When Sales Connect was connected to Marketo: by this run, or earlier (by the bridge's clock). */
  async connectMarketo(plan: ProvisioningPlan): Promise<number> {
    this.report('connecting-marketo');
    if (plan.marketoConnected) return Date.parse(plan.marketoConnected.connectedAt);
    return this.steps.connectMarketo();
  }

  /** The wait Adobe asks for: a durable timer, no worker slot held. */
  async waitAfterConnecting(connectedAtMs: number, minimumDelayMs: number): Promise<void> {
    const delayMs = effectiveProvisioningDelayMs(
      msToNumber(this.input.provisioningDelay as Duration),
      minimumDelayMs,
    );
    const waitMs = remainingWaitMs(connectedAtMs, Date.now(), delayMs);
    this.progress.marketoConnectedAt = new Date(connectedAtMs).toISOString();
    this.progress.provisioningStartsAt = new Date(Date.now() + waitMs).toISOString();
    if (waitMs <= 0) return;
    this.report(
      'waiting',
      `Marketo connected at ${this.progress.marketoConnectedAt}; Adobe asks for ${Math.round(delayMs / 60_000)} minutes before provisioning users. Inviting starts at **${this.progress.provisioningStartsAt}**.`,
    );
    await sleep(waitMs, {
      summary: `Wait after connecting Marketo; provisioning starts at ${this.progress.provisioningStartsAt}`,
    });
  }

  /** Invitations sent without Marketo would all be refused: stop first, with nobody invited. */
  async confirmMarketoStillConnected(): Promise<void> {
    if (await this.steps.stillConnectedToMarketo()) return;
    throw ApplicationFailure.nonRetryable(
      `Sales Connect is no longer connected to Marketo (it was connected at ${this.progress.marketoConnectedAt}), so nobody was invited. ` +
        'If someone disconnected it on purpose, nothing is left to undo; otherwise start the provisioning again: it connects Marketo again and waits the full delay before inviting.',
      'MarketoDisconnected',
    );
  }

  /** Invitations, batch by batch; each user's outcome is what Sales Connect (or the person) reported. */
  async invite(users: UserPlan[]): Promise<void> {
    this.report('provisioning');
    const invitations = users.flatMap((user) =>
      user.action === 'invite'
        ? [{ email: user.email, ...(user.workspace ? { workspace: user.workspace } : {}) }]
        : [],
    );
    const batches = inBatches(invitations, this.input.batchSize);
    for (const [index, batch] of batches.entries()) {
      this.report('provisioning', `Batch ${index + 1} of ${batches.length}`);
      for (const outcome of await this.steps.invite(batch, index + 1)) {
        const entry = this.progress.users.find((user) => same(user.email, outcome.email));
        if (!entry) continue;
        entry.batch = index + 1;
        entry.status = outcome.status;
        this.metrics.invitationSettled(outcome.status);
        // What the user holds now: a rejected user keeps their own workspace, or none.
        if (outcome.workspace) entry.workspace = outcome.workspace;
        else delete entry.workspace;
        if (outcome.reason) entry.reason = outcome.reason;
      }
    }
  }
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function progressOf(user: UserPlan): UserProgress {
  return {
    email: user.email,
    ...(user.workspace ? { workspace: user.workspace } : {}),
    status: user.action === 'invite' ? 'planned' : user.action === 'skip' ? 'skipped' : 'rejected',
    ...(user.action === 'skip' ? { reason: user.reason } : {}),
    ...(user.action === 'reject' ? { reason: `${user.reason}: ${user.detail}` } : {}),
  };
}
