import { secretResolverFor } from '../../config/load';
import type { Client } from '@temporalio/client';
import { createRemoteClients } from '../../activities/remote-clients';
import { createSfmcMigrationActivities } from '../../activities/sfmc-migration';
import type { CutoverConfig } from '../../config/schema';
import { planSfmcMigration } from '../../domain/sfmc/plan';
import { sfmcRunFromConfig } from '../../domain/sfmc/run-input';
import type { SfmcMigrationPlan } from '../../domain/sfmc/types';
import type { SfmcMigrationInput } from '../../workflows/sfmc/messages';
import { asBlocker } from '../errors';
import { formatTable } from '../table';
import { migrationCommand, startMigration, type MigrationCommandSpec } from './migration';

/** Discovers and plans without changing anything, from this machine; the same activities the worker runs. */
export async function planSfmc(
  config: CutoverConfig,
  sandboxes?: string[],
): Promise<{ plans: SfmcMigrationPlan[]; blockers: string[] }> {
  const run = sfmcRunFromConfig(config, sandboxes);
  const blockers = [...run.problems];
  const activities = createSfmcMigrationActivities({
    clients: createRemoteClients(config, secretResolverFor(config, 'cli')),
  });
  if (run.input.plan.v2BaseEndpoint) {
    const credentials = await activities
      .verifySfmcV2Access()
      .then(() => undefined, asBlocker('SFMC V2 credentials'));
    // As the run's preflight: without readable data extensions there is nothing to plan against.
    if (credentials) return { plans: [], blockers: [...blockers, credentials] };
  }
  const plans: SfmcMigrationPlan[] = [];
  for (const sandbox of run.input.sandboxes) {
    const { discovered, extensions } = await activities.discoverSfmcSandbox({ sandbox });
    const plan = planSfmcMigration(discovered, extensions, run.input.plan);
    plans.push(plan);
    blockers.push(...plan.blockers.map((blocker) => `${sandbox}: ${blocker}`));
  }
  return { plans, blockers: [...new Set(blockers)] };
}

function planTable(plans: SfmcMigrationPlan[]): string {
  return formatTable(
    ['sandbox', 'V1 dataflow', 'action', 'V2 source (data extension / delta column)', 'reason or warnings'],
    plans.flatMap((plan) =>
      plan.items.map((item) =>
        item.action === 'migrate'
          ? [
              plan.sandbox,
              item.v1.name,
              'migrate',
              `${item.v2.dataExtension.name} / ${item.v2.deltaColumn}`,
              item.warnings.join('; '),
            ]
          : [plan.sandbox, item.v1.name, `skip (${item.reason})`, '', item.detail],
      ),
    ),
  );
}

export const sfmcMigration: MigrationCommandSpec<SfmcMigrationInput, SfmcMigrationPlan> = {
  kind: 'sfmc-migration',
  command: 'sfmc',
  title: 'SFMC source V1 -> V2',
  workflowType: 'sfmcMigrationWorkflow',
  runFromConfig: sfmcRunFromConfig,
  plan: planSfmc,
  planTable,
  migrateLabel: 'dataflow(s) to migrate',
};

export const sfmcCommand = migrationCommand(sfmcMigration);

export const startSfmcMigration = (client: Client, config: CutoverConfig, sandboxes?: string[]) =>
  startMigration(client, config, sfmcMigration, sandboxes);
