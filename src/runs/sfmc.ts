import { createSpecActivities } from '../activities/specs';
import { createSfmcMigrationActivities } from '../activities/sfmc-migration';
import type { CutoverConfig } from '../config/schema';
import { FIRST_RUN_TIMEOUT, SFMC_CONCURRENCY } from '../domain/defaults';
import { normaliseSfmcBaseEndpoint } from '../domain/sfmc/base-endpoint';
import type { SfmcMigrationPlan } from '../domain/sfmc/types';
import type { SfmcMigrationInput } from '../workflows/sfmc/messages';
import { sfmcMigrationWorkflow } from '../workflows/sfmc/migration';
import { planSfmcRun } from '../workflows/sfmc/plan';
import { planningClients } from './clients';
import { migrationRequest, type MigrationRunKind } from './migration';
import type { RunRequest } from './start';

/** The workflow input for a config; carries secret references' absence, never secrets. */
function sfmcRunFromConfig(config: CutoverConfig, onlySandboxes?: string[]): RunRequest<SfmcMigrationInput> {
  return migrationRequest<SfmcMigrationInput>('sfmc-migration', config, onlySandboxes, (problems) => {
    let v2BaseEndpoint: string | undefined;
    if (config.sfmc) {
      const endpoint = normaliseSfmcBaseEndpoint(config.sfmc.baseEndpoint);
      if (endpoint.ok) v2BaseEndpoint = endpoint.prefix;
      else problems.push(endpoint.error);
    }
    return {
      options: {
        ...(v2BaseEndpoint ? { v2BaseEndpoint } : {}),
        ...(config.sfmc?.dataExtensionFor ? { dataExtensionFor: config.sfmc.dataExtensionFor } : {}),
        ...(config.sfmc?.deltaColumnFor ? { deltaColumnFor: config.sfmc.deltaColumnFor } : {}),
      },
      concurrency: config.sfmc?.concurrency ?? SFMC_CONCURRENCY,
      firstRunTimeout: config.sfmc?.firstRunTimeout ?? FIRST_RUN_TIMEOUT,
    };
  });
}

export const sfmcRun: MigrationRunKind<SfmcMigrationInput, SfmcMigrationPlan> = {
  kind: 'sfmc-migration',
  command: 'sfmc',
  title: 'SFMC source V1 -> V2',
  workflow: sfmcMigrationWorkflow,
  fromConfig: sfmcRunFromConfig,
  plan: (config, input, explain) => {
    const clients = planningClients(config);
    return planSfmcRun(
      { ...createSfmcMigrationActivities({ clients }), ...createSpecActivities({ clients }) },
      input,
      explain,
    );
  },
  planColumns: ['V2 source (data extension / delta column)'],
  planCells: (item) =>
    item.action === 'migrate' ? [`${item.v2.dataExtension.name} / ${item.v2.deltaColumn}`] : [''],
  migrateLabel: 'dataflow(s) to migrate',
};
