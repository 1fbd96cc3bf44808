import type { Duration } from '@temporalio/common';
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  metricMeter,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import type { FlowServiceActivities } from '../../activities/flow-service-steps';
import { cutoverMetrics, type CutoverMetrics } from '../../visibility/metrics';
import { CLEANUP, CUT_OVER, INSPECT } from '../activity-options';
import { forEachBounded } from '../shared/concurrency';
import { describeFailure } from '../shared/failures';
import { nonZero, RunReporter, tallyByStatus } from '../shared/reporter';
import { ApprovalGate } from './approval';
import {
  progressQuery,
  type ItemProgress,
  type ItemStatus,
  type MigrationPhase,
  type MigrationProgress,
  type MigrationRunInput,
} from './messages';
import type { MigrationSteps, VerifiedItem } from './steps';

const STATUS_ORDER: ItemStatus[] = [
  'planned',
  'skipped',
  'migrating',
  'verified',
  'failed',
  'v1-removed',
  'rolled-back',
];

const readV1 = proxyActivities<Pick<FlowServiceActivities, 'flowStates'>>({
  ...INSPECT,
  summary: 'Read which V1 dataflows still exist before a rollback',
});

const confirmV2 = proxyActivities<Pick<FlowServiceActivities, 'confirmSingleV2'>>({
  ...CUT_OVER,
  summary: 'Confirm each V1 has exactly one verified V2 dataflow, still enabled',
});

const removal = proxyActivities<
  Pick<FlowServiceActivities, 'deleteFlowServiceObjects' | 'deleteConnectionsIfUnused'>
>({
  ...CUT_OVER,
  summary: 'Delete V1 dataflows and the V1 connections nothing uses any more',
});

const baseConnections = proxyActivities<
  Pick<FlowServiceActivities, 'deleteConnectionsIfUnused' | 'removeUnusedTwinConnections'>
>({
  ...CLEANUP,
  summary: 'Remove V2 base connections nothing uses, and twins of those in use',
});

/**
 * The shape every V1 -> V2 migration shares: preflight, discover and plan all
 * sandboxes before the first write, migrate item by item, wait for approval
 * (or auto-approve), keep V1 for a retention period, then delete it; a
 * rejection, cancellation or failure rolls back every item not yet cut over.
 */
export async function runMigration<W, V extends VerifiedItem>(
  input: MigrationRunInput,
  steps: MigrationSteps<W, V>,
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
class MigrationRun<W, V extends VerifiedItem> {
  readonly progress: MigrationProgress = { phase: 'preflight', items: [], awaitingApproval: [] };
  private readonly reporter: RunReporter<MigrationProgress>;
  private readonly metrics: CutoverMetrics = cutoverMetrics(metricMeter);
  private readonly gate: ApprovalGate;
  private readonly planned = new Map<string, W[]>();
  private readonly verified: V[] = [];
  /** Sandboxes whose V1 deletion has begun: approved, so nothing there is rolled back any more. */
  private readonly cuttingOver = new Set<string>();

  constructor(
    private readonly input: MigrationRunInput,
    private readonly steps: MigrationSteps<W, V>,
  ) {
    this.reporter = new RunReporter(input, progressQuery, () => this.progress);
    this.gate = new ApprovalGate(this.progress);
  }

  report(phase: MigrationPhase = this.progress.phase): void {
    this.progress.phase = phase;
    const tally = tallyByStatus(this.progress.items, STATUS_ORDER);
    const count = (status: ItemStatus) => tally.get(status) ?? 0;
    const waiting = this.progress.awaitingApproval;
    this.metrics.runStanding(this.steps.v2Tag, [...tally]);
    this.reporter.report({
      phase,
      unit: 'dataflows',
      total: this.progress.items.length,
      done: count('verified') + count('v1-removed'),
      failed: count('failed'),
      counts: nonZero(tally),
      ...(waiting.length ? { note: `Waiting for \`approve\` or \`reject\`: ${waiting.join(', ')}` } : {}),
    });
  }

  /** Moves an item on, counting where it got to for the worker's metrics. */
  private reach(item: ItemProgress, status: ItemStatus, reason?: string): void {
    item.status = status;
    if (reason !== undefined) item.reason = reason;
    if (status !== 'migrating') this.metrics.itemReached(this.steps.v2Tag, status);
  }

  /** Preflight and plan of every sandbox before anything is created; a blocker anywhere stops the run. */
  async planAll(): Promise<void> {
    this.report('preflight');
    const plan = await this.steps.plan();
    for (const sandbox of plan.sandboxes) {
      this.progress.items.push(...sandbox.items);
      this.planned.set(sandbox.sandbox, sandbox.work);
    }
    this.report('discovering');
    if (plan.blockers.length)
      throw ApplicationFailure.nonRetryable(
        `Nothing was changed. Blocked: ${plan.blockers.join(' ')}`,
        'MigrationBlocked',
      );
  }

  /** Sandboxes migrate at once, each with at most `concurrency` items in flight. */
  async migrateAll(): Promise<void> {
    this.report('migrating');
    const migrated = await Promise.all(
      this.input.sandboxes.map((sandbox) => this.migrateSandbox(sandbox, this.planned.get(sandbox) ?? [])),
    );
    this.verified.push(...migrated.flat());
  }

  private async migrateSandbox(sandbox: string, work: W[]): Promise<V[]> {
    const { connections, uncertainSince } = await this.ensureBaseConnections(sandbox, work);
    const done: V[] = [];
    const failed: string[] = [];
    await forEachBounded(work, this.input.concurrency, async (entry) => {
      const v2BaseConnectionId = connections.get(this.steps.baseConnectionKeyOf(entry))!.id;
      const item = await this.migrateItem(sandbox, entry, v2BaseConnectionId);
      if (item) done.push(item);
      else failed.push(v2BaseConnectionId);
      this.report('migrating');
    });
    await this.removeUnusedBaseConnections(sandbox, failed);
    if (uncertainSince !== undefined)
      await baseConnections.removeUnusedTwinConnections({
        sandbox,
        keep: [...connections.values()],
        uncertainSince,
      });
    return done;
  }

  /** One V2 base connection per key, made before any child so no two race to make it. */
  private async ensureBaseConnections(sandbox: string, work: W[]) {
    const connections = new Map<string, { id: string; name: string }>();
    let uncertainSince: number | undefined;
    for (const entry of work) {
      const key = this.steps.baseConnectionKeyOf(entry);
      if (connections.has(key)) continue;
      const connection = await this.steps.ensureBaseConnection(sandbox, entry);
      if (connection.retried) uncertainSince = Date.now();
      connections.set(key, connection);
    }
    return { connections, uncertainSince };
  }

  /** The verified item, or undefined when it failed (one item's failure is reported with it; the others go on). */
  private async migrateItem(sandbox: string, entry: W, v2BaseConnectionId: string): Promise<V | undefined> {
    const progress = this.progress.items.find(
      (candidate) => candidate.sandbox === sandbox && candidate.v1FlowId === this.steps.v1FlowIdOf(entry),
    )!;
    this.reach(progress, 'migrating');
    const outcome = await this.steps
      .migrateOne(sandbox, entry, v2BaseConnectionId)
      .catch((error: unknown) => {
        if (isCancellation(error)) throw error;
        return { status: 'failed' as const, reason: describeFailure(error) };
      });
    if (outcome.status === 'failed') {
      this.reach(progress, 'failed', outcome.reason);
      return undefined;
    }
    this.reach(progress, 'verified');
    if (outcome.v2FlowId) progress.v2FlowId = outcome.v2FlowId;
    if (outcome.v2Records !== undefined) progress.v2Records = outcome.v2Records;
    return { ...outcome.item, progress, v2BaseConnectionId } as V;
  }

  /** Auto-approved sandboxes go on at once; the others wait for a person's `approve` or `reject`. */
  async decide(): Promise<void> {
    await this.gate.await(
      this.sandboxesWithVerified(),
      (sandbox) => Boolean(this.input.approval[sandbox]?.autoApprove),
      () => this.report('awaiting-approval'),
    );
  }

  /** Each sandbox is cut over on its own, at the same time: one that cannot finish holds no other back. */
  async cutOverAll(): Promise<void> {
    const outcomes = await Promise.allSettled(
      this.sandboxesWithVerified().map((sandbox) => this.cutOverSandbox(sandbox)),
    );
    const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    if (failures.length) throw failures.find((failure) => isCancellation(failure)) ?? failures[0];
  }

  /** After the decision: roll a rejected sandbox back, or keep V1 for its retention and then delete it. */
  private async cutOverSandbox(sandbox: string): Promise<void> {
    const items = this.verified.filter((item) => item.progress.sandbox === sandbox);
    if (this.gate.decisionFor(sandbox) === 'rejected') {
      this.report('rolling-back');
      await this.rollBack(sandbox, items, `rejected: ${this.gate.rejection}`);
      return;
    }
    const retention = this.input.approval[sandbox]?.retention;
    if (retention) {
      this.report('retaining-v1');
      await sleep(retention as Duration, {
        summary: `Keep V1 in ${sandbox} for ${retention} before deleting it`,
      });
    }
    this.report('removing-v1');
    this.cuttingOver.add(sandbox);
    // Once deleting V1 has begun it runs to the end: a cancellation must not roll back a V2 whose V1 is gone.
    await CancellationScope.nonCancellable(async () => {
      const confirmed = await this.confirmedForCutOver(sandbox, items);
      if (confirmed.length) await this.removeV1(sandbox, confirmed);
    });
  }

  /** V1 dataflows first (one idempotent, resumable activity per sandbox keeps the history small), then their connections. */
  private async removeV1(sandbox: string, items: V[]): Promise<void> {
    await removal.deleteFlowServiceObjects({
      sandbox,
      objects: items.map((item) => ({ collection: 'flows' as const, id: item.v1.flowId })),
    });
    for (const item of items) this.reach(item.progress, 'v1-removed');
    this.report();
    await removal.deleteConnectionsIfUnused({ sandbox, ...this.steps.v1ConnectionsOf(items) });
  }

  /** Items whose V1 may go: a V1 is deleted only while exactly one verified V2, still enabled, replaces it. */
  private async confirmedForCutOver(sandbox: string, items: V[]): Promise<V[]> {
    const checks = await confirmV2.confirmSingleV2({
      sandbox,
      tag: this.steps.v2Tag,
      items: items.map((item) => ({ v1FlowId: item.v1.flowId, v2FlowId: item.progress.v2FlowId ?? '' })),
    });
    return items.filter((item) => {
      const check = checks[item.v1.flowId];
      if (check?.ok) return true;
      this.reach(
        item.progress,
        'failed',
        check?.reason ?? 'its V2 dataflow could not be confirmed, so V1 was kept',
      );
      return false;
    });
  }

  finish(): void {
    const statuses = this.progress.items.map((item) => item.status);
    this.report(
      statuses.includes('rolled-back') && !statuses.includes('v1-removed') ? 'rolled-back' : 'completed',
    );
  }

  /** Whatever stopped the run, no verified item is left half cut over with nobody to approve it. */
  async rollBackAfter(error: unknown): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      this.report('rolling-back');
      // An approved sandbox whose V1 deletion began keeps its V2: it was verified and approved, and V1 may be gone.
      for (const sandbox of this.input.sandboxes.filter((name) => !this.cuttingOver.has(name))) {
        const items = this.verified.filter(
          (item) => item.progress.sandbox === sandbox && item.progress.status === 'verified',
        );
        if (items.length) await this.rollBack(sandbox, items, 'rolled back');
      }
    });
    if (isCancellation(error)) this.report('rolled-back');
    else {
      this.progress.phase = 'failed';
      this.reporter.failed(error);
    }
  }

  private async rollBack(sandbox: string, items: V[], reason: string): Promise<void> {
    const live = await this.keepWhereV1IsGone(sandbox, items);
    if (!live.length) return;
    // Item by item: one that cannot be rolled back is reported, and the others still are.
    for (const item of live) {
      try {
        await this.steps.rollBackOne(sandbox, item);
        this.reach(item.progress, 'rolled-back', reason);
      } catch (error) {
        this.reach(
          item.progress,
          'failed',
          `rollback incomplete, ${this.steps.incompleteRollback}: ${describeFailure(error)}`,
        );
      }
    }
    await this.removeUnusedBaseConnections(
      sandbox,
      live.map((item) => item.v2BaseConnectionId),
    ).catch(() => undefined);
  }

  /**
   * The items a rollback may touch: where V1 is already deleted (a V1 deletion
   * that stopped half-way), V2 is all that is left, so it stays and the item is
   * reported as cut over.
   */
  private async keepWhereV1IsGone(sandbox: string, items: V[]): Promise<V[]> {
    if (!items.length) return items;
    const states = await readV1.flowStates({ sandbox, flowIds: items.map((item) => item.v1.flowId) });
    for (const item of items.filter((candidate) => states[candidate.v1.flowId] === 'absent')) {
      this.reach(item.progress, 'v1-removed', 'V1 was already deleted when the run stopped, so V2 was kept');
    }
    return items.filter((item) => states[item.v1.flowId] !== 'absent');
  }

  /** A V2 base connection made only for items that failed or were rolled back has no reason to stay. */
  private async removeUnusedBaseConnections(sandbox: string, ids: Iterable<string>): Promise<void> {
    const unique = [...new Set(ids)];
    if (unique.length)
      await baseConnections.deleteConnectionsIfUnused({
        sandbox,
        sourceOrTargetConnections: [],
        baseConnectionIds: unique,
      });
  }

  private sandboxesWithVerified(): string[] {
    return this.input.sandboxes.filter((sandbox) =>
      this.verified.some((item) => item.progress.sandbox === sandbox),
    );
  }
}
