import { executeChild } from '@temporalio/workflow';
import type { FlowServiceActivities } from '../../activities/flow-service-steps';
import type { SfmcMigrationActivities } from '../../activities/sfmc-migration';
import type { SpecActivities } from '../../activities/specs';
import { CLEANUP, DISCOVERY, PREFLIGHT, WRITE } from '../activity-options';
import { patientActivities } from '../shared/outage';
import type { MigrationProgress } from '../migration/messages';
import { runMigration } from '../migration/run';
import { runSandboxMigration } from '../migration/sandbox-run';
import { childSagaOptions, type SandboxMigrationInput, type VerifiedItem } from '../migration/steps';
import { sfmcDataflowMigrationWorkflow } from './dataflow-migration';
import type { SfmcMigrationInput } from './messages';
import { asSfmcMigrationPlan, planSfmcRun, type SfmcMigrateItem } from './plan';

const credentials = patientActivities<Pick<SfmcMigrationActivities, 'verifySfmcV2Access'>>({
  ...PREFLIGHT,
  summary: 'Prove the SFMC V2 credentials and their Data Extensions: Read scope',
});

const specs = patientActivities<Pick<SpecActivities, 'resolveSpecs'>>({
  ...PREFLIGHT,
  summary: "Find the run's connection and flow specs in the organisation's catalogue",
});

const discovery = patientActivities<Pick<SfmcMigrationActivities, 'discoverSfmcSandbox'>>({
  ...DISCOVERY,
  summary: 'Discover V1 SFMC dataflows and SFMC data extensions',
});

const baseConnection = patientActivities<Pick<SfmcMigrationActivities, 'ensureV2BaseConnection'>>({
  ...WRITE,
  summary: 'Find or create the V2 base connection',
});

const rollback = patientActivities<
  Pick<FlowServiceActivities, 'setFlowEnabled'> & Pick<SfmcMigrationActivities, 'removeSfmcV2Objects'>
>({
  ...CLEANUP,
  summary: 'Roll back: restore V1, remove V2',
});

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

/**
 * SFMC source V1 -> V2 for a set of sandboxes: discover, plan, migrate each
 * dataflow in a child saga (V2 made, V1 disabled, first V2 run proven), then
 * (after approval and any retention period) delete V1; a rejection or
 * cancellation restores V1 and removes V2.
 */
export async function sfmcMigrationWorkflow(input: SfmcMigrationInput): Promise<MigrationProgress> {
  return runMigration(input, {
    v2Tag: 'sfmc',
    label: 'SFMC V1 -> V2',
    sandboxWorkflow: sfmcSandboxMigrationWorkflow,

    async plan() {
      return asSfmcMigrationPlan(
        await planSfmcRun(
          {
            verifySfmcV2Access: credentials.verifySfmcV2Access,
            resolveSpecs: specs.resolveSpecs,
            discoverSfmcSandbox: discovery.discoverSfmcSandbox,
          },
          input,
        ),
      );
    },
  });
}

/** One sandbox of an SFMC migration, as its run's child workflow. */
export async function sfmcSandboxMigrationWorkflow(
  input: SandboxMigrationInput<SfmcMigrationInput, SfmcMigrateItem>,
): Promise<void> {
  return runSandboxMigration<SfmcMigrationInput, SfmcMigrateItem, SfmcVerifiedItem>(input, {
    v2Tag: 'sfmc',
    baseConnectionKeyOf: (item) => item.v1.baseConnection.id,

    async ensureBaseConnection(sandbox, item) {
      return baseConnection.ensureV2BaseConnection({
        sandbox,
        v1BaseConnection: { id: item.v1.baseConnection.id, name: item.v1.baseConnection.name },
      });
    },

    async migrateOne(sandbox, item, v2BaseConnectionId) {
      const result = await executeChild(sfmcDataflowMigrationWorkflow, {
        ...childSagaOptions(input.runWorkflowId, item.v1.flowId, `SFMC V1 -> V2: ${item.v1.name}`),
        args: [
          {
            sandbox,
            item,
            v2BaseConnectionId,
            firstRunTimeout: input.run.firstRunTimeout,
            ...(input.run.outageTolerances ? { outageTolerances: input.run.outageTolerances } : {}),
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

    v1ConnectionsOf: (items) => ({
      sourceOrTargetConnections: items.flatMap((item) => [
        { collection: 'sourceConnections' as const, id: item.v1.sourceConnectionId },
        { collection: 'targetConnections' as const, id: item.v1.targetConnectionId },
      ]),
      baseConnectionIds: [...new Set(items.map((item) => item.v1.baseConnectionId))],
    }),

    async rollBackOne(sandbox, item) {
      if (item.v1.wasEnabled)
        await rollback.setFlowEnabled({ sandbox, flowId: item.v1.flowId, enabled: true });
      await rollback.removeSfmcV2Objects({
        sandbox,
        v1: { name: item.v1.name, flowId: item.v1.flowId },
        known: { flowId: item.progress.v2FlowId },
      });
    },
    incompleteRollback: 'V1 may still be disabled',

    async restoreV1(sandbox, item) {
      if (item.v1.wasEnabled)
        await rollback.setFlowEnabled({ sandbox, flowId: item.v1.flowId, enabled: true });
    },
  });
}
