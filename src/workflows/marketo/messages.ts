import type { OutageTolerances } from '../../domain/outage';
import type { MarketoPlanItem, MarketoPlanOptions } from '../../domain/marketo/types';
import type { MigrationRunInput } from '../migration/messages';

/** The Marketo destination V1 -> V2 run over a set of sandboxes. */
export interface MarketoMigrationInput extends MigrationRunInput {
  options: Omit<MarketoPlanOptions, 'existingDestinationsInSandbox'>;
  /** How long a V2 dataflow may take to report its first activation before the item is rolled back. */
  firstActivationTimeout: string;
}

export type MarketoMigrateItem = Extract<MarketoPlanItem, { action: 'migrate' }>;

export interface MarketoDataflowInput {
  sandbox: string;
  item: MarketoMigrateItem;
  /** The V2 base connection the parent made for this item's V1 base connection. */
  v2BaseConnectionId: string;
  firstActivationTimeout: string;
  outageTolerances?: OutageTolerances;
}

export type MarketoDataflowResult =
  { status: 'verified'; flowId: string; records: number } | { status: 'rolled-back'; reason: string };
