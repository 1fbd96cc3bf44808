import type { CutoverConfig } from '../config/schema';
import type { OutageTolerances } from '../domain/outage';
import type { SandboxApproval } from '../workflows/migration/messages';

export interface RunScope {
  sandboxes: string[];
  approval: Record<string, SandboxApproval>;
  problems: string[];
}

/** The configured sandboxes a run covers (all, or those named with --sandbox) and how each is approved. */
export function runScope(config: CutoverConfig, onlySandboxes?: string[]): RunScope {
  const known = config.adobe.sandboxes.map((sandbox) => sandbox.name);
  const unknown = (onlySandboxes ?? []).filter((name) => !known.includes(name));
  const sandboxes = config.adobe.sandboxes.filter(
    (sandbox) => !onlySandboxes?.length || onlySandboxes.includes(sandbox.name),
  );
  return {
    sandboxes: sandboxes.map((sandbox) => sandbox.name),
    approval: Object.fromEntries(
      sandboxes.map((sandbox) => [
        sandbox.name,
        { autoApprove: sandbox.autoApprove, ...(sandbox.retention ? { retention: sandbox.retention } : {}) },
      ]),
    ),
    problems: unknown.length
      ? [`--sandbox ${unknown.join(', ')}: not in adobe.sandboxes (${known.join(', ')})`]
      : [],
  };
}

/** One migration per kind, org and set of sandboxes: the same request always names the same workflow. */
export function migrationWorkflowId(kind: string, orgId: string, sandboxes: string[]): string {
  return `${kind}/${orgId}/${[...sandboxes].sort().join('+')}`;
}

/** The outage tolerances the config sets, for a run's input: none when the config sets none (each section then waits the default). */
export function outageTolerancesOf(config: CutoverConfig): { outageTolerances?: OutageTolerances } {
  const sections = {
    adobe: config.adobe.outageTolerance,
    sfmc: config.sfmc?.outageTolerance,
    marketo: config.marketo?.outageTolerance,
    salesConnect: config.salesConnect?.outageTolerance,
  };
  const set = Object.fromEntries(Object.entries(sections).filter(([, value]) => value !== undefined));
  return Object.keys(set).length ? { outageTolerances: set } : {};
}
