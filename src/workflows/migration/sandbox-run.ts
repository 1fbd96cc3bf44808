import type { Duration } from '@temporalio/common';
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { FlowServiceActivities } from '../../activities/flow-service-steps';
import { CLEANUP, CUT_OVER, INSPECT } from '../activity-options';
import { forEachBounded } from '../shared/concurrency';
import { describeFailure } from '../shared/failures';
import { OutageBoard, patientActivities, showWaits, waitOutOutages } from '../shared/outage';
import { PATCHES } from '../patches';
import { RunReporter } from '../shared/reporter';
import { migrationStanding } from './standing';
import {
  itemOutageSignal,
  progressQuery,
  sandboxDecisionSignal,
  sandboxReportSignal,
  type ItemProgress,
  type ItemStatus,
  type ItemUpdate,
  type MigrationPhase,
  type MigrationProgress,
  type MigrationRunInput,
  type SandboxDecision,
  type SandboxReport,
} from './messages';
import type { MigrationWork, SandboxMigrationInput, SandboxSteps, VerifiedItem } from './steps';
import type { OutageWait } from '../../domain/outage';

const readV1 = patientActivities<Pick<FlowServiceActivities, 'flowStates'>>({
  ...INSPECT,
  summary: 'Read which V1 dataflows still exist before a rollback',
});

const confirmV2 = patientActivities<Pick<FlowServiceActivities, 'confirmSingleV2'>>({
  ...CUT_OVER,
  summary: 'Confirm each V1 has exactly one verified V2 dataflow, still enabled',
});

const removal = patientActivities<
  Pick<FlowServiceActivities, 'deleteFlowServiceObjects' | 'deleteConnectionsIfUnused'>
>({
  ...CUT_OVER,
  summary: 'Delete V1 dataflows and the V1 connections nothing uses any more',
});

const baseConnections = patientActivities<
  Pick<FlowServiceActivities, 'deleteConnectionsIfUnused' | 'removeUnusedTwinConnections'>
>({
  ...CLEANUP,
  summary: 'Remove V2 base connections nothing uses, and twins of those in use',
});

/**
 * One sandbox of a migration run, as the run's child workflow: migrate its
 * items, tell the run, wait for the run's decision (approval or rejection),
 * then keep V1 for the retention period and delete it, or roll back. A
 * cancellation or failure before V1 deletion began rolls back every verified
 * item. Each sandbox has its own history, so a run of thousands of dataflows
 * never nears Temporal's history limits.
 */
export async function runSandboxMigration<
  I extends MigrationRunInput,
  W extends MigrationWork,
  V extends VerifiedItem,
>(input: SandboxMigrationInput<I, W>, steps: SandboxSteps<W, V>): Promise<void> {
  const sandbox = new SandboxRun(input, steps);
  try {
    await sandbox.migrate();
    await sandbox.cutOverOrRollBack(await sandbox.decision());
  } catch (error) {
    await sandbox.rollBackAfter(error);
    throw error;
  }
  await sandbox.flush();
}

/** One sandbox's state and phases; each method is one step of `runSandboxMigration`. */
class SandboxRun<I extends MigrationRunInput, W extends MigrationWork, V extends VerifiedItem> {
  private readonly progress: MigrationProgress;
  private readonly byV1FlowId: Map<string, ItemProgress>;
  private readonly reporter: RunReporter<MigrationProgress>;
  private readonly verified: V[] = [];
  private readonly run;
  private unreported: ItemUpdate[] = [];
  /** Reports go one after another, so the run never applies an older one last. */
  private sending: Promise<void> = Promise.resolve();
  private decided: SandboxDecision | undefined;
  /** Set once V1 deletion has begun: approved, so nothing here is rolled back any more. */
  private cuttingOver = false;
  /** The APIs this sandbox's steps and its items' sagas wait for. */
  private readonly outages = new OutageBoard();

  constructor(
    private readonly input: SandboxMigrationInput<I, W>,
    private readonly steps: SandboxSteps<W, V>,
  ) {
    this.progress = { phase: 'migrating', items: input.items, awaitingApproval: [] };
    this.byV1FlowId = new Map(input.items.map((item) => [item.v1FlowId, item]));
    this.reporter = new RunReporter({ useSearchAttributes: false }, progressQuery, () => this.progress);
    this.run = getExternalWorkflowHandle(input.runWorkflowId);
    setHandler(sandboxDecisionSignal, (decision) => {
      this.decided ??= decision;
    });
    const observer = {
      waiting: (wait: OutageWait) => this.outageChanged(this.outages.waiting(wait)),
      resumed: (wait: OutageWait) => this.outageChanged(this.outages.resumed(wait)),
    };
    waitOutOutages({ tolerances: input.run.outageTolerances, sandbox: input.sandbox, observer });
    setHandler(itemOutageSignal, ({ wait, waiting }) =>
      waiting ? observer.waiting(wait) : observer.resumed(wait),
    );
  }

  /** The run hears at once when this sandbox starts or stops waiting for an API. */
  private outageChanged(changed: boolean): void {
    if (!changed) return;
    const waits = this.outages.list();
    showWaits(this.progress, waits);
    this.showCounts();
    this.tell({ waitingFor: waits });
  }

  private get sandboxName(): string {
    return this.input.sandbox;
  }

  /** Migrates every item (at most `concurrency` at once), then tells the run how many were verified. */
  async migrate(): Promise<void> {
    this.show('migrating');
    const { connections, uncertainSince } = await this.ensureBaseConnections();
    const failed: string[] = [];
    await forEachBounded(this.input.work, this.input.run.concurrency, async (entry) => {
      const v2BaseConnectionId = connections.get(this.steps.baseConnectionKeyOf(entry))!.id;
      if (!(await this.migrateItem(entry, v2BaseConnectionId))) failed.push(v2BaseConnectionId);
    });
    await this.removeUnusedBaseConnections(failed);
    if (uncertainSince !== undefined)
      await baseConnections.removeUnusedTwinConnections({
        sandbox: this.sandboxName,
        keep: [...connections.values()],
        uncertainSince,
      });
    this.tell({ migrated: { verified: this.verified.length } });
    await this.sending;
  }

  /** One V2 base connection per key, made before any item so no two race to make it. */
  private async ensureBaseConnections() {
    const connections = new Map<string, { id: string; name: string }>();
    let uncertainSince: number | undefined;
    for (const entry of this.input.work) {
      const key = this.steps.baseConnectionKeyOf(entry);
      if (connections.has(key)) continue;
      const connection = await this.steps.ensureBaseConnection(this.sandboxName, entry);
      if (connection.retried) uncertainSince = Date.now();
      connections.set(key, connection);
    }
    return { connections, uncertainSince };
  }

  /** Whether the item was verified (one item's failure is reported with it; the others go on). */
  private async migrateItem(entry: W, v2BaseConnectionId: string): Promise<boolean> {
    const progress = this.byV1FlowId.get(entry.v1.flowId)!;
    const outcome = await this.steps
      .migrateOne(this.sandboxName, entry, v2BaseConnectionId)
      .catch((error: unknown) => {
        if (isCancellation(error)) throw error;
        return { status: 'failed' as const, reason: describeFailure(error) };
      });
    if (outcome.status === 'failed') {
      this.reach(progress, 'failed', outcome.reason);
      return false;
    }
    if (outcome.v2FlowId) progress.v2FlowId = outcome.v2FlowId;
    if (outcome.v2Records !== undefined) progress.v2Records = outcome.v2Records;
    this.reach(progress, 'verified');
    this.verified.push({ ...outcome.item, progress, v2BaseConnectionId } as V);
    return true;
  }

  /** The run's decision, once it has one; nothing to decide when no item was verified. */
  async decision(): Promise<SandboxDecision | undefined> {
    if (!this.verified.length) return undefined;
    this.show('awaiting-approval');
    await condition(() => this.decided !== undefined);
    return this.decided;
  }

  /** After the decision: roll back on a rejection, or keep V1 for its retention and then delete it. */
  async cutOverOrRollBack(decision: SandboxDecision | undefined): Promise<void> {
    if (!decision) return;
    if (decision.decision === 'rejected') {
      this.show('rolling-back');
      await this.rollBack(this.verified, `rejected: ${decision.reason}`);
      return;
    }
    const retention = this.input.run.approval[this.sandboxName]?.retention;
    if (retention) {
      this.show('retaining-v1');
      await sleep(retention as Duration, {
        summary: `Keep V1 in ${this.sandboxName} for ${retention} before deleting it`,
      });
    }
    this.show('removing-v1');
    this.cuttingOver = true;
    // Once deleting V1 has begun it runs to the end: a cancellation must not roll back a V2 whose V1 is gone.
    await CancellationScope.nonCancellable(async () => {
      const confirmed = await this.confirmedForCutOver(this.verified);
      if (confirmed.length) await this.removeV1(confirmed);
    });
  }

  /** V1 dataflows first (one idempotent, resumable activity keeps the history small), then their connections. */
  private async removeV1(items: V[]): Promise<void> {
    await removal.deleteFlowServiceObjects({
      sandbox: this.sandboxName,
      objects: items.map((item) => ({ collection: 'flows' as const, id: item.v1.flowId })),
    });
    for (const item of items) this.reach(item.progress, 'v1-removed');
    await removal.deleteConnectionsIfUnused({
      sandbox: this.sandboxName,
      ...this.steps.v1ConnectionsOf(items),
    });
  }

  /** Items whose V1 may go: a V1 is deleted only while exactly one verified V2, still enabled, replaces it. */
  private async confirmedForCutOver(items: V[]): Promise<V[]> {
    const checks = await confirmV2.confirmSingleV2({
      sandbox: this.sandboxName,
      tag: this.steps.v2Tag,
      items: items.map((item) => ({ v1FlowId: item.v1.flowId, v2FlowId: item.progress.v2FlowId ?? '' })),
    });
    const unconfirmed = new Map<V, string>();
    const confirmed = items.filter((item) => {
      const check = checks[item.v1.flowId];
      if (check?.ok) return true;
      const reason = check?.reason ?? 'its V2 dataflow could not be confirmed, so V1 was kept';
      unconfirmed.set(item, reason);
      this.reach(item.progress, 'failed', reason);
      return false;
    });
    // A V1 kept because its V2 is gone or off must not stay disabled, or its data stops flowing.
    if (unconfirmed.size && this.steps.restoreV1 && patched(PATCHES.unconfirmedItemsRestored))
      for (const [item, reason] of unconfirmed) await this.restoreV1(item, reason);
    return confirmed;
  }

  private async restoreV1(item: V, reason: string): Promise<void> {
    try {
      await this.steps.restoreV1!(this.sandboxName, item);
      this.reach(item.progress, 'failed', `${reason}, and V1 runs again as before`);
    } catch (error) {
      this.reach(
        item.progress,
        'failed',
        `${reason}, but ${this.steps.incompleteRollback}: ${describeFailure(error)}`,
      );
    }
  }

  /** Whatever stopped the sandbox, no verified item is left half cut over with nobody to approve it. */
  async rollBackAfter(error: unknown): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      // Once V1 deletion began, V2 stays: it was verified and approved, and V1 may be gone.
      const items = this.verified.filter((item) => item.progress.status === 'verified');
      if (!this.cuttingOver && items.length) {
        this.show('rolling-back');
        await this.rollBack(items, 'rolled back');
      }
      if (isCancellation(error)) this.show('rolled-back');
      else {
        this.progress.phase = 'failed';
        this.reporter.failed(error);
      }
      await this.flush();
    });
  }

  private async rollBack(items: V[], reason: string): Promise<void> {
    const live = await this.keepWhereV1IsGone(items);
    if (!live.length) return;
    // Item by item: one that cannot be rolled back is reported, and the others still are.
    for (const item of live) {
      try {
        await this.steps.rollBackOne(this.sandboxName, item);
        this.reach(item.progress, 'rolled-back', reason);
      } catch (error) {
        this.reach(
          item.progress,
          'failed',
          `rollback incomplete, ${this.steps.incompleteRollback}: ${describeFailure(error)}`,
        );
      }
    }
    await this.removeUnusedBaseConnections(live.map((item) => item.v2BaseConnectionId)).catch(
      () => undefined,
    );
  }

  /**
   * The items a rollback may touch: where V1 is already deleted (a V1 deletion
   * that stopped half-way), V2 is all that is left, so it stays and the item is
   * reported as cut over.
   */
  private async keepWhereV1IsGone(items: V[]): Promise<V[]> {
    const states = await readV1.flowStates({
      sandbox: this.sandboxName,
      flowIds: items.map((item) => item.v1.flowId),
    });
    for (const item of items.filter((candidate) => states[candidate.v1.flowId] === 'absent')) {
      this.reach(item.progress, 'v1-removed', 'V1 was already deleted when the run stopped, so V2 was kept');
    }
    return items.filter((item) => states[item.v1.flowId] !== 'absent');
  }

  /** A V2 base connection made only for items that failed or were rolled back has no reason to stay. */
  private async removeUnusedBaseConnections(ids: Iterable<string>): Promise<void> {
    const unique = [...new Set(ids)];
    if (unique.length)
      await baseConnections.deleteConnectionsIfUnused({
        sandbox: this.sandboxName,
        sourceOrTargetConnections: [],
        baseConnectionIds: unique,
      });
  }

  /** Moves an item on; the run hears of it with the next report. */
  private reach(item: ItemProgress, status: ItemStatus, reason?: string): void {
    item.status = status;
    if (reason !== undefined) item.reason = reason;
    this.unreported.push({
      v1FlowId: item.v1FlowId,
      status,
      ...(item.reason !== undefined ? { reason: item.reason } : {}),
      ...(item.v2FlowId !== undefined ? { v2FlowId: item.v2FlowId } : {}),
      ...(item.v2Records !== undefined ? { v2Records: item.v2Records } : {}),
    });
    this.showCounts();
    if (this.unreported.length >= this.input.reportEvery) this.tell({});
  }

  /** Enters a phase, and tells the run at once. */
  private show(phase: MigrationPhase): void {
    this.progress.phase = phase;
    this.showCounts();
    this.tell({ phase });
  }

  private showCounts(): void {
    this.reporter.report(migrationStanding(this.progress).standing);
  }

  /** Sends the run what it has not heard yet, with `extra`; queued behind the reports before it. */
  private tell(extra: Omit<SandboxReport, 'sandbox' | 'updates'>): void {
    const report: SandboxReport = { sandbox: this.sandboxName, updates: this.unreported, ...extra };
    this.unreported = [];
    // A run that has ended has nobody to tell; this sandbox's own history still holds the outcome.
    this.sending = this.sending.then(() =>
      // Not cancellable: the reports of a rollback after a cancellation are the ones the run needs most.
      CancellationScope.nonCancellable(() => this.run.signal(sandboxReportSignal, report)).catch(
        () => undefined,
      ),
    );
  }

  /** Every update told to the run before the sandbox ends. */
  async flush(): Promise<void> {
    if (this.unreported.length) this.tell({});
    await this.sending;
  }
}
