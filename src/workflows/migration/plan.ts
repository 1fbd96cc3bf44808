import type { SpecKey } from '../../domain/specs';
import { runSizeBlockers } from '../../domain/run-size';
import { describeFailure } from '../shared/failures';
import type { ItemProgress } from './messages';
import type { MigrationPlan } from './steps';

/** One sandbox's plan as every migration kind makes it: its items and what blocks it. */
export interface SandboxPlanView<I extends { action: string } = { action: string }> {
  sandbox: string;
  items: I[];
  blockers: string[];
}

/** A kind's plan of a whole run: one plan per sandbox and what blocks the run before its first write. */
export interface RunPlan<P extends SandboxPlanView = SandboxPlanView> {
  plans: P[];
  blockers: string[];
}

/** Finds the specs a run needs in the organisation's catalogue (`resolveSpecs` activity). */
export interface SpecPlanning {
  resolveSpecs(input: { sandbox: string; keys: SpecKey[] }): Promise<unknown>;
}

/** The check that every spec a run needs is in the catalogue, looked up through the run's first sandbox. */
export function specCheck(planning: SpecPlanning, sandboxes: string[], keys: SpecKey[]): PreflightCheck {
  return {
    name: 'Experience Platform specs',
    verify: () => planning.resolveSpecs({ sandbox: sandboxes[0] ?? '', keys }),
  };
}

/** What a kind proves before planning (credentials, specs): without it every sandbox would plan against nothing. */
export interface PreflightCheck {
  /** What the blocker names, e.g. "Marketo credentials". */
  name: string;
  verify(): Promise<unknown>;
}

/**
 * The plan pipeline every migration kind runs, in the workflow before its
 * first write and in `cutover <kind> plan`: run every check at once, then plan
 * every sandbox at once. `explain` words a failed check as a blocker; the CLI
 * rethrows what the person must fix in the config instead.
 */
export async function planEverySandbox<P extends SandboxPlanView>(
  sandboxes: string[],
  checks: PreflightCheck[],
  planSandbox: (sandbox: string) => Promise<P>,
  explain: (error: unknown) => string = describeFailure,
): Promise<RunPlan<P>> {
  const problems = await Promise.all(
    checks.map((check) =>
      check.verify().then(
        () => undefined,
        (error: unknown) => `${check.name}: ${explain(error)}`,
      ),
    ),
  );
  const blockers = problems.filter((problem): problem is string => problem !== undefined);
  if (blockers.length) return { plans: [], blockers };
  const plans = await Promise.all(sandboxes.map(planSandbox));
  const toMigrate = plans.map((plan) => ({
    sandbox: plan.sandbox,
    count: plan.items.filter((item) => item.action === 'migrate').length,
  }));
  return {
    plans,
    blockers: [
      ...plans.flatMap((plan) => plan.blockers.map((blocker) => `${plan.sandbox}: ${blocker}`)),
      ...runSizeBlockers(toMigrate),
    ],
  };
}

/** The run's plan as the migration driver reads it: progress entries, and the items to migrate as its work. */
export function asMigrationPlan<I extends { action: string }>(
  plan: RunPlan<SandboxPlanView<I>>,
  progressOf: (sandbox: string, item: I) => ItemProgress,
): MigrationPlan<Extract<I, { action: 'migrate' }>> {
  const isWork = (item: I): item is Extract<I, { action: 'migrate' }> => item.action === 'migrate';
  return {
    sandboxes: plan.plans.map((sandbox) => ({
      sandbox: sandbox.sandbox,
      items: sandbox.items.map((item) => progressOf(sandbox.sandbox, item)),
      work: sandbox.items.filter(isWork),
    })),
    blockers: plan.blockers,
  };
}
