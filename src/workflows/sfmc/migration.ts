import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { CutoverActivities } from '../../activities';
import { CLEANUP, CUT_OVER, DISCOVERY, PREFLIGHT, WRITE } from '../activity-options';
import { planSfmcMigration } from '../../domain/sfmc/plan';
import type { PlanItem } from '../../domain/sfmc/types';
import { describeFailure } from '../failures';
import type { ItemProgress, MigrationProgress } from '../migration/messages';
import { childSagaOptions, runMigration, type VerifiedItem } from '../migration/run';
import { sfmcDataflowMigrationWorkflow } from './dataflow-migration';
import type { SfmcMigrationInput } from './messages';

const discover = proxyActivities<CutoverActivities>({
  ...DISCOVERY,
  summary: 'Discover V1 SFMC dataflows and SFMC data extensions',
});

const prepare = proxyActivities<CutoverActivities>({
  ...WRITE,
  summary: 'Find or create the V2 account connection',
});

const preflight = proxyActivities<CutoverActivities>({
  ...PREFLIGHT,
  summary: 'Prove the SFMC V2 credentials',
});

const rollback = proxyActivities<CutoverActivities>({
  ...CLEANUP,
  summary: 'Roll back: restore V1, remove V2',
});

const removal = proxyActivities<CutoverActivities>({
  ...CUT_OVER,
  summary: 'Delete V1 dataflows and the connections nothing uses any more',
});

type MigrateItem = Extract<PlanItem, { action: 'migrate' }>;

interface SfmcVerifiedItem extends VerifiedItem {
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

function progressOf(sandbox: string, item: PlanItem): ItemProgress {
  return {
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
    ...(item.v1.lastSuccessfulRun ? { v1Records: item.v1.lastSuccessfulRun.inputRecordCount } : {}),
  };
}

/**
 * SFMC source V1 -> V2 for a set of sandboxes: discover, plan, migrate each
 * dataflow in a child saga (V2 made, V1 disabled, first V2 run proven), then
 * (after approval and any retention period) delete V1; a rejection or
 * cancellation restores V1 and removes V2.
 */
export async function sfmcMigrationWorkflow(input: SfmcMigrationInput): Promise<MigrationProgress> {
  return runMigration<MigrateItem, SfmcVerifiedItem>(input, {
    kind: 'sfmc-migration',
    v2Tag: 'sfmc',
    v1FlowIdOf: (item) => item.v1.flowId,

    async preflight() {
      if (input.plan.v2BaseEndpoint) await preflight.verifySfmcV2Access();
    },

    async plan(sandbox) {
      const { discovered, extensions } = await discover.discoverSfmcSandbox({ sandbox });
      const plan = planSfmcMigration(discovered, extensions, input.plan);
      const work = plan.items.flatMap((item) => (item.action === 'migrate' ? [item] : []));
      return {
        items: plan.items.map((item) => progressOf(sandbox, item)),
        work,
        blockers: work.length ? plan.blockers : [],
      };
    },

    accountKeyOf: (item) => item.v1.baseConnection.id,

    async ensureAccount(sandbox, item) {
      return prepare.ensureV2BaseConnection({
        sandbox,
        v1BaseConnection: { id: item.v1.baseConnection.id, name: item.v1.baseConnection.name },
      });
    },

    async migrateOne(sandbox, item, v2AccountId) {
      const result = await executeChild(sfmcDataflowMigrationWorkflow, {
        ...childSagaOptions(item.v1.flowId, `SFMC V1 -> V2: ${item.v1.name}`),
        args: [
          {
            sandbox,
            item,
            v2BaseConnectionId: v2AccountId,
            firstRunTimeout: input.firstRunTimeout ?? '2 hours',
          },
        ],
      });
      if (result.status !== 'verified') return { status: 'failed', reason: result.reason };
      return {
        status: 'verified',
        v2FlowId: result.created.flowId,
        v2Records: result.v2Records,
        item: {
          v1: {
            flowId: item.v1.flowId,
            name: item.v1.name,
            wasEnabled: item.v1.state === 'enabled',
            sourceConnectionId: item.v1.sourceConnection.id,
            targetConnectionId: item.v1.target.connectionId,
            baseConnectionId: item.v1.baseConnection.id,
          },
        },
      };
    },

    async removeV1(sandbox, items, report) {
      // One idempotent, heartbeating activity per sandbox keeps the history small at thousands of dataflows.
      await removal.deleteFlowServiceObjects({
        sandbox,
        objects: items.map((item) => ({ collection: 'flows' as const, id: item.v1.flowId })),
      });
      for (const item of items) item.progress.status = 'v1-removed';
      report();
      await removal.deleteConnectionsIfUnused({
        sandbox,
        sourceOrTargetConnections: items.flatMap((item) => [
          { collection: 'sourceConnections' as const, id: item.v1.sourceConnectionId },
          { collection: 'targetConnections' as const, id: item.v1.targetConnectionId },
        ]),
        baseConnectionIds: [...new Set(items.map((item) => item.v1.baseConnectionId))],
      });
    },

    /** Restores V1 and removes V2 item by item; one item failing does not stop the others. */
    async rollBack(sandbox, items, reason) {
      for (const item of items) {
        try {
          if (item.v1.wasEnabled)
            await rollback.setFlowEnabled({ sandbox, flowId: item.v1.flowId, enabled: true });
          await rollback.removeSfmcV2Objects({
            sandbox,
            v1: { name: item.v1.name, flowId: item.v1.flowId },
            known: { flowId: item.progress.v2FlowId },
          });
          item.progress.status = 'rolled-back';
          item.progress.reason = reason;
        } catch (error) {
          item.progress.status = 'failed';
          item.progress.reason = `rollback incomplete, V1 may still be disabled: ${describeFailure(error)}`;
        }
      }
    },
  });
}
