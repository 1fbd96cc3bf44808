import type { Duration } from '@temporalio/common';
import {
  allHandlersFinished,
  ApplicationFailure,
  ParentClosePolicy,
  proxyActivities,
  workflowInfo,
  CancellationScope,
  condition,
  isCancellation,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import {
  CutoverItemsDone,
  CutoverItemsFailed,
  CutoverItemsTotal,
  CutoverKind,
  CutoverOrg,
  CutoverPhase,
  CutoverSandboxes,
} from '../../temporal/search-attributes';
import type { CutoverActivities } from '../../activities';
import { CLEANUP, CUT_OVER } from '../activity-options';
import { describeFailure } from '../failures';
import {
  approveUpdate,
  progressQuery,
  rejectUpdate,
  type ItemProgress,
  type MigrationKind,
  type MigrationPhase,
  type MigrationProgress,
  type MigrationRunInput,
} from './messages';

const DEFAULT_CONCURRENCY = 10;
const STATUS_ORDER = ['planned', 'skipped', 'migrating', 'verified', 'failed', 'v1-removed', 'rolled-back'];

/** Runs `work` over `items` with at most `limit` at once; deterministic because only Temporal APIs wait. */
export async function forEachBounded<T>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

/** Children are named after their parent and V1 dataflow, so a retried start finds the same child. */
function childWorkflowId(parentWorkflowId: string, v1FlowId: string): string {
  return `${parentWorkflowId}/${v1FlowId}`;
}

/** A V2 replacement proven to work, waiting for its V1 to be deleted or for a rollback. */
export interface VerifiedItem {
  progress: ItemProgress;
  v1: { flowId: string };
  /** The V2 account (base) connection the item's V2 objects hang off. */
  v2AccountId: string;
}

const cleanup = proxyActivities<CutoverActivities>({
  ...CLEANUP,
  summary: 'Check V1 before a rollback, or remove V2 account connections nothing uses',
});

const cutOver = proxyActivities<CutoverActivities>({
  ...CUT_OVER,
  summary: 'Confirm each V1 has exactly one verified V2 still enabled',
});

/** How the parent starts an item's child saga: named after the run and the V1 dataflow, so a retry finds it. */
export function childSagaOptions(v1FlowId: string, summary: string) {
  return {
    workflowId: childWorkflowId(workflowInfo().workflowId, v1FlowId),
    // Should the run end abruptly, each child still gets to run its own rollback.
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    staticSummary: summary.slice(0, 200),
  };
}

/**
 * The items a rollback may touch: where V1 is already deleted (a V1 deletion
 * that stopped half-way), V2 is all that is left, so it stays and the item is
 * reported as cut over.
 */
async function keepWhereV1IsGone<V extends VerifiedItem>(sandbox: string, items: V[]): Promise<V[]> {
  if (!items.length) return items;
  const states = await cleanup.flowStates({ sandbox, flowIds: items.map((item) => item.v1.flowId) });
  for (const item of items.filter((candidate) => states[candidate.v1.flowId] === 'absent')) {
    item.progress.status = 'v1-removed';
    item.progress.reason = 'V1 was already deleted when the run stopped, so V2 was kept';
  }
  return items.filter((item) => states[item.v1.flowId] !== 'absent');
}

export interface SandboxPlan<W> {
  /** Every V1 dataflow found, as progress entries (planned or skipped with the reason). */
  items: ItemProgress[];
  /** What to migrate, one entry per planned item. */
  work: W[];
  /** Why nothing may be created in this sandbox; any blocker stops the run before the first write. */
  blockers: string[];
}

/** What one item's migration reports back to the run. */
export type ItemOutcome<V extends VerifiedItem> =
  | { status: 'verified'; item: Omit<V, 'progress' | 'v2AccountId'>; v2FlowId?: string; v2Records?: number }
  | { status: 'failed'; reason: string };

/** A V2 account connection made only for items that failed or were rolled back has no reason to stay. */
async function removeUnusedAccounts(sandbox: string, accountIds: Iterable<string>): Promise<void> {
  const ids = [...new Set(accountIds)];
  if (ids.length)
    await cleanup.deleteConnectionsIfUnused({
      sandbox,
      sourceOrTargetConnections: [],
      baseConnectionIds: ids,
    });
}

/** The steps that differ between migrations; the run supplies phases, approval, progress and rollback order. */
export interface MigrationSteps<W, V extends VerifiedItem> {
  kind: MigrationKind;
  preflight(): Promise<void>;
  plan(sandbox: string): Promise<SandboxPlan<W>>;
  /** Which V2 account connection a work entry needs; items with the same key share one. */
  accountKeyOf(work: W): string;
  /**
   * Finds or makes that account connection; the run calls it once per key,
   * before any child, so none race. `retried`: a twin may exist (see EnsuredObject).
   */
  ensureAccount(sandbox: string, work: W): Promise<{ id: string; name: string; retried: boolean }>;
  /** Migrates one item, usually as a child saga; a failure is reported with the item and the others go on. */
  migrateOne(sandbox: string, work: W, v2AccountId: string): Promise<ItemOutcome<V>>;
  /** Deletes V1 for approved items; runs to the end once begun. */
  removeV1(sandbox: string, items: V[], report: () => void): Promise<void>;
  /**
   * Removes V2 (and restores V1 where it was changed), marking each item
   * rolled-back or failed. Items whose V1 is already gone never get here, and
   * the run removes the account connections left unused afterwards.
   */
  rollBack(sandbox: string, items: V[], reason: string): Promise<void>;
  /** The key that pairs a work entry with its progress entry. */
  v1FlowIdOf(work: W): string;
  /** The tag in the description of every V2 dataflow this kind makes (`cutover:<tag>:<V1 id>`). */
  v2Tag: 'sfmc' | 'marketo';
}

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
  const progress: MigrationProgress = { phase: 'preflight', items: [], awaitingApproval: [] };
  const decisions = new Map<string, 'approved' | 'rejected'>();
  const verified: V[] = [];
  /** Sandboxes whose V1 deletion has begun: approved, so nothing there is rolled back any more. */
  const cuttingOver = new Set<string>();
  let rejection = '';

  setHandler(progressQuery, () => progress);
  const validateDecision = (sandboxes?: string[]) => {
    if (progress.phase !== 'awaiting-approval' || progress.awaitingApproval.length === 0) {
      throw new Error(`Nothing is waiting for approval: the migration is in phase "${progress.phase}".`);
    }
    const unknown = (sandboxes ?? []).filter((sandbox) => !progress.awaitingApproval.includes(sandbox));
    if (unknown.length)
      throw new Error(
        `Not waiting for approval: ${unknown.join(', ')}. Waiting: ${progress.awaitingApproval.join(', ')}.`,
      );
  };
  const decide = (decision: 'approved' | 'rejected', sandboxes?: string[]) => {
    const chosen = sandboxes?.length ? sandboxes : [...progress.awaitingApproval];
    for (const sandbox of chosen) decisions.set(sandbox, decision);
    progress.awaitingApproval = progress.awaitingApproval.filter((sandbox) => !chosen.includes(sandbox));
    return chosen;
  };
  setHandler(approveUpdate, (request) => decide('approved', request.sandboxes), {
    validator: (request) => validateDecision(request.sandboxes),
    description: 'Approve deleting the V1 dataflows whose V2 replacement is verified.',
  });
  setHandler(
    rejectUpdate,
    (request) => {
      rejection = `${request.reason}${request.by ? ` (by ${request.by})` : ''}`;
      return decide('rejected');
    },
    {
      validator: (_request) => validateDecision(),
      description: 'Reject the cut-over: remove V2 (and restore V1) in the waiting sandboxes.',
    },
  );

  const upsert: typeof upsertSearchAttributes = (attributes) => {
    if (input.useSearchAttributes !== false) upsertSearchAttributes(attributes);
  };
  const count = (statuses: string[]) =>
    progress.items.filter((item) => statuses.includes(item.status)).length;
  const report = (phase: MigrationPhase = progress.phase) => {
    progress.phase = phase;
    upsert([
      { key: CutoverPhase, value: phase },
      { key: CutoverItemsTotal, value: progress.items.length },
      { key: CutoverItemsDone, value: count(['verified', 'v1-removed']) },
      { key: CutoverItemsFailed, value: count(['failed']) },
    ]);
    setCurrentDetails(
      [
        `**Phase:** ${phase}`,
        '',
        '| status | dataflows |',
        '| --- | --- |',
        ...STATUS_ORDER.filter((status) => count([status]) > 0).map(
          (status) => `| ${status} | ${count([status])} |`,
        ),
        ...(progress.awaitingApproval.length
          ? ['', `Waiting for \`approve\` or \`reject\`: ${progress.awaitingApproval.join(', ')}`]
          : []),
      ].join('\n'),
    );
  };

  async function migrateSandbox(sandbox: string, work: W[]): Promise<V[]> {
    const accounts = new Map<string, { id: string; name: string }>();
    let accountsUncertainSince: number | undefined;
    for (const entry of work) {
      const key = steps.accountKeyOf(entry);
      if (accounts.has(key)) continue;
      const account = await steps.ensureAccount(sandbox, entry);
      if (account.retried) accountsUncertainSince = Date.now();
      accounts.set(key, account);
    }
    const done: V[] = [];
    const failedAccounts: string[] = [];
    await forEachBounded(work, input.concurrency ?? DEFAULT_CONCURRENCY, async (entry) => {
      const itemProgress = progress.items.find(
        (candidate) => candidate.sandbox === sandbox && candidate.v1FlowId === steps.v1FlowIdOf(entry),
      )!;
      const v2AccountId = accounts.get(steps.accountKeyOf(entry))!.id;
      itemProgress.status = 'migrating';
      let outcome: ItemOutcome<V>;
      try {
        outcome = await steps.migrateOne(sandbox, entry, v2AccountId);
      } catch (error) {
        if (isCancellation(error)) throw error;
        // One dataflow's failure is reported with it; the others carry on.
        outcome = { status: 'failed', reason: describeFailure(error) };
      }
      if (outcome.status === 'verified') {
        itemProgress.status = 'verified';
        if (outcome.v2FlowId) itemProgress.v2FlowId = outcome.v2FlowId;
        if (outcome.v2Records !== undefined) itemProgress.v2Records = outcome.v2Records;
        done.push({ ...outcome.item, progress: itemProgress, v2AccountId } as V);
      } else {
        itemProgress.status = 'failed';
        itemProgress.reason = outcome.reason;
        failedAccounts.push(v2AccountId);
      }
      report('migrating');
    });
    await removeUnusedAccounts(sandbox, failedAccounts);
    if (accountsUncertainSince !== undefined)
      await cleanup.removeUnusedTwinConnections({
        sandbox,
        keep: [...accounts.values()],
        uncertainSince: accountsUncertainSince,
      });
    return done;
  }

  /** Items whose V1 may go: a V1 is deleted only while exactly one verified V2, still enabled, replaces it. */
  async function confirmedForCutOver(sandbox: string, items: V[]): Promise<V[]> {
    const checks = await cutOver.confirmSingleV2({
      sandbox,
      tag: steps.v2Tag,
      items: items.map((item) => ({ v1FlowId: item.v1.flowId, v2FlowId: item.progress.v2FlowId ?? '' })),
    });
    return items.filter((item) => {
      const check = checks[item.v1.flowId];
      if (check?.ok) return true;
      item.progress.status = 'failed';
      item.progress.reason = check?.reason ?? 'its V2 dataflow could not be confirmed, so V1 was kept';
      return false;
    });
  }

  /** After the decision: roll a rejected sandbox back, or keep V1 for its retention and then delete it. */
  async function cutOverSandbox(sandbox: string): Promise<void> {
    const items = verified.filter((item) => item.progress.sandbox === sandbox);
    if (decisions.get(sandbox) === 'rejected') {
      report('rolling-back');
      await rollBack(sandbox, items, `rejected: ${rejection}`);
      return;
    }
    const retention = input.approval[sandbox]?.retention;
    if (retention) {
      report('retaining-v1');
      await sleep(retention as Duration, {
        summary: `Keep V1 in ${sandbox} for ${retention} before deleting it`,
      });
    }
    report('removing-v1');
    cuttingOver.add(sandbox);
    // Once deleting V1 has begun it runs to the end: a cancellation must not roll back a V2 whose V1 is gone.
    await CancellationScope.nonCancellable(async () => {
      const confirmed = await confirmedForCutOver(sandbox, items);
      if (confirmed.length) await steps.removeV1(sandbox, confirmed, () => report());
    });
  }

  async function rollBack(sandbox: string, items: V[], reason: string): Promise<void> {
    const live = await keepWhereV1IsGone(sandbox, items);
    if (!live.length) return;
    await steps.rollBack(sandbox, live, reason);
    await removeUnusedAccounts(
      sandbox,
      live.map((item) => item.v2AccountId),
    ).catch(() => undefined);
  }

  const planned = new Map<string, W[]>();
  upsert([
    { key: CutoverKind, value: steps.kind },
    { key: CutoverOrg, value: input.orgId },
    { key: CutoverSandboxes, value: input.sandboxes },
  ]);

  try {
    report('preflight');
    await steps.preflight();

    report('discovering');
    const blockers: string[] = [];
    // Every sandbox is discovered at once; the plans are read in the configured order.
    const plans = await Promise.all(input.sandboxes.map((sandbox) => steps.plan(sandbox)));
    for (const [index, plan] of plans.entries()) {
      const sandbox = input.sandboxes[index]!;
      progress.items.push(...plan.items);
      planned.set(sandbox, plan.work);
      blockers.push(...plan.blockers.map((blocker) => `${sandbox}: ${blocker}`));
    }
    report('discovering');
    if (blockers.length) {
      throw ApplicationFailure.nonRetryable(
        `Nothing was changed. Blocked: ${blockers.join(' ')}`,
        'MigrationBlocked',
      );
    }

    report('migrating');
    // Sandboxes migrate at once, each with its own `concurrency` items in flight.
    const migrated = await Promise.all(
      input.sandboxes.map((sandbox) => migrateSandbox(sandbox, planned.get(sandbox) ?? [])),
    );
    verified.push(...migrated.flat());

    const sandboxesWithVerified = input.sandboxes.filter((sandbox) =>
      verified.some((item) => item.progress.sandbox === sandbox),
    );
    for (const sandbox of sandboxesWithVerified) {
      if (input.approval[sandbox]?.autoApprove) decisions.set(sandbox, 'approved');
      else progress.awaitingApproval.push(sandbox);
    }
    if (progress.awaitingApproval.length) {
      report('awaiting-approval');
      await condition(() => progress.awaitingApproval.length === 0);
    }

    // Each sandbox is cut over on its own, at the same time: one that cannot finish holds no other back.
    const cutOvers = await Promise.allSettled(
      sandboxesWithVerified.map((sandbox) => cutOverSandbox(sandbox)),
    );
    const failures = cutOvers.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    if (failures.length) throw failures.find((failure) => isCancellation(failure)) ?? failures[0];
    report(
      progress.items.some((item) => item.status === 'rolled-back') &&
        !progress.items.some((item) => item.status === 'v1-removed')
        ? 'rolled-back'
        : 'completed',
    );
  } catch (error) {
    // Whatever stopped the run, no verified item is left half cut over with nobody to approve it.
    await CancellationScope.nonCancellable(async () => {
      report('rolling-back');
      // An approved sandbox whose V1 deletion began keeps its V2: it was verified and approved, and V1 may be gone.
      for (const sandbox of input.sandboxes.filter((name) => !cuttingOver.has(name))) {
        const items = verified.filter(
          (item) => item.progress.sandbox === sandbox && item.progress.status === 'verified',
        );
        if (items.length) await rollBack(sandbox, items, 'rolled back');
      }
    });
    if (isCancellation(error)) {
      report('rolled-back');
    } else {
      progress.phase = 'failed';
      upsert([{ key: CutoverPhase, value: 'failed' }]);
      setCurrentDetails(`**Failed:** ${describeFailure(error)}`);
    }
    throw error;
  }
  await condition(allHandlersFinished);
  return progress;
}
