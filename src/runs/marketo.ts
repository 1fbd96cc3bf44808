import { createSpecActivities } from '../activities/specs';
import { createMarketoMigrationActivities } from '../activities/marketo-migration';
import type { CutoverConfig } from '../config/schema';
import {
  FIRST_RUN_TIMEOUT,
  MARKETO_CONCURRENCY,
  MARKETO_PERSON_CREATION,
  MARKETO_TARGET,
} from '../domain/defaults';
import { TARGET_CARDS } from '../domain/marketo/plan';
import { MarketoCredentialError, normaliseMunchkinId } from '../integrations/marketo';
import type { MarketoMigrationPlan } from '../domain/marketo/types';
import type { MarketoMigrationInput } from '../workflows/marketo/messages';
import { marketoMigrationWorkflow } from '../workflows/marketo/migration';
import { planMarketoRun } from '../workflows/marketo/plan';
import { planningClients } from './clients';
import { migrationRequest, type MigrationRunKind } from './migration';
import type { RunRequest } from './start';

/** The config's Munchkin ID as Marketo spells it, or a problem naming the field. */
function munchkinOf(pasted: string, problems: string[]): { munchkinId?: string } {
  try {
    return { munchkinId: normaliseMunchkinId(pasted) };
  } catch (error) {
    if (!(error instanceof MarketoCredentialError)) throw error;
    problems.push(`marketo.munchkinId: ${error.message}`);
    return {};
  }
}

/** The workflow input for a config; the Marketo secret stays a reference the activities resolve. */
function marketoRunFromConfig(
  config: CutoverConfig,
  onlySandboxes?: string[],
): RunRequest<MarketoMigrationInput> {
  const marketo = config.marketo;
  return migrationRequest<MarketoMigrationInput>('marketo-migration', config, onlySandboxes, (problems) => {
    if (!marketo)
      problems.push(
        'marketo: the section is missing; add munchkinId, clientId and clientSecret (Marketo Admin > LaunchPoint)',
      );
    return {
      options: {
        target: marketo?.target ?? MARKETO_TARGET,
        personCreation: marketo?.personCreation ?? MARKETO_PERSON_CREATION,
        ...(marketo ? munchkinOf(marketo.munchkinId, problems) : {}),
        ...(marketo?.target === 'marketoEngage' && marketo.engage ? { engage: marketo.engage } : {}),
        ...(marketo?.additionalAttributes.length
          ? { additionalAttributes: marketo.additionalAttributes }
          : {}),
      },
      concurrency: marketo?.concurrency ?? MARKETO_CONCURRENCY,
      firstActivationTimeout: marketo?.firstActivationTimeout ?? FIRST_RUN_TIMEOUT,
    };
  });
}

export const marketoRun: MigrationRunKind<MarketoMigrationInput, MarketoMigrationPlan> = {
  kind: 'marketo-migration',
  command: 'marketo',
  title: 'Marketo destination V1 -> V2',
  workflow: marketoMigrationWorkflow,
  fromConfig: marketoRunFromConfig,
  plan: (config, input, explain) => {
    const clients = planningClients(config);
    return planMarketoRun(
      { ...createMarketoMigrationActivities({ clients }), ...createSpecActivities({ clients }) },
      input,
      explain,
    );
  },
  planColumns: ['target card', 'audiences', 'identities', 'attributes'],
  planCells: (item) =>
    item.action === 'migrate'
      ? [
          TARGET_CARDS[item.v2.target].label,
          String(item.v2.audiences.length),
          item.v2.identities
            .map((identity) =>
              identity.namespace === 'DedupeField'
                ? `DedupeField (${item.v2.engage?.dedupeField})`
                : identity.namespace,
            )
            .join('+'),
          item.v2.attributes.map((attribute) => attribute.destination).join(', '),
        ]
      : ['', String(item.v1.audiences.length), '', ''],
  migrateLabel: 'destination dataflow(s) to replace',
};
