/** What the simulator stores per object: the API's own item shape plus `_sim` bookkeeping it never serves. */
export interface StoredRecord {
  id: string;
  etag: string;
  createdAt: number;
  updatedAt: number;
  [field: string]: unknown;
}

export interface RunPlan {
  outcome: 'success' | 'failed';
  startedAt: number;
  completesAt: number;
  inputRecords: number;
  failedRecords: number;
}

export interface FlowSimulation {
  /** Scheduled runs have been materialised up to (excluding) this time. */
  nextRunAt?: number;
  /** The next N runs of this flow fail (set through the admin API)... */
  failNextRuns?: number;
  /** ...after this many more succeed first. */
  succeedBeforeFailing?: number;
  /** Its runs read no record at all (a data extension that is empty, or the wrong one). */
  emptyRuns?: boolean;
  /** Destination flows have no schedule; they report an activation run this often. */
  activationIntervalMs?: number;
  /** The delta column of the first on-demand run, which later runs may not change. */
  deltaColumn?: string;
}

export type Collection = 'connections' | 'sourceConnections' | 'targetConnections' | 'flows' | 'runs';

export interface SandboxData {
  sandboxId: string;
  connections: Record<string, StoredRecord>;
  sourceConnections: Record<string, StoredRecord>;
  targetConnections: Record<string, StoredRecord>;
  flows: Record<string, StoredRecord>;
  runs: Record<string, StoredRecord>;
}

export interface FlowServiceState {
  orgs: Record<string, { sandboxes: Record<string, SandboxData> }>;
  /** Simulated duration of every run, from start to its final status. */
  runDurationMs: number;
  /** Dataflows created from now on fail this many first runs (to rehearse a failing V2). */
  failRunsOfNewFlows?: number;
  /** Dataflows created from now on read no record (to rehearse an implausible first V2 run). */
  emptyRunsOfNewFlows?: boolean;
  /**
   * Whether a delete of a connection something still uses is refused (1418/1447), as Adobe does; `false`
   * rehearses an API that lets it go, so only the caller's own check keeps a shared connection.
   */
  refuseDeletesInUse?: boolean;
  /** Audience ids no destination dataflow receives: a create or PATCH that adds one stores the dataflow without it. */
  droppedAudiences?: string[];
  /** Access-control permissions withheld from each org's API credential (e.g. "Activate Destinations"). */
  deniedPermissions?: Record<string, string[]>;
  /** How each org's refusals read: 2120 naming nothing (the default), 2118 or 2121 naming the permission. */
  permissionAnswers?: Record<string, 'generic' | 'missing' | 'denied'>;
}

export function emptySandbox(sandboxId: string): SandboxData {
  return { sandboxId, connections: {}, sourceConnections: {}, targetConnections: {}, flows: {}, runs: {} };
}

/** The served form: every `_`-prefixed field is simulator bookkeeping. */
export function publicView(record: StoredRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !key.startsWith('_')));
}

export function newEtag(id: string): string {
  return `"${id}"`;
}
