import type { CutoverConfig } from '../../config/schema';
import type { MarketoMigrationInput } from '../../workflows/marketo/messages';
import { migrationWorkflowId, runScope, type RunRequest } from '../run-scope';

export type MarketoRun = RunRequest<MarketoMigrationInput>;

export function marketoMigrationWorkflowId(orgId: string, sandboxes: string[]): string {
  return migrationWorkflowId('marketo-migration', orgId, sandboxes);
}

/** The workflow input for a config; the Marketo secret stays a reference the activities resolve. */
export function marketoRunFromConfig(config: CutoverConfig, onlySandboxes?: string[]): MarketoRun {
  const scope = runScope(config, onlySandboxes);
  const problems = [...scope.problems];
  if (!config.marketo)
    problems.push(
      'marketo: the section is missing; add munchkinId, clientId and clientSecret (Marketo Admin > LaunchPoint)',
    );
  const marketo = config.marketo;
  return {
    workflowId: marketoMigrationWorkflowId(config.adobe.orgId, scope.sandboxes),
    problems,
    input: {
      orgId: config.adobe.orgId,
      sandboxes: scope.sandboxes,
      approval: scope.approval,
      plan: {
        target: marketo?.target ?? 'marketoV2',
        personCreation: marketo?.personCreation ?? 'match-only',
        ...(marketo ? { munchkinId: marketo.munchkinId.trim().toUpperCase() } : {}),
        ...(marketo?.additionalAttributes.length
          ? { additionalAttributes: marketo.additionalAttributes }
          : {}),
      },
      concurrency: marketo?.concurrency ?? 5,
      firstRunTimeout: marketo?.firstActivationTimeout ?? '2 hours',
    },
  };
}
