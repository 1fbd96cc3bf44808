import type { Duration } from '@temporalio/common';
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  executeChild,
  ParentClosePolicy,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CutoverActivities } from '../../activities';
import { CLEANUP_RETRY, WRITE_RETRY } from '../activity-retries';
import { planSfmcMigration } from '../../domain/sfmc/plan';
import {
  CutoverItemsDone,
  CutoverItemsFailed,
  CutoverItemsTotal,
  CutoverKind,
  CutoverOrg,
  CutoverPhase,
  CutoverSandboxes,
} from '../../temporal/search-attributes';
import { describeFailure } from '../failures';
import { childWorkflowId, sfmcDataflowMigrationWorkflow } from './dataflow-migration';
import {
  approveUpdate,
  progressQuery,
  rejectUpdate,
  type CreatedV2Objects,
  type ItemProgress,
  type MigrationPhase,
  type SfmcMigrationInput,
  type SfmcMigrationProgress,
} from './messages';

// Discovery only reads, and makes many calls: it retries until its deadline rather than a count.
const discover = proxyActivities<CutoverActivities>({
  startToCloseTimeout: '10 minutes',
  scheduleToCloseTimeout: '1 hour',
  heartbeatTimeout: '20 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 1.5,
    maximumInterval: '30 seconds',
  },
  summary: 'Discover V1 SFMC dataflows and SFMC data extensions',
});

const prepare = proxyActivities<CutoverActivities>({
  heartbeatTimeout: '10 seconds',
  startToCloseTimeout: '2 minutes',
  retry: WRITE_RETRY,
  summary: 'Find or create the V2 account connection',
});

const preflight = proxyActivities<CutoverActivities>({
  heartbeatTimeout: '10 seconds',
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', maximumAttempts: 5 },
  summary: 'Prove the SFMC V2 credentials',
});

const cleanup = proxyActivities<CutoverActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '20 seconds',
  retry: CLEANUP_RETRY,
  summary: 'Remove objects that are no longer needed',
});

const DEFAULT_CONCURRENCY = 10;

/** Runs `work` over `items` with at most `limit` at once; deterministic because only Temporal APIs wait. */
async function forEachBounded<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  });
  await Promise.all(lanes);
}

interface VerifiedItem {
  progress: ItemProgress;
  created: CreatedV2Objects;
  v1: {
    flowId: string;
    name: string;
    /** Rollback restores this state, so a V1 dataflow that was off stays off. */
    wasEnabled: boolean;
    sourceConnectionId: string;
    targetConnectionId: string;
    baseConnectionId: string;
  };
}

/**
 * SFMC source V1 -> V2 for a set of sandboxes: discover, plan, migrate each
 * dataflow in a child saga, then (after approval and any retention period)
 * delete V1; a rejection or cancellation restores V1 and removes V2.
 */
export async function sfmcMigrationWorkflow(input: SfmcMigrationInput): Promise<SfmcMigrationProgress> {
  const progress: SfmcMigrationProgress = { phase: 'preflight', items: [], awaitingApproval: [] };
  const decisions = new Map<string, 'approved' | 'rejected'>();
  const verified: VerifiedItem[] = [];

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
  let rejection = '';
  setHandler(
    rejectUpdate,
    (request) => {
      rejection = `${request.reason}${request.by ? ` (by ${request.by})` : ''}`;
      return decide('rejected');
    },
    {
      validator: (_request) => validateDecision(),
      description: 'Reject the cut-over: restore V1 and remove V2 in the waiting sandboxes.',
    },
  );

  const upsert: typeof upsertSearchAttributes = (attributes) => {
    if (input.useSearchAttributes !== false) upsertSearchAttributes(attributes);
  };

  const report = (phase: MigrationPhase) => {
    progress.phase = phase;
    const counts = (statuses: string[]) =>
      progress.items.filter((item) => statuses.includes(item.status)).length;
    upsert([
      { key: CutoverPhase, value: phase },
      { key: CutoverItemsTotal, value: progress.items.length },
      { key: CutoverItemsDone, value: counts(['verified', 'v1-removed']) },
      { key: CutoverItemsFailed, value: counts(['failed']) },
    ]);
    setCurrentDetails(
      [
        `**Phase:** ${phase}`,
        '',
        '| status | dataflows |',
        '| --- | --- |',
        ...(['planned', 'skipped', 'migrating', 'verified', 'failed', 'v1-removed', 'rolled-back'] as const)
          .map((status) => [status, counts([status])] as const)
          .filter(([, count]) => count > 0)
          .map(([status, count]) => `| ${status} | ${count} |`),
        ...(progress.awaitingApproval.length
          ? ['', `Waiting for \`approve\` or \`reject\`: ${progress.awaitingApproval.join(', ')}`]
          : []),
      ].join('\n'),
    );
  };

  upsert([
    { key: CutoverKind, value: 'sfmc-migration' },
    { key: CutoverOrg, value: input.orgId },
    { key: CutoverSandboxes, value: input.sandboxes },
  ]);

  try {
    report('preflight');
    if (input.plan.v2BaseEndpoint) await preflight.verifySfmcV2Access();

    report('discovering');
    for (const sandbox of input.sandboxes) {
      const { discovered, extensions } = await discover.discoverSfmcSandbox({ sandbox });
      const plan = planSfmcMigration(discovered, extensions, input.plan);
      for (const item of plan.items) {
        progress.items.push({
          sandbox,
          v1FlowId: item.v1.flowId,
          name: item.v1.name,
          status: item.action === 'migrate' ? 'planned' : 'skipped',
          ...(item.action === 'skip'
            ? {
                reason: `${item.reason}: ${item.detail}`,
                ...(item.existingV2FlowId ? { v2FlowId: item.existingV2FlowId } : {}),
              }
            : {}),
          ...(item.action === 'migrate' && item.warnings.length ? { warnings: item.warnings } : {}),
          ...(item.v1.lastRun?.inputRecordCount !== undefined
            ? { v1Records: item.v1.lastRun.inputRecordCount }
            : {}),
        });
      }
      const migrations = plan.items.flatMap((item) => (item.action === 'migrate' ? [item] : []));
      const rolledBackBases = new Set<string>();
      // One V2 account connection per V1 one, made before the children so none of them race to create it.
      const v2Bases = new Map<string, string>();
      for (const item of migrations) {
        const v1Base = item.v1.baseConnection;
        if (!v2Bases.has(v1Base.id)) {
          v2Bases.set(
            v1Base.id,
            (await prepare.ensureV2BaseConnection({ sandbox, v1BaseConnection: v1Base })).id,
          );
        }
      }
      report('migrating');
      await forEachBounded(migrations, input.concurrency ?? DEFAULT_CONCURRENCY, async (item) => {
        const itemProgress = progress.items.find((candidate) => candidate.v1FlowId === item.v1.flowId)!;
        itemProgress.status = 'migrating';
        let result: Awaited<ReturnType<typeof sfmcDataflowMigrationWorkflow>>;
        try {
          result = await executeChild(sfmcDataflowMigrationWorkflow, {
            workflowId: childWorkflowId(workflowInfo().workflowId, item.v1.flowId),
            args: [
              {
                sandbox,
                item,
                v2BaseConnectionId: v2Bases.get(item.v1.baseConnection.id)!,
                firstRunTimeout: input.firstRunTimeout ?? '2 hours',
              },
            ],
            // Should this run end abruptly, each child still gets to run its own rollback.
            parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
            staticSummary: `SFMC V1 -> V2: ${item.v1.name}`.slice(0, 200),
          });
        } catch (error) {
          if (isCancellation(error)) throw error;
          // One dataflow's failure is reported with it; the others carry on.
          itemProgress.status = 'failed';
          itemProgress.reason = describeFailure(error);
          report('migrating');
          return;
        }
        if (result.status === 'verified') {
          itemProgress.status = 'verified';
          itemProgress.v2FlowId = result.created.flowId;
          itemProgress.v2Records = result.v2Records;
          verified.push({
            progress: itemProgress,
            created: result.created,
            v1: {
              flowId: item.v1.flowId,
              name: item.v1.name,
              wasEnabled: item.v1.state === 'enabled',
              sourceConnectionId: item.v1.sourceConnection.id,
              targetConnectionId: item.v1.target.connectionId,
              baseConnectionId: item.v1.baseConnection.id,
            },
          });
        } else {
          itemProgress.status = 'failed';
          itemProgress.reason = result.reason;
          if (result.created.baseConnectionId) rolledBackBases.add(result.created.baseConnectionId);
        }
        report('migrating');
      });
      // A V2 account connection made only for items that failed has no reason to stay.
      if (rolledBackBases.size) {
        await cleanup.deleteConnectionsIfUnused({
          sandbox,
          sourceOrTargetConnections: [],
          baseConnectionIds: [...rolledBackBases],
        });
      }
    }

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

    for (const sandbox of sandboxesWithVerified) {
      const items = verified.filter((item) => item.progress.sandbox === sandbox);
      if (decisions.get(sandbox) === 'rejected') {
        report('rolling-back');
        await rollBack(sandbox, items);
        continue;
      }
      const retention = input.approval[sandbox]?.retention;
      if (retention) {
        report('retaining-v1');
        await sleep(retention as Duration, {
          summary: `Keep V1 disabled in ${sandbox} for ${retention} before deleting it`,
        });
      }
      report('removing-v1');
      await removeV1(sandbox, items);
    }
    report(
      progress.items.some((item) => item.status === 'rolled-back') &&
        !progress.items.some((item) => item.status === 'v1-removed')
        ? 'rolled-back'
        : 'completed',
    );
  } catch (error) {
    // Whatever stopped the run, no verified item is left with V1 disabled and nobody to approve it.
    await CancellationScope.nonCancellable(async () => {
      report('rolling-back');
      for (const sandbox of input.sandboxes) {
        await rollBack(
          sandbox,
          verified.filter((item) => item.progress.sandbox === sandbox && item.progress.status === 'verified'),
        );
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

  async function removeV1(sandbox: string, items: VerifiedItem[]): Promise<void> {
    // Once deleting V1 has begun it runs to the end: a cancellation must not roll back a V2 whose V1 is gone.
    await CancellationScope.nonCancellable(async () => {
      // One idempotent, heartbeating activity per sandbox keeps the history small at thousands of dataflows.
      await cleanup.deleteFlowServiceObjects({
        sandbox,
        objects: items.map((item) => ({ collection: 'flows' as const, id: item.v1.flowId })),
      });
      for (const item of items) item.progress.status = 'v1-removed';
      report('removing-v1');
      await cleanup.deleteConnectionsIfUnused({
        sandbox,
        sourceOrTargetConnections: items.flatMap((item) => [
          { collection: 'sourceConnections' as const, id: item.v1.sourceConnectionId },
          { collection: 'targetConnections' as const, id: item.v1.targetConnectionId },
        ]),
        baseConnectionIds: [...new Set(items.map((item) => item.v1.baseConnectionId))],
      });
    });
  }

  /** Restores V1 and removes V2 item by item; one item failing does not stop the others. */
  async function rollBack(sandbox: string, items: VerifiedItem[]): Promise<void> {
    for (const item of items) {
      try {
        if (item.v1.wasEnabled)
          await cleanup.setFlowEnabled({ sandbox, flowId: item.v1.flowId, enabled: true });
        await cleanup.removeSfmcV2Objects({ sandbox, v1: { name: item.v1.name, flowId: item.v1.flowId } });
        item.progress.status = 'rolled-back';
        item.progress.reason = rejection ? `rejected: ${rejection}` : 'rolled back';
      } catch (error) {
        item.progress.status = 'failed';
        item.progress.reason = `rollback incomplete, V1 may still be disabled: ${describeFailure(error)}`;
      }
    }
    const bases = [...new Set(items.map((item) => item.created.baseConnectionId).filter(Boolean))];
    if (bases.length) {
      await cleanup
        .deleteConnectionsIfUnused({ sandbox, sourceOrTargetConnections: [], baseConnectionIds: bases })
        .catch(() => undefined);
    }
  }
}
