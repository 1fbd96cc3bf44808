import { createRemoteClients } from '../activities/remote-clients';
import { createSfmcMigrationActivities } from '../activities/sfmc-migration';
import { secretResolverFor } from '../config/load';
import type { CutoverConfig } from '../config/schema';
import { FIRST_RUN_TIMEOUT, SFMC_CONCURRENCY } from '../domain/defaults';
import { normaliseSfmcBaseEndpoint } from '../domain/sfmc/base-endpoint';
import type { SfmcMigrationPlan } from '../domain/sfmc/types';
import type { SfmcMigrationInput } from '../workflows/sfmc/messages';
import { sfmcMigrationWorkflow } from '../workflows/sfmc/migration';
import { planSfmcRun } from '../workflows/sfmc/plan';
import type { MigrationRunKind } from './migration';
import { migrationWorkflowId, runScope } from './scope';
import type { RunRequest } from './start';

/** The workflow input for a config; carries secret references' absence, never secrets. */
function sfmcRunFromConfig(config: CutoverConfig, onlySandboxes?: string[]): RunRequest<SfmcMigrationInput> {
  const scope = runScope(config, onlySandboxes);
  const problems = [...scope.problems];
  let v2BaseEndpoint: string | undefined;
  if (config.sfmc) {
    const endpoint = normaliseSfmcBaseEndpoint(config.sfmc.baseEndpoint);
    if (endpoint.ok) v2BaseEndpoint = endpoint.prefix;
    else problems.push(endpoint.error);
  }
  return {
    workflowId: migrationWorkflowId('sfmc-migration', config.adobe.orgId, scope.sandboxes),
    problems,
    input: {
      orgId: config.adobe.orgId,
      sandboxes: scope.sandboxes,
      approval: scope.approval,
      options: {
        ...(v2BaseEndpoint ? { v2BaseEndpoint } : {}),
        ...(config.sfmc?.dataExtensionFor ? { dataExtensionFor: config.sfmc.dataExtensionFor } : {}),
        ...(config.sfmc?.deltaColumnFor ? { deltaColumnFor: config.sfmc.deltaColumnFor } : {}),
      },
      concurrency: config.sfmc?.concurrency ?? SFMC_CONCURRENCY,
      firstRunTimeout: config.sfmc?.firstRunTimeout ?? FIRST_RUN_TIMEOUT,
    },
  };
}

export const sfmcRun: MigrationRunKind<SfmcMigrationInput, SfmcMigrationPlan> = {
  kind: 'sfmc-migration',
  command: 'sfmc',
  title: 'SFMC source V1 -> V2',
  workflow: sfmcMigrationWorkflow,
  fromConfig: sfmcRunFromConfig,
  plan: (config, input, explain) =>
    planSfmcRun(
      createSfmcMigrationActivities({
        clients: createRemoteClients(config, secretResolverFor(config, 'cli')),
      }),
      input,
      explain,
    ),
  planColumns: [
    'sandbox',
    'V1 dataflow',
    'action',
    'V2 source (data extension / delta column)',
    'reason or warnings',
  ],
  planRows: (plans) =>
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
  migrateLabel: 'dataflow(s) to migrate',
};
