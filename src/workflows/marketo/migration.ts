import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { CutoverActivities } from '../../activities';
import { CLEANUP, CUT_OVER, DISCOVERY, PREFLIGHT, WRITE } from '../activity-options';
import { planMarketoMigration } from '../../domain/marketo/plan';
import type { MarketoPlanItem, MarketoTargetCard } from '../../domain/marketo/types';
import { describeFailure } from '../failures';
import type { ItemProgress, MigrationProgress } from '../migration/messages';
import { childSagaOptions, runMigration, type VerifiedItem } from '../migration/run';
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

const rollback = proxyActivities<CutoverActivities>({
  ...CLEANUP,
  summary: 'Roll back: remove the V2 dataflows',
});

const removal = proxyActivities<CutoverActivities>({
  ...CUT_OVER,
  summary: 'Delete V1 dataflows and the connections nothing uses any more',
});

interface MarketoVerifiedItem extends VerifiedItem {
  v1: { flowId: string; name: string; targetConnectionId: string; baseConnectionId: string };
  v2FlowId: string;
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
    v2Tag: 'marketo',
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

    accountKeyOf: (item) => item.v1.baseConnection.id,

    async ensureAccount(sandbox, item) {
      return prepare.ensureMarketoBaseConnection({
        sandbox,
        target: item.v2.target,
        v1BaseConnection: { id: item.v1.baseConnection.id, name: item.v1.baseConnection.name },
      });
    },

    async migrateOne(sandbox, item, v2AccountId) {
      const result = await executeChild(marketoDataflowMigrationWorkflow, {
        ...childSagaOptions(item.v1.flowId, `Marketo destination V1 -> V2: ${item.v1.name}`),
        args: [
          {
            sandbox,
            item,
            v2BaseConnectionId: v2AccountId,
            firstActivationTimeout: input.firstRunTimeout ?? '2 hours',
          },
        ],
      });
      if (result.status !== 'verified') return { status: 'failed', reason: result.reason };
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
          target: item.v2.target,
        },
      };
    },

    async removeV1(sandbox, items, report) {
      await removal.deleteFlowServiceObjects({
        sandbox,
        objects: items.map((item) => ({ collection: 'flows' as const, id: item.v1.flowId })),
      });
      for (const item of items) item.progress.status = 'v1-removed';
      report();
      // The Profile source connection is shared with V2, so only V1's Marketo side goes.
      await removal.deleteConnectionsIfUnused({
        sandbox,
        sourceOrTargetConnections: items.map((item) => ({
          collection: 'targetConnections' as const,
          id: item.v1.targetConnectionId,
        })),
        baseConnectionIds: [...new Set(items.map((item) => item.v1.baseConnectionId))],
      });
    },

    /** V1 never stopped exporting, so rolling back is removing V2; one item failing does not stop the others. */
    async rollBack(sandbox, items, reason) {
      for (const item of items) {
        try {
          await rollback.removeMarketoV2Objects({
            sandbox,
            v1: item.v1,
            target: item.target,
            known: { flowId: item.v2FlowId },
          });
          item.progress.status = 'rolled-back';
          item.progress.reason = reason;
        } catch (error) {
          item.progress.status = 'failed';
          item.progress.reason = `rollback incomplete, V2 may still export next to V1: ${describeFailure(error)}`;
        }
      }
    },
  });
}
