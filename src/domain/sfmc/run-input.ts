import type { CutoverConfig } from '../../config/schema';
import type { SfmcMigrationInput } from '../../workflows/sfmc/messages';
import { migrationWorkflowId, runScope, type RunRequest } from '../run-scope';
import { normaliseSfmcBaseEndpoint } from './base-endpoint';

export type SfmcRun = RunRequest<SfmcMigrationInput>;

export function sfmcMigrationWorkflowId(orgId: string, sandboxes: string[]): string {
  return migrationWorkflowId('sfmc-migration', orgId, sandboxes);
}

/** The workflow input for a config; carries secret references' absence, never secrets. */
export function sfmcRunFromConfig(config: CutoverConfig, onlySandboxes?: string[]): SfmcRun {
  const scope = runScope(config, onlySandboxes);
  const problems = [...scope.problems];
  let v2BaseEndpoint: string | undefined;
  if (config.sfmc) {
    const endpoint = normaliseSfmcBaseEndpoint(config.sfmc.baseEndpoint);
    if (endpoint.ok) v2BaseEndpoint = endpoint.prefix;
    else problems.push(endpoint.error);
  }
  return {
    workflowId: sfmcMigrationWorkflowId(config.adobe.orgId, scope.sandboxes),
    problems,
    input: {
      orgId: config.adobe.orgId,
      sandboxes: scope.sandboxes,
      approval: scope.approval,
      plan: {
        ...(v2BaseEndpoint ? { v2BaseEndpoint } : {}),
        ...(config.sfmc?.dataExtensionFor ? { dataExtensionFor: config.sfmc.dataExtensionFor } : {}),
        ...(config.sfmc?.deltaColumnFor ? { deltaColumnFor: config.sfmc.deltaColumnFor } : {}),
      },
      concurrency: config.sfmc?.concurrency ?? 10,
      firstRunTimeout: config.sfmc?.firstRunTimeout ?? '2 hours',
    },
  };
}
