/** What discovery finds in one sandbox; plain data so it can travel through Temporal. */
export interface DiscoveredV1Flow {
  sandbox: string;
  flowId: string;
  name: string;
  state: string;
  etag?: string;
  schedule: { frequency?: string; interval?: string | number; startTime?: number };
  /** `tenant`: the SFMC subdomain the V1 base connection reads, when its parameters name one. */
  baseConnection: { id: string; name: string; tenant?: string };
  /** `missing`: the flow names a source connection that is gone (deleted in the UI); `path` is then empty. */
  sourceConnection: { id: string; path: string; missing?: true };
  isCustomObject: boolean;
  target: { connectionId: string; dataSetId?: string; schemaId?: string; schemaVersion?: string };
  mappingSet?: { id: string; mappings: Array<{ sourceType: string; source: string; destination: string }> };
  /** The mapping set the flow names and Data Prep no longer has (or none named): V2 would have nothing to map. */
  missingMappingSetId?: string;
  deltaColumn?: string;
  /** The newest run, whatever its outcome. */
  lastRun?: { id: string; status: string };
  /** The newest successful run: what V2's first run is checked against. */
  lastSuccessfulRun?: { id: string; inputRecordCount: number };
}

export interface DiscoveredDataExtension {
  id: string;
  key: string;
  name: string;
  fields: Array<{ name: string; type: string; isPrimaryKey: boolean }>;
}

export interface DiscoveredSandbox {
  sandbox: string;
  flows: DiscoveredV1Flow[];
  /** V2 replacements already made by an earlier run, keyed by the V1 flow id they replace. */
  existingV2FlowsByV1FlowId: Record<string, string>;
}

export interface SfmcPlanOptions {
  /** Prefix of the SFMC auth base URI, already normalised; undefined when V2 credentials are missing. */
  v2BaseEndpoint?: string;
  /** V1 object path -> data extension name, for objects whose names differ. */
  dataExtensionFor?: Record<string, string>;
  /** Data extension name -> delta date/time field, when detection picks the wrong one or none. */
  deltaColumnFor?: Record<string, string>;
}

export type SkipReason =
  | 'custom-object'
  | 'no-matching-data-extension'
  | 'no-date-time-column'
  | 'v2-credentials-missing'
  | 'already-migrated'
  | 'v1-target-missing'
  | 'v1-source-missing'
  | 'v1-mapping-missing';

export interface PlannedMapping {
  sourceType: 'ATTRIBUTE' | 'EXPRESSION' | 'STATIC';
  source: string;
  destination: string;
}

export interface PlannedV2Flow {
  dataExtension: { key: string; name: string };
  deltaColumn: string;
  mappings: PlannedMapping[];
  schedule: { frequency: 'once' | 'hour' | 'day' | 'week'; interval: number };
  target: DiscoveredV1Flow['target'];
}

export type PlanItem =
  | { action: 'migrate'; v1: DiscoveredV1Flow; v2: PlannedV2Flow; warnings: string[] }
  | { action: 'skip'; v1: DiscoveredV1Flow; reason: SkipReason; detail: string; existingV2FlowId?: string };

export interface SfmcMigrationPlan {
  sandbox: string;
  items: PlanItem[];
  /** Problems that stop the whole sandbox, e.g. unusable V2 credentials. */
  blockers: string[];
}
