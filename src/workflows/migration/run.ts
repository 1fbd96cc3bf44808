import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  metricMeter,
  ParentClosePolicy,
  patched,
  setHandler,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { cutoverMetrics, type CutoverMetrics } from '../../visibility/metrics';
import type { OutageWait } from '../../domain/outage';
import { mergeOutageWaits, OutageBoard, showWaits, waitOutOutages } from '../shared/outage';
import { describeFailure } from '../shared/failures';
import { RunReporter } from '../shared/reporter';
import { PATCHES } from '../patches';
import { ApprovalGate } from './approval';
import {
  progressQuery,
  sandboxDecisionSignal,
  sandboxReportSignal,
  type ItemProgress,
  type MigrationPhase,
  type MigrationProgress,
  type MigrationRunInput,
  type SandboxReport,
} from './messages';
import { migrationStanding } from './standing';
import { sandboxRunId, type MigrationRunSteps, type MigrationWork } from './steps';

/**
 * Reports all sandboxes send their run, at most, over a whole migration: each
 * is a few events in the run's history, which must stay far below Temporal's
 * 10,240-event warning however many dataflows the run migrates.
 */
const REPORTS_PER_RUN = 500;

/**
 * Dataflows whose sandboxes are started in one workflow task: each child's
 * input carries its dataflows' plans (a kilobyte or two each), and a task's
 * commands must stay under the server's 4 MB message limit.
 */
const DATAFLOWS_STARTED_TOGETHER = 1_000;

/** Sandboxes in groups of at most DATAFLOWS_STARTED_TOGETHER dataflows (a larger sandbox alone). */
function startingBatches(sandboxes: string[], dataflowsOf: (sandbox: string) => number): string[][] {
  const batches: string[][] = [];
  let size = Infinity;
  for (const sandbox of sandboxes) {
    if (size + dataflowsOf(sandbox) > DATAFLOWS_STARTED_TOGETHER) {
      batches.push([]);
      size = 0;
    }
    batches.at(-1)!.push(sandbox);
    size += dataflowsOf(sandbox);
  }
  return batches;
}

/**
 * The shape every V1 -> V2 migration shares: preflight, discover and plan all
 * sandboxes before the first write, migrate each sandbox in its own child
 * workflow, wait for approval (or auto-approve), then have each sandbox keep
 * V1 for its retention period and delete it; a rejection, cancellation or
 * failure rolls back every item not yet cut over.
 */
export async function runMigration<I extends MigrationRunInput, W extends MigrationWork>(
  input: I,
  steps: MigrationRunSteps<I, W>,
): Promise<MigrationProgress> {
  const run = new MigrationRun(input, steps);
  try {
    await run.planAll();
    await run.migrateAll();
    await run.decide();
    await run.cutOverAll();
    run.finish();
  } catch (error) {
    await run.rollBackAfter(error);
    throw error;
  }
  await condition(allHandlersFinished);
  return run.progress;
}

/** One migration run's state and phases; each method is one step of `runMigration`. */
class MigrationRun<I extends MigrationRunInput, W extends MigrationWork> {
  readonly progress: MigrationProgress = { phase: 'preflight', items: [], awaitingApproval: [] };
  private readonly reporter: RunReporter<MigrationProgress>;
  private readonly metrics: CutoverMetrics = cutoverMetrics(metricMeter);
  private readonly gate: ApprovalGate;
  private readonly planned = new Map<string, W[]>();
  private readonly itemsBySandbox = new Map<string, Map<string, ItemProgress>>();
  /** Sandboxes done migrating, with how many of their items were verified. */
  private readonly migrated = new Map<string, number>();
  private readonly sandboxRuns = new Map<
    string,
    ChildWorkflowHandle<MigrationRunSteps<I, W>['sandboxWorkflow']>
  >();
  private sandboxOutcomes: Promise<Array<PromiseSettledResult<void>>> = Promise.resolve([]);
  /** The scope the sandboxes run in: cancelled when the run stops, so every sandbox rolls back. */
  private readonly sandboxScope = new CancellationScope();
  /** Sandboxes whose child workflow failed; the others went on without them. */
  private readonly stoppedSandboxes = new Set<string>();
  /** The APIs the run's own steps wait for; each sandbox reports its own. */
  private readonly outages = new OutageBoard();
  private readonly sandboxWaits = new Map<string, OutageWait[]>();

  constructor(
    private readonly input: I,
    private readonly steps: MigrationRunSteps<I, W>,
  ) {
    this.reporter = new RunReporter(input, progressQuery, () => this.progress);
    this.gate = new ApprovalGate(this.progress);
    setHandler(sandboxReportSignal, (report) => this.apply(report));
    waitOutOutages({
      tolerances: input.outageTolerances,
      ...(input.sandboxes[0] ? { sandbox: input.sandboxes[0] } : {}),
      observer: {
        waiting: (wait) => this.outages.waiting(wait) && this.reportWaits(),
        resumed: (wait) => this.outages.resumed(wait) && this.reportWaits(),
      },
    });
  }

  private reportWaits(): void {
    this.noteWaits();
    this.report();
  }

  /** Which APIs the run, or any of its sandboxes, waits for. */
  private noteWaits(): void {
    const waits = mergeOutageWaits([this.outages.list(), ...this.sandboxWaits.values()]);
    showWaits(this.progress, waits);
  }

  report(phase: MigrationPhase = this.progress.phase): void {
    this.progress.phase = phase;
    const { standing, tally } = migrationStanding(this.progress);
    this.metrics.runStanding(this.steps.v2Tag, [...tally]);
    this.reporter.report(standing);
  }

  /** A sandbox's report: its items' new standing (each change counted once for the metrics), its phase. */
  private apply(report: SandboxReport): void {
    const items = this.itemsBySandbox.get(report.sandbox);
    if (!items) return;
    for (const { v1FlowId, ...update } of report.updates) {
      const item = items.get(v1FlowId);
      if (!item) continue;
      const changed = item.status !== update.status;
      Object.assign(item, update);
      if (changed) this.metrics.itemReached(this.steps.v2Tag, update.status);
    }
    if (report.migrated) this.migrated.set(report.sandbox, report.migrated.verified);
    if (report.waitingFor) {
      this.sandboxWaits.set(report.sandbox, report.waitingFor);
      this.noteWaits();
    }
    // Before the decision the run's phase is its own; after it, the sandboxes' phases tell where it stands.
    const decided = this.progress.phase !== 'migrating' && this.progress.phase !== 'awaiting-approval';
    this.report(decided && report.phase && report.phase !== 'awaiting-approval' ? report.phase : undefined);
  }

  /** Preflight and plan of every sandbox before anything is created; a blocker anywhere stops the run. */
  async planAll(): Promise<void> {
    this.report('preflight');
    const plan = await this.steps.plan();
    for (const sandbox of plan.sandboxes) {
      this.progress.items.push(...sandbox.items);
      this.itemsBySandbox.set(sandbox.sandbox, new Map(sandbox.items.map((item) => [item.v1FlowId, item])));
      this.planned.set(sandbox.sandbox, sandbox.work);
    }
    this.report('discovering');
    if (plan.blockers.length)
      throw ApplicationFailure.nonRetryable(
        `Nothing was changed. Blocked: ${plan.blockers.join(' ')}`,
        'MigrationBlocked',
      );
  }

  /** Every sandbox with work migrates at once, in its own child workflow; the run waits until each has. */
  async migrateAll(): Promise<void> {
    this.report('migrating');
    const sandboxes = this.input.sandboxes.filter((sandbox) => this.planned.get(sandbox)?.length);
    const total = sandboxes.reduce((sum, sandbox) => sum + this.planned.get(sandbox)!.length, 0);
    const reportEvery = Math.max(1, Math.ceil(total / REPORTS_PER_RUN));
    const started = await this.sandboxScope.run(async () => {
      const handles = [];
      for (const batch of startingBatches(sandboxes, (sandbox) => this.planned.get(sandbox)!.length))
        handles.push(...(await Promise.all(batch.map((sandbox) => this.startSandbox(sandbox, reportEvery)))));
      return handles;
    });
    const results = started.map((handle) => handle.result());
    this.sandboxOutcomes = Promise.allSettled(results);
    const staysInSandbox = patched(PATCHES.sandboxFailureStaysInSandbox);
    if (!staysInSandbox) return this.rollBackAllOnAnyFailure(sandboxes, results);
    results.forEach((result, index) =>
      result.catch((reason: unknown) => this.sandboxStopped(sandboxes[index]!, reason)),
    );
    // A sandbox that fails is its own loss: it has rolled back what it made, and the others go on.
    await condition(() =>
      sandboxes.every((sandbox) => this.migrated.has(sandbox) || this.stoppedSandboxes.has(sandbox)),
    );
  }

  /** How runs started before the patch waited: the first sandbox to fail stopped (and rolled back) them all. */
  private async rollBackAllOnAnyFailure(sandboxes: string[], results: Array<Promise<void>>): Promise<void> {
    let failure: { reason: unknown } | undefined;
    for (const result of results) result.catch((reason: unknown) => (failure ??= { reason }));
    await condition(() => failure !== undefined || sandboxes.every((sandbox) => this.migrated.has(sandbox)));
    if (failure) throw failure.reason;
  }

  /**
   * A sandbox's child workflow failed, having rolled back what it could and
   * reported it: the items it left unfinished are failed with its reason.
   */
  private sandboxStopped(sandbox: string, reason: unknown): void {
    this.stoppedSandboxes.add(sandbox);
    // A cancelled run rolls every sandbox back; their items say so themselves.
    if (isCancellation(reason)) return;
    for (const item of this.itemsBySandbox.get(sandbox)?.values() ?? []) {
      if (item.status !== 'migrating' && item.status !== 'verified') continue;
      item.status = 'failed';
      item.reason = `sandbox ${sandbox} stopped: ${describeFailure(reason)}`;
    }
    this.report();
  }

  private async startSandbox(sandbox: string, reportEvery: number) {
    const work = this.planned.get(sandbox)!;
    const planned = this.itemsBySandbox.get(sandbox)!;
    const items = work.map((entry) => planned.get(entry.v1.flowId)!);
    for (const item of items) item.status = 'migrating';
    const handle = await startChild(this.steps.sandboxWorkflow, {
      workflowId: sandboxRunId(workflowInfo().workflowId, sandbox),
      // Should the run end abruptly, each sandbox still gets to run its own rollback.
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: `${this.steps.label} in ${sandbox}: ${work.length} dataflows`.slice(0, 200),
      args: [
        { run: this.input, runWorkflowId: workflowInfo().workflowId, sandbox, items, work, reportEvery },
      ],
    });
    this.sandboxRuns.set(sandbox, handle);
    return handle;
  }

  /** Auto-approved sandboxes go on at once; the others wait for a person's `approve` or `reject`. */
  async decide(): Promise<void> {
    await this.gate.await(
      this.sandboxesWithVerified(),
      (sandbox) => Boolean(this.input.approval[sandbox]?.autoApprove),
      () => this.report('awaiting-approval'),
    );
  }

  /** Each sandbox hears its decision and cuts over (or rolls back) on its own: one that cannot finish holds no other back. */
  async cutOverAll(): Promise<void> {
    const sandboxes = this.sandboxesWithVerified();
    const rejected = sandboxes.some((sandbox) => this.gate.decisionFor(sandbox) === 'rejected');
    const retained = sandboxes.some((sandbox) => this.input.approval[sandbox]?.retention);
    this.report(rejected ? 'rolling-back' : retained ? 'retaining-v1' : 'removing-v1');
    await Promise.all(
      sandboxes.map((sandbox) =>
        this.sandboxRuns
          .get(sandbox)!
          .signal(
            sandboxDecisionSignal,
            this.gate.decisionFor(sandbox) === 'rejected'
              ? { decision: 'rejected', reason: this.gate.rejection }
              : { decision: 'approved' },
          ),
      ),
    );
    const outcomes = await this.sandboxOutcomes;
    const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    // Every other sandbox has finished by now: a sandbox's failure ends the run failed, having undone nothing else.
    if (failures.length) throw failures.find((failure) => isCancellation(failure)) ?? failures[0];
  }

  finish(): void {
    const statuses = this.progress.items.map((item) => item.status);
    this.report(
      statuses.includes('rolled-back') && !statuses.includes('v1-removed') ? 'rolled-back' : 'completed',
    );
  }

  /** Whatever stopped the run, every sandbox rolls back what it has not cut over, and the run waits for them. */
  async rollBackAfter(error: unknown): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      this.report('rolling-back');
      this.sandboxScope.cancel();
      await this.sandboxOutcomes;
    });
    if (isCancellation(error)) this.report('rolled-back');
    else {
      this.progress.phase = 'failed';
      this.reporter.failed(error);
    }
  }

  private sandboxesWithVerified(): string[] {
    return this.input.sandboxes.filter(
      (sandbox) => (this.migrated.get(sandbox) ?? 0) > 0 && !this.stoppedSandboxes.has(sandbox),
    );
  }
}
