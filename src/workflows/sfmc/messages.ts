import type { OutageTolerances } from '../../domain/outage';
import type { PlanItem, SfmcPlanOptions } from '../../domain/sfmc/types';
import type { MigrationRunInput } from '../migration/messages';

/** The SFMC source V1 -> V2 run over a set of sandboxes. */
export interface SfmcMigrationInput extends MigrationRunInput {
  options: SfmcPlanOptions;
  /** How long a V2 dataflow may take to finish its first run before the item is rolled back. */
  firstRunTimeout: string;
}

export interface SfmcDataflowInput {
  sandbox: string;
  item: Extract<PlanItem, { action: 'migrate' }>;
  /** The V2 base connection the parent made for this item's V1 base connection. */
  v2BaseConnectionId: string;
  firstRunTimeout: string;
  outageTolerances?: OutageTolerances;
}

export interface CreatedV2Objects {
  baseConnectionId: string;
  sourceConnectionId?: string;
  targetConnectionId?: string;
  mappingSetId?: string;
  flowId?: string;
}

export type SfmcDataflowResult =
  | { status: 'verified'; created: CreatedV2Objects; v2Records: number }
  | { status: 'rolled-back'; reason: string; created: CreatedV2Objects };
