import { executeChild } from '@temporalio/workflow';
import type { MarketoMigrationActivities } from '../../activities/marketo-migration';
import type { MarketoTargetCard } from '../../domain/marketo/types';
import type { SpecActivities } from '../../activities/specs';
import { CLEANUP, DISCOVERY, PREFLIGHT, WRITE } from '../activity-options';
import { patientActivities } from '../shared/outage';
import type { MigrationProgress } from '../migration/messages';
import { runMigration } from '../migration/run';
import { runSandboxMigration } from '../migration/sandbox-run';
import { childSagaOptions, type SandboxMigrationInput, type VerifiedItem } from '../migration/steps';
import { marketoDataflowMigrationWorkflow } from './dataflow-migration';
import type { MarketoMigrateItem, MarketoMigrationInput } from './messages';
import { asMarketoMigrationPlan, planMarketoRun } from './plan';

const credentials = patientActivities<Pick<MarketoMigrationActivities, 'verifyMarketoCredentials'>>({
  ...PREFLIGHT,
  summary: 'Prove the Marketo credentials with an identity token',
});

const specs = patientActivities<Pick<SpecActivities, 'resolveSpecs'>>({
  ...PREFLIGHT,
  summary: "Find the run's connection and flow specs in the organisation's catalogue",
});

const discovery = patientActivities<Pick<MarketoMigrationActivities, 'discoverMarketoSandbox'>>({
  ...DISCOVERY,
  summary: 'Discover Marketo V1 destination dataflows and Marketo lead fields',
});

const baseConnection = patientActivities<Pick<MarketoMigrationActivities, 'ensureMarketoBaseConnection'>>({
  ...WRITE,
  summary: 'Find or create the V2 Marketo base connection',
});

const rollback = patientActivities<Pick<MarketoMigrationActivities, 'removeMarketoV2Objects'>>({
  ...CLEANUP,
  summary: 'Roll back: remove the V2 dataflow and target connection',
});

interface MarketoVerifiedItem extends VerifiedItem {
  v1: { flowId: string; name: string; targetConnectionId: string; baseConnectionId: string };
  v2FlowId: string;
  target: MarketoTargetCard;
}

/**
 * Marketo destination V1 -> V2 for a set of sandboxes: discover, plan (with
 * the guardrails checked before anything is created), replace each dataflow
 * in a child saga that makes V2 live next to V1, then (after approval and
 * any retention period) delete V1. A rejection or cancellation removes V2 and
 * leaves V1 exporting as before.
 */
export async function marketoMigrationWorkflow(input: MarketoMigrationInput): Promise<MigrationProgress> {
  return runMigration(input, {
    v2Tag: 'marketo',
    label: 'Marketo destination V1 -> V2',
    sandboxWorkflow: marketoSandboxMigrationWorkflow,
    plan: async () =>
      asMarketoMigrationPlan(
        await planMarketoRun(
          {
            verifyMarketoCredentials: credentials.verifyMarketoCredentials,
            resolveSpecs: specs.resolveSpecs,
            discoverMarketoSandbox: discovery.discoverMarketoSandbox,
          },
          input,
        ),
      ),
  });
}

/** One sandbox of a Marketo migration, as its run's child workflow. */
export async function marketoSandboxMigrationWorkflow(
  input: SandboxMigrationInput<MarketoMigrationInput, MarketoMigrateItem>,
): Promise<void> {
  return runSandboxMigration<MarketoMigrationInput, MarketoMigrateItem, MarketoVerifiedItem>(input, {
    v2Tag: 'marketo',
    baseConnectionKeyOf: (item) => item.v1.baseConnection.id,
    ensureBaseConnection: (sandbox, item) =>
      baseConnection.ensureMarketoBaseConnection({
        sandbox,
        target: item.v2.target,
        v1BaseConnection: { id: item.v1.baseConnection.id, name: item.v1.baseConnection.name },
      }),

    async migrateOne(sandbox, item, v2BaseConnectionId) {
      const result = await executeChild(marketoDataflowMigrationWorkflow, {
        ...childSagaOptions(
          input.runWorkflowId,
          item.v1.flowId,
          `Marketo destination V1 -> V2: ${item.v1.name}`,
        ),
        args: [
          {
            sandbox,
            item,
            v2BaseConnectionId,
            firstActivationTimeout: input.run.firstActivationTimeout,
            ...(input.run.outageTolerances ? { outageTolerances: input.run.outageTolerances } : {}),
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

    // The Profile source connection is shared with V2, so only V1's Marketo side goes.
    v1ConnectionsOf: (items) => ({
      sourceOrTargetConnections: items.map((item) => ({
        collection: 'targetConnections' as const,
        id: item.v1.targetConnectionId,
      })),
      baseConnectionIds: [...new Set(items.map((item) => item.v1.baseConnectionId))],
    }),

    // V1 never stopped exporting, so rolling back is removing V2.
    rollBackOne: (sandbox, item) =>
      rollback.removeMarketoV2Objects({
        sandbox,
        v1: item.v1,
        target: item.target,
        known: { flowId: item.v2FlowId },
      }),
    incompleteRollback: 'V2 may still export next to V1',
  });
}
