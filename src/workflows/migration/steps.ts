import { ParentClosePolicy } from '@temporalio/workflow';
import type { ItemProgress, MigrationRunInput } from './messages';

/** A V2 replacement proven to work, waiting for its V1 to be deleted or for a rollback. */
export interface VerifiedItem {
  progress: ItemProgress;
  v1: { flowId: string };
  /** The V2 base connection the item's V2 objects hang off. */
  v2BaseConnectionId: string;
}

/** A work entry of any kind: the V1 dataflow it replaces pairs it with its progress entry. */
export interface MigrationWork {
  v1: { flowId: string };
}

/** One sandbox of a run's plan: every V1 dataflow as a progress entry, and the work for those to migrate. */
export interface SandboxPlan<W> {
  sandbox: string;
  items: ItemProgress[];
  work: W[];
}

/** A whole run's plan: what `cutover <kind> plan` shows and the run does. Any blocker stops it before a write. */
export interface MigrationPlan<W> {
  sandboxes: Array<SandboxPlan<W>>;
  blockers: string[];
}

/** What one item's migration reports back to the run. */
export type ItemOutcome<V extends VerifiedItem> =
  | {
      status: 'verified';
      item: Omit<V, 'progress' | 'v2BaseConnectionId'>;
      v2FlowId?: string;
      v2Records?: number;
    }
  | { status: 'failed'; reason: string };

/** What a run hands a sandbox's child workflow: the run's own input, and the sandbox's share of the plan. */
export interface SandboxMigrationInput<I extends MigrationRunInput, W extends MigrationWork> {
  run: I;
  /** The run's workflow id: the item sagas are named after it, so a restarted sandbox finds them. */
  runWorkflowId: string;
  sandbox: string;
  items: ItemProgress[];
  work: W[];
  /** Settled items per report to the run: few enough reports that the run's history stays small. */
  reportEvery: number;
}

/** What differs between migrations at the run's level: the plan, and the workflow that migrates one sandbox. */
export interface MigrationRunSteps<I extends MigrationRunInput, W extends MigrationWork> {
  /** The tag in the description of every V2 dataflow this kind makes (`cutover:<tag>:<V1 id>`). */
  v2Tag: 'sfmc' | 'marketo';
  /** Preflight and plan of every sandbox: the same pipeline `cutover <kind> plan` runs. */
  plan(): Promise<MigrationPlan<W>>;
  /** The kind's sandbox workflow (`runSandboxMigration` over its `SandboxSteps`). */
  sandboxWorkflow: (input: SandboxMigrationInput<I, W>) => Promise<void>;
  /** What the sandbox's child workflow is called in the UI, e.g. "SFMC V1 -> V2". */
  label: string;
}

/** What differs between migrations inside one sandbox; the sandbox run supplies order, approval and rollback. */
export interface SandboxSteps<W extends MigrationWork, V extends VerifiedItem> {
  /** The tag in the description of every V2 dataflow this kind makes (`cutover:<tag>:<V1 id>`). */
  v2Tag: 'sfmc' | 'marketo';
  /** Which V2 base connection a work entry needs; entries with the same key share one. */
  baseConnectionKeyOf(work: W): string;
  /**
   * Finds or makes that base connection; the sandbox calls it once per key,
   * before any child, so none race. `retried`: a twin may exist.
   */
  ensureBaseConnection(sandbox: string, work: W): Promise<{ id: string; name: string; retried: boolean }>;
  /** Migrates one item, usually as a child saga; a failure is reported with the item and the others go on. */
  migrateOne(sandbox: string, work: W, v2BaseConnectionId: string): Promise<ItemOutcome<V>>;
  /** The V1 connections to delete once the items' V1 dataflows are gone (each only while nothing uses it). */
  v1ConnectionsOf(items: V[]): {
    sourceOrTargetConnections: Array<{ collection: 'sourceConnections' | 'targetConnections'; id: string }>;
    baseConnectionIds: string[];
  };
  /**
   * Removes one item's V2 (and restores its V1 where the migration changed
   * it). Items whose V1 is already gone never get here, and the sandbox removes
   * the base connections left unused afterwards.
   */
  rollBackOne(sandbox: string, item: V): Promise<unknown>;
  /** What may be left when a rollback could not finish, for the item's reason. */
  incompleteRollback: string;
  /**
   * Puts V1 back as it was before the migration changed it (V2 left as it is),
   * for an item whose V2 could not be confirmed at cut-over; absent where the
   * migration never changes V1.
   */
  restoreV1?(sandbox: string, item: V): Promise<unknown>;
}

/** The id of a sandbox's child workflow: named after its run, so a retried start finds it. */
export function sandboxRunId(runWorkflowId: string, sandbox: string): string {
  return `${runWorkflowId}/sandbox-${sandbox}`;
}

/** How a sandbox starts an item's child saga: named after the run and the V1 dataflow, so a retry finds it. */
export function childSagaOptions(runWorkflowId: string, v1FlowId: string, summary: string) {
  return {
    workflowId: `${runWorkflowId}/${v1FlowId}`,
    // Should the run end abruptly, each child still gets to run its own rollback.
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    staticSummary: summary.slice(0, 200),
  };
}
