import { secretResolverFor } from '../../config/load';
import type { Client } from '@temporalio/client';
import { createMarketoMigrationActivities } from '../../activities/marketo-migration';
import { createRemoteClients } from '../../activities/remote-clients';
import type { CutoverConfig } from '../../config/schema';
import { planMarketoMigration, TARGET_CARDS } from '../../domain/marketo/plan';
import { marketoRunFromConfig } from '../../domain/marketo/run-input';
import type { MarketoMigrationPlan } from '../../domain/marketo/types';
import type { MarketoMigrationInput } from '../../workflows/marketo/messages';
import { asBlocker } from '../errors';
import { formatTable } from '../table';
import { migrationCommand, startMigration, type MigrationCommandSpec } from './migration';

/** Discovers and plans without changing anything, from this machine; the same activities the worker runs. */
export async function planMarketo(
  config: CutoverConfig,
  sandboxes?: string[],
): Promise<{ plans: MarketoMigrationPlan[]; blockers: string[] }> {
  const run = marketoRunFromConfig(config, sandboxes);
  const blockers = [...run.problems];
  if (blockers.length) return { plans: [], blockers };
  const activities = createMarketoMigrationActivities({
    clients: createRemoteClients(config, secretResolverFor(config, 'cli')),
  });
  const credentialsProblem = await activities
    .verifyMarketoCredentials()
    .then(() => undefined, asBlocker('Marketo credentials'));
  // Without Marketo's lead fields every mapping would look unknown, so the plan stops here.
  if (credentialsProblem) return { plans: [], blockers: [credentialsProblem] };
  const plans: MarketoMigrationPlan[] = [];
  for (const sandbox of run.input.sandboxes) {
    const { flows, fields, existingDestinationsInSandbox } = await activities.discoverMarketoSandbox({
      sandbox,
    });
    const plan = planMarketoMigration(sandbox, flows, fields, {
      ...run.input.plan,
      existingDestinationsInSandbox,
    });
    plans.push(plan);
    blockers.push(...plan.blockers.map((blocker) => `${sandbox}: ${blocker}`));
  }
  return { plans, blockers };
}

function planTable(plans: MarketoMigrationPlan[]): string {
  return formatTable(
    [
      'sandbox',
      'V1 dataflow',
      'action',
      'target card',
      'audiences',
      'identities',
      'attributes',
      'reason or warnings',
    ],
    plans.flatMap((plan) =>
      plan.items.map((item) =>
        item.action === 'migrate'
          ? [
              plan.sandbox,
              item.v1.name,
              'migrate',
              TARGET_CARDS[item.v2.target].label,
              String(item.v2.audiences.length),
              item.v2.identities.map((identity) => identity.namespace).join('+'),
              item.v2.attributes.map((attribute) => attribute.destination).join(', '),
              item.warnings.join('; '),
            ]
          : [
              plan.sandbox,
              item.v1.name,
              `skip (${item.reason})`,
              '',
              String(item.v1.audiences.length),
              '',
              '',
              item.detail,
            ],
      ),
    ),
  );
}

export const marketoMigration: MigrationCommandSpec<MarketoMigrationInput, MarketoMigrationPlan> = {
  kind: 'marketo-migration',
  command: 'marketo',
  title: 'Marketo destination V1 -> V2',
  workflowType: 'marketoMigrationWorkflow',
  runFromConfig: marketoRunFromConfig,
  plan: planMarketo,
  planTable,
  migrateLabel: 'destination dataflow(s) to replace',
};

export const marketoCommand = migrationCommand(marketoMigration);

export const startMarketoMigration = (client: Client, config: CutoverConfig, sandboxes?: string[]) =>
  startMigration(client, config, marketoMigration, sandboxes);
