import { createMarketoMigrationActivities } from '../activities/marketo-migration';
import { createRemoteClients } from '../activities/remote-clients';
import { secretResolverFor } from '../config/load';
import type { CutoverConfig } from '../config/schema';
import {
  FIRST_RUN_TIMEOUT,
  MARKETO_CONCURRENCY,
  MARKETO_PERSON_CREATION,
  MARKETO_TARGET,
} from '../domain/defaults';
import { TARGET_CARDS } from '../domain/marketo/plan';
import type { MarketoMigrationPlan } from '../domain/marketo/types';
import type { MarketoMigrationInput } from '../workflows/marketo/messages';
import { marketoMigrationWorkflow } from '../workflows/marketo/migration';
import { planMarketoRun } from '../workflows/marketo/plan';
import type { MigrationRunKind } from './migration';
import { migrationWorkflowId, runScope } from './scope';
import type { RunRequest } from './start';

/** The workflow input for a config; the Marketo secret stays a reference the activities resolve. */
function marketoRunFromConfig(
  config: CutoverConfig,
  onlySandboxes?: string[],
): RunRequest<MarketoMigrationInput> {
  const scope = runScope(config, onlySandboxes);
  const problems = [...scope.problems];
  if (!config.marketo)
    problems.push(
      'marketo: the section is missing; add munchkinId, clientId and clientSecret (Marketo Admin > LaunchPoint)',
    );
  const marketo = config.marketo;
  return {
    workflowId: migrationWorkflowId('marketo-migration', config.adobe.orgId, scope.sandboxes),
    problems,
    input: {
      orgId: config.adobe.orgId,
      sandboxes: scope.sandboxes,
      approval: scope.approval,
      options: {
        target: marketo?.target ?? MARKETO_TARGET,
        personCreation: marketo?.personCreation ?? MARKETO_PERSON_CREATION,
        ...(marketo ? { munchkinId: marketo.munchkinId.trim().toUpperCase() } : {}),
        ...(marketo?.additionalAttributes.length
          ? { additionalAttributes: marketo.additionalAttributes }
          : {}),
      },
      concurrency: marketo?.concurrency ?? MARKETO_CONCURRENCY,
      firstActivationTimeout: marketo?.firstActivationTimeout ?? FIRST_RUN_TIMEOUT,
    },
  };
}

export const marketoRun: MigrationRunKind<MarketoMigrationInput, MarketoMigrationPlan> = {
  kind: 'marketo-migration',
  command: 'marketo',
  title: 'Marketo destination V1 -> V2',
  workflow: marketoMigrationWorkflow,
  fromConfig: marketoRunFromConfig,
  plan: (config, input, explain) =>
    planMarketoRun(
      createMarketoMigrationActivities({
        clients: createRemoteClients(config, secretResolverFor(config, 'cli')),
      }),
      input,
      explain,
    ),
  planColumns: [
    'sandbox',
    'V1 dataflow',
    'action',
    'target card',
    'audiences',
    'identities',
    'attributes',
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
  migrateLabel: 'destination dataflow(s) to replace',
};
