import { MARKETO_TARGET } from '../../domain/defaults';
import { marketoRunSpecs } from '../../domain/specs';
import { planMarketoMigration } from '../../domain/marketo/plan';
import type {
  DiscoveredMarketoV1Flow,
  MarketoField,
  MarketoMigrationPlan,
  MarketoPlanItem,
} from '../../domain/marketo/types';
import type { ItemProgress } from '../migration/messages';
import {
  asMigrationPlan,
  planEverySandbox,
  specCheck,
  type RunPlan,
  type SpecPlanning,
} from '../migration/plan';
import type { MigrationPlan } from '../migration/steps';
import type { MarketoMigrateItem, MarketoMigrationInput } from './messages';

/** The activities planning reads through: proxies in the workflow, the functions themselves in `cutover marketo plan`. */
export interface MarketoPlanning extends SpecPlanning {
  verifyMarketoCredentials(): Promise<unknown>;
  discoverMarketoSandbox(input: { sandbox: string }): Promise<{
    flows: DiscoveredMarketoV1Flow[];
    /** Absent without Marketo REST credentials: the plan then cannot check mapped fields. */
    fields?: MarketoField[];
    existingDestinationsInSandbox: number;
  }>;
}

export type MarketoRunPlan = RunPlan<MarketoMigrationPlan>;

/**
 * The plan pipeline of a Marketo destination migration: the Marketo
 * credentials are proven first (without Describe Lead every mapped field
 * would look unknown), then every sandbox is discovered and planned,
 * guardrails included.
 */
export function planMarketoRun(
  planning: MarketoPlanning,
  input: Pick<MarketoMigrationInput, 'sandboxes' | 'options'>,
  explain?: (error: unknown) => string,
): Promise<MarketoRunPlan> {
  return planEverySandbox(
    input.sandboxes,
    [
      specCheck(planning, input.sandboxes, marketoRunSpecs(input.options.target ?? MARKETO_TARGET)),
      { name: 'Marketo credentials', verify: () => planning.verifyMarketoCredentials() },
    ],
    async (sandbox) => {
      const { flows, fields, existingDestinationsInSandbox } = await planning.discoverMarketoSandbox({
        sandbox,
      });
      return planMarketoMigration(sandbox, flows, fields, {
        ...input.options,
        existingDestinationsInSandbox,
      });
    },
    explain,
  );
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
export const asMarketoMigrationPlan = (plan: MarketoRunPlan): MigrationPlan<MarketoMigrateItem> =>
  asMigrationPlan(plan, progressOf);
