import { planSfmcMigration } from '../../domain/sfmc/plan';
import type {
  DiscoveredDataExtension,
  DiscoveredSandbox,
  PlanItem,
  SfmcMigrationPlan,
} from '../../domain/sfmc/types';
import { describeFailure } from '../shared/failures';
import type { ItemProgress } from '../migration/messages';
import type { MigrationPlan } from '../migration/steps';
import type { SfmcMigrationInput } from './messages';

/** The activities planning reads through: proxies in the workflow, the functions themselves in `cutover sfmc plan`. */
export interface SfmcPlanning {
  verifySfmcV2Access(): Promise<unknown>;
  discoverSfmcSandbox(input: {
    sandbox: string;
  }): Promise<{ discovered: DiscoveredSandbox; extensions: DiscoveredDataExtension[] }>;
}

export interface SfmcRunPlan {
  plans: SfmcMigrationPlan[];
  blockers: string[];
}

/**
 * The one plan pipeline of an SFMC migration, run by the workflow before its
 * first write and by `cutover sfmc plan`: prove the V2 credentials (without
 * readable data extensions there is nothing to plan against), then discover
 * and plan every sandbox at once. `explain` words a failed check as a
 * blocker; the CLI rethrows what the person must fix in the config instead.
 */
export async function planSfmcRun(
  planning: SfmcPlanning,
  input: Pick<SfmcMigrationInput, 'sandboxes' | 'options'>,
  explain: (error: unknown) => string = describeFailure,
): Promise<SfmcRunPlan> {
  if (input.options.v2BaseEndpoint) {
    const problem = await planning.verifySfmcV2Access().then(
      () => undefined,
      (error: unknown) => `SFMC V2 credentials: ${explain(error)}`,
    );
    if (problem) return { plans: [], blockers: [problem] };
  }
  const plans = await Promise.all(
    input.sandboxes.map(async (sandbox) => {
      const { discovered, extensions } = await planning.discoverSfmcSandbox({ sandbox });
      return planSfmcMigration(discovered, extensions, input.options);
    }),
  );
  return {
    plans,
    blockers: plans.flatMap((plan) => plan.blockers.map((blocker) => `${plan.sandbox}: ${blocker}`)),
  };
}

export type SfmcMigrateItem = Extract<PlanItem, { action: 'migrate' }>;

function progressOf(sandbox: string, item: PlanItem): ItemProgress {
  return {
    sandbox,
    v1FlowId: item.v1.flowId,
    name: item.v1.name,
    status: item.action === 'migrate' ? 'planned' : 'skipped',
    ...(item.action === 'skip'
      ? {
          reason: `${item.reason}: ${item.detail}`,
          ...(item.existingV2FlowId ? { v2FlowId: item.existingV2FlowId } : {}),
        }
      : {}),
    ...(item.action === 'migrate' && item.warnings.length ? { warnings: item.warnings } : {}),
    ...(item.v1.lastSuccessfulRun ? { v1Records: item.v1.lastSuccessfulRun.inputRecordCount } : {}),
  };
}

/** The run's plan as the migration driver reads it: progress entries and the work of each sandbox. */
export function asMigrationPlan(plan: SfmcRunPlan): MigrationPlan<SfmcMigrateItem> {
  return {
    sandboxes: plan.plans.map((sandbox) => ({
      sandbox: sandbox.sandbox,
      items: sandbox.items.map((item) => progressOf(sandbox.sandbox, item)),
      work: sandbox.items.flatMap((item) => (item.action === 'migrate' ? [item] : [])),
    })),
    blockers: plan.blockers,
  };
}
