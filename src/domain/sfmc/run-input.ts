import type { CutoverConfig } from '../../config/schema';
import type { SfmcMigrationInput } from '../../workflows/sfmc/messages';
import { normaliseSfmcBaseEndpoint } from './base-endpoint';

export interface SfmcRun {
  workflowId: string;
  input: SfmcMigrationInput;
  /** Config problems that stop a run before it starts, each saying which field and what to do. */
  problems: string[];
}

/** One migration per org and set of sandboxes: the same request always names the same workflow. */
export function sfmcMigrationWorkflowId(orgId: string, sandboxes: string[]): string {
  return `sfmc-migration/${orgId}/${[...sandboxes].sort().join('+')}`;
}

/** The workflow input for a config; carries secret references' absence, never secrets. */
export function sfmcRunFromConfig(config: CutoverConfig, onlySandboxes?: string[]): SfmcRun {
  const problems: string[] = [];
  const known = config.adobe.sandboxes.map((sandbox) => sandbox.name);
  const unknown = (onlySandboxes ?? []).filter((name) => !known.includes(name));
  if (unknown.length)
    problems.push(`--sandbox ${unknown.join(', ')}: not in adobe.sandboxes (${known.join(', ')})`);
  const sandboxes = config.adobe.sandboxes.filter(
    (sandbox) => !onlySandboxes?.length || onlySandboxes.includes(sandbox.name),
  );

  let v2BaseEndpoint: string | undefined;
  if (config.sfmc) {
    const endpoint = normaliseSfmcBaseEndpoint(config.sfmc.baseEndpoint);
    if (endpoint.ok) v2BaseEndpoint = endpoint.prefix;
    else problems.push(endpoint.error);
  }
  const names = sandboxes.map((sandbox) => sandbox.name);
  return {
    workflowId: sfmcMigrationWorkflowId(config.adobe.orgId, names),
    problems,
    input: {
      orgId: config.adobe.orgId,
      sandboxes: names,
      approval: Object.fromEntries(
        sandboxes.map((sandbox) => [
          sandbox.name,
          {
            autoApprove: sandbox.autoApprove,
            ...(sandbox.retention ? { retention: sandbox.retention } : {}),
          },
        ]),
      ),
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
