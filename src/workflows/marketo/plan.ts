import { planMarketoMigration } from '../../domain/marketo/plan';
import type {
  DiscoveredMarketoV1Flow,
  MarketoField,
  MarketoMigrationPlan,
  MarketoPlanItem,
} from '../../domain/marketo/types';
import { describeFailure } from '../shared/failures';
import type { ItemProgress } from '../migration/messages';
import type { MigrationPlan } from '../migration/steps';
import type { MarketoMigrateItem, MarketoMigrationInput } from './messages';

/** The activities planning reads through: proxies in the workflow, the functions themselves in `cutover marketo plan`. */
export interface MarketoPlanning {
  verifyMarketoCredentials(): Promise<unknown>;
  discoverMarketoSandbox(input: { sandbox: string }): Promise<{
    flows: DiscoveredMarketoV1Flow[];
    fields: MarketoField[];
    existingDestinationsInSandbox: number;
  }>;
}

export interface MarketoRunPlan {
  plans: MarketoMigrationPlan[];
  blockers: string[];
}

/**
 * The one plan pipeline of a Marketo destination migration, run by the
 * workflow before its first write and by `cutover marketo plan`: prove the
 * Marketo credentials (without Describe Lead every mapped field would look
 * unknown), then discover and plan every sandbox at once, guardrails included.
 */
export async function planMarketoRun(
  planning: MarketoPlanning,
  input: Pick<MarketoMigrationInput, 'sandboxes' | 'options'>,
  explain: (error: unknown) => string = describeFailure,
): Promise<MarketoRunPlan> {
  const problem = await planning.verifyMarketoCredentials().then(
    () => undefined,
    (error: unknown) => `Marketo credentials: ${explain(error)}`,
  );
  if (problem) return { plans: [], blockers: [problem] };
  const plans = await Promise.all(
    input.sandboxes.map(async (sandbox) => {
      const { flows, fields, existingDestinationsInSandbox } = await planning.discoverMarketoSandbox({
        sandbox,
      });
      return planMarketoMigration(sandbox, flows, fields, {
        ...input.options,
        existingDestinationsInSandbox,
      });
    }),
  );
  return {
    plans,
    blockers: plans.flatMap((plan) => plan.blockers.map((blocker) => `${plan.sandbox}: ${blocker}`)),
  };
}

function progressOf(sandbox: string, item: MarketoPlanItem): ItemProgress {
  return {
    sandbox,
    v1FlowId: item.v1.flowId,
    name: item.v1.name,
    status: item.action === 'migrate' ? 'planned' : 'skipped',
    ...(item.action === 'skip' ? { reason: `${item.reason}: ${item.detail}` } : {}),
    ...(item.action === 'migrate' && item.warnings.length ? { warnings: item.warnings } : {}),
  };
}

/** The run's plan as the migration driver reads it: progress entries and the work of each sandbox. */
export function asMigrationPlan(plan: MarketoRunPlan): MigrationPlan<MarketoMigrateItem> {
  return {
    sandboxes: plan.plans.map((sandbox) => ({
      sandbox: sandbox.sandbox,
      items: sandbox.items.map((item) => progressOf(sandbox.sandbox, item)),
      work: sandbox.items.flatMap((item) => (item.action === 'migrate' ? [item] : [])),
    })),
    blockers: plan.blockers,
  };
}
