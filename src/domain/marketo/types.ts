/** A Marketo V1 destination dataflow as discovery finds it; plain data for Temporal. */
export interface DiscoveredMarketoV1Flow {
  sandbox: string;
  flowId: string;
  name: string;
  state: string;
  /** The Profile source connection the dataflow reads; V2 reads the same one. */
  sourceConnectionId: string;
  targetConnectionId: string;
  /** The flow names a target connection that is gone (deleted in the UI): nothing says which destination it exported to. */
  targetConnectionMissing?: true;
  /** The V1 Marketo base connection its target connection hangs off, and the Munchkin ID it names; `missing` when it is gone. */
  baseConnection: { id: string; name: string; munchkinId?: string; missing?: boolean };
  /** State of the newest activation run, if any. */
  lastRunState?: string;
  /** Audiences (segment selectors); V1 carried a Marketo static-list "mapping ID" for each. */
  audiences: Array<{ id: string; name: string; mappingId?: string }>;
  /** Identity mappings: XDM source path -> identity namespace (Email, ECID, …). */
  identities: Array<{ namespace: string; source: string; primary: boolean }>;
  /** Attribute mappings: XDM source path -> V1 Marketo field (firstName, lastName, companyName). */
  attributes: Array<{ source: string; destination: string }>;
}

/** A Marketo lead field from the Describe Lead API: what V2 can map to. */
export interface MarketoField {
  restName: string;
  displayName: string;
  dataType: string;
  readOnly: boolean;
}

export type PersonCreation = 'create-missing' | 'match-only';

export type MarketoTargetCard = 'marketoV2' | 'marketoEngage';

/**
 * What a person chooses for the new Marketo Engage card's destination details
 * (Adobe's "Marketo Engage connection" page); the Munchkin ID is the config's.
 */
export interface MarketoEngageSettings {
  workspaceId: string;
  /** New persons land in Marketo's Default partition when absent. */
  partition?: string;
  /** The Marketo field the card matches persons on (its `DedupeField` target identity). */
  dedupeField: string;
}

export interface MarketoPlanOptions {
  /** Which destination card replaces V1; V2 by default (itself legacy since March 2026). */
  target?: MarketoTargetCard;
  personCreation?: PersonCreation;
  /** The Marketo Engage card's destination details; required for that card, unused by V2. */
  engage?: MarketoEngageSettings;
  /** Extra attributes to export, beyond what V1 mapped: XDM path -> Marketo REST field name. */
  additionalAttributes?: Array<{ source: string; destination: string }>;
  /** Destination dataflows the sandbox already has, for the 100-per-sandbox limit. */
  existingDestinationsInSandbox: number;
  /** The configured Marketo subscription (upper case); V1 accounts on another one block the run. */
  munchkinId?: string;
}

export type MarketoSkipReason =
  | 'no-identity'
  | 'identity-unsupported-by-card'
  | 'unknown-marketo-field'
  | 'person-creation-needs-names'
  | 'no-audiences'
  | 'v1-disabled'
  | 'v1-base-connection-missing'
  | 'v1-target-connection-missing';

export interface PlannedMarketoFlow {
  target: MarketoTargetCard;
  audiences: Array<{ id: string; name: string }>;
  /** Target identities: Email/ECID on V2, the single `DedupeField` on the Marketo Engage card. */
  identities: Array<{ namespace: 'Email' | 'ECID' | 'DedupeField'; source: string; primary: boolean }>;
  attributes: Array<{ source: string; destination: string }>;
  personCreation: PersonCreation;
  /** The Marketo Engage card's destination details, with the Munchkin ID they apply to. */
  engage?: MarketoEngageSettings & { munchkinId: string };
}

export type MarketoPlanItem =
  | { action: 'migrate'; v1: DiscoveredMarketoV1Flow; v2: PlannedMarketoFlow; warnings: string[] }
  | { action: 'skip'; v1: DiscoveredMarketoV1Flow; reason: MarketoSkipReason; detail: string };

export interface MarketoMigrationPlan {
  sandbox: string;
  items: MarketoPlanItem[];
  blockers: string[];
}
