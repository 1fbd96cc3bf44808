import { executeChild, ParentClosePolicy, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CutoverActivities } from '../../activities';
import { CLEANUP, DISCOVERY, PREFLIGHT, WRITE } from '../activity-options';
import { planMarketoMigration } from '../../domain/marketo/plan';
import type { MarketoPlanItem, MarketoTargetCard } from '../../domain/marketo/types';
import { describeFailure } from '../failures';
import type { ItemProgress, MigrationProgress } from '../migration/messages';
import { childWorkflowId, keepWhereV1IsGone, runMigration, type VerifiedItem } from '../migration/run';
import { marketoDataflowMigrationWorkflow } from './dataflow-migration';
import type { MarketoMigrateItem, MarketoMigrationInput } from './messages';

const discover = proxyActivities<CutoverActivities>({
  ...DISCOVERY,
  summary: 'Discover Marketo V1 destination dataflows and Marketo lead fields',
});

const preflight = proxyActivities<CutoverActivities>({
  ...PREFLIGHT,
  summary: 'Prove the Marketo credentials with an identity token',
});

const prepare = proxyActivities<CutoverActivities>({
  ...WRITE,
  summary: 'Find or create the V2 Marketo account connection',
});

const cleanup = proxyActivities<CutoverActivities>({
  ...CLEANUP,
  summary: 'Remove objects that are no longer needed',
});

interface MarketoVerifiedItem extends VerifiedItem {
  v1: { flowId: string; name: string; targetConnectionId: string; baseConnectionId: string };
  v2FlowId: string;
  v2BaseConnectionId: string;
  target: MarketoTargetCard;
}

function progressOf(sandbox: string, item: MarketoPlanItem): ItemProgress {
  return {
    sandbox,
    v1FlowId: item.v1.flowId,
    name: item.v1.name,
    status: item.action === 'migrate' ? 'planned' : 'skipped',
    ...(item.action === 'skip' ? { reason: `${item.reason}: ${item.detail}` } : {}),
    ...(item.action === 'migrate' && item.warnings.length ? { warnings: item.warnings } : {}),
  };
}

/**
 * Marketo destination V1 -> V2 for a set of sandboxes: discover, plan (with
 * the guardrails checked before anything is created), replace each dataflow
 * in a child saga that makes V2 live next to V1, then (after approval and
 * any retention period) delete V1. A rejection or cancellation removes V2 and
 * leaves V1 exporting as before.
 */
export async function marketoMigrationWorkflow(input: MarketoMigrationInput): Promise<MigrationProgress> {
  return runMigration<MarketoMigrateItem, MarketoVerifiedItem>(input, {
    kind: 'marketo-migration',
    v1FlowIdOf: (item) => item.v1.flowId,

    async preflight() {
      await preflight.verifyMarketoCredentials();
    },

    async plan(sandbox) {
      const { flows, fields, existingDestinationsInSandbox } = await discover.discoverMarketoSandbox({
        sandbox,
      });
      const plan = planMarketoMigration(sandbox, flows, fields, {
        ...input.plan,
        existingDestinationsInSandbox,
      });
      return {
        items: plan.items.map((item) => progressOf(sandbox, item)),
        work: plan.items.flatMap((item) => (item.action === 'migrate' ? [item] : [])),
        blockers: plan.blockers,
      };
    },

    async migrate(sandbox, work, migrateEach) {
      // One V2 account connection per V1 one, made before the children so none of them race to create it.
      const v2Bases = new Map<string, string>();
      for (const item of work) {
        const v1Base = item.v1.baseConnection;
        if (!v2Bases.has(v1Base.id)) {
          const base = await prepare.ensureMarketoBaseConnection({
            sandbox,
            target: item.v2.target,
            v1BaseConnection: v1Base,
          });
          v2Bases.set(v1Base.id, base.id);
        }
      }
      const failedBases = new Set<string>();
      const verified = await migrateEach(async (item) => {
        const v2BaseConnectionId = v2Bases.get(item.v1.baseConnection.id)!;
        const result = await executeChild(marketoDataflowMigrationWorkflow, {
          workflowId: childWorkflowId(workflowInfo().workflowId, item.v1.flowId),
          args: [
            {
              sandbox,
              item,
              v2BaseConnectionId,
              firstActivationTimeout: input.firstRunTimeout ?? '2 hours',
            },
          ],
          // Should this run end abruptly, each child still gets to run its own rollback.
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          staticSummary: `Marketo destination V1 -> V2: ${item.v1.name}`.slice(0, 200),
        });
        if (result.status !== 'verified') {
          failedBases.add(v2BaseConnectionId);
          return { status: 'failed', reason: result.reason };
        }
        return {
          status: 'verified',
          v2FlowId: result.flowId,
          v2Records: result.records,
          item: {
            v1: {
              flowId: item.v1.flowId,
              name: item.v1.name,
              targetConnectionId: item.v1.targetConnectionId,
              baseConnectionId: item.v1.baseConnection.id,
            },
            v2FlowId: result.flowId,
            v2BaseConnectionId,
            target: item.v2.target,
          },
        };
      });
      // A V2 account connection made only for items that failed has no reason to stay.
      if (failedBases.size) {
        await cleanup.deleteConnectionsIfUnused({
          sandbox,
          sourceOrTargetConnections: [],
          baseConnectionIds: [...failedBases],
        });
      }
      return verified;
    },

    async removeV1(sandbox, verified, report) {
      // Approval (and any retention) may have taken days: V1 goes only where V2 still exports.
      const states = await cleanup.flowStates({ sandbox, flowIds: verified.map((item) => item.v2FlowId) });
      const items = verified.filter((item) => states[item.v2FlowId] === 'enabled');
      for (const item of verified.filter((candidate) => !items.includes(candidate))) {
        item.progress.status = 'failed';
        item.progress.reason = `the V2 dataflow is ${states[item.v2FlowId]} now, so V1 was kept to keep its audiences exported`;
      }
      if (!items.length) return;
      await cleanup.deleteFlowServiceObjects({
        sandbox,
        objects: items.map((item) => ({ collection: 'flows' as const, id: item.v1.flowId })),
      });
      for (const item of items) item.progress.status = 'v1-removed';
      report();
      // The Profile source connection is shared with V2, so only V1's Marketo side goes.
      await cleanup.deleteConnectionsIfUnused({
        sandbox,
        sourceOrTargetConnections: items.map((item) => ({
          collection: 'targetConnections' as const,
          id: item.v1.targetConnectionId,
        })),
        baseConnectionIds: [...new Set(items.map((item) => item.v1.baseConnectionId))],
      });
    },

    /** V1 never stopped exporting, so rolling back is removing V2; one item failing does not stop the others. */
    async rollBack(sandbox, verified, reason) {
      const items = await keepWhereV1IsGone(sandbox, verified);
      for (const item of items) {
        try {
          await cleanup.removeMarketoV2Objects({ sandbox, v1: item.v1, target: item.target });
          item.progress.status = 'rolled-back';
          item.progress.reason = reason;
        } catch (error) {
          item.progress.status = 'failed';
          item.progress.reason = `rollback incomplete, V2 may still export next to V1: ${describeFailure(error)}`;
        }
      }
      const bases = [...new Set(items.map((item) => item.v2BaseConnectionId))];
      await cleanup
        .deleteConnectionsIfUnused({ sandbox, sourceOrTargetConnections: [], baseConnectionIds: bases })
        .catch(() => undefined);
    },
  });
}
