import { planSfmcMigration } from '../../domain/sfmc/plan';
import { SFMC_RUN_SPECS } from '../../domain/specs';
import type {
  DiscoveredDataExtension,
  DiscoveredSandbox,
  PlanItem,
  SfmcMigrationPlan,
} from '../../domain/sfmc/types';
import type { ItemProgress } from '../migration/messages';
import {
  asMigrationPlan,
  planEverySandbox,
  specCheck,
  type RunPlan,
  type SpecPlanning,
} from '../migration/plan';
import type { MigrationPlan } from '../migration/steps';
import type { SfmcMigrationInput } from './messages';

/** The activities planning reads through: proxies in the workflow, the functions themselves in `cutover sfmc plan`. */
export interface SfmcPlanning extends SpecPlanning {
  verifySfmcV2Access(): Promise<unknown>;
  discoverSfmcSandbox(input: {
    sandbox: string;
    dataExtensionFor?: Record<string, string>;
  }): Promise<{ discovered: DiscoveredSandbox; extensions: DiscoveredDataExtension[] }>;
}

export type SfmcRunPlan = RunPlan<SfmcMigrationPlan>;

/**
 * The plan pipeline of an SFMC migration: the V2 credentials are proven
 * first (without readable data extensions there is nothing to plan against),
 * then every sandbox is discovered and planned.
 */
export function planSfmcRun(
  planning: SfmcPlanning,
  input: Pick<SfmcMigrationInput, 'sandboxes' | 'options'>,
  explain?: (error: unknown) => string,
): Promise<SfmcRunPlan> {
  return planEverySandbox(
    input.sandboxes,
    [
      specCheck(planning, input.sandboxes, SFMC_RUN_SPECS),
      ...(input.options.v2BaseEndpoint
        ? [{ name: 'SFMC V2 credentials', verify: () => planning.verifySfmcV2Access() }]
        : []),
    ],
    async (sandbox) => {
      const { discovered, extensions } = await planning.discoverSfmcSandbox({
        sandbox,
        ...(input.options.dataExtensionFor ? { dataExtensionFor: input.options.dataExtensionFor } : {}),
      });
      return planSfmcMigration(discovered, extensions, input.options);
    },
    explain,
  );
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
export const asSfmcMigrationPlan = (plan: SfmcRunPlan): MigrationPlan<SfmcMigrateItem> =>
  asMigrationPlan(plan, progressOf);
