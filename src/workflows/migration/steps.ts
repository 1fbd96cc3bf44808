import { ParentClosePolicy, workflowInfo } from '@temporalio/workflow';
import type { ItemProgress } from './messages';

/** A V2 replacement proven to work, waiting for its V1 to be deleted or for a rollback. */
export interface VerifiedItem {
  progress: ItemProgress;
  v1: { flowId: string };
  /** The V2 base connection the item's V2 objects hang off. */
  v2BaseConnectionId: string;
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

/** What differs between migrations; the run supplies phases, approval, progress and rollback order. */
export interface MigrationSteps<W, V extends VerifiedItem> {
  /** The tag in the description of every V2 dataflow this kind makes (`cutover:<tag>:<V1 id>`). */
  v2Tag: 'sfmc' | 'marketo';
  /** Preflight and plan of every sandbox: the same pipeline `cutover <kind> plan` runs. */
  plan(): Promise<MigrationPlan<W>>;
  /** The key that pairs a work entry with its progress entry. */
  v1FlowIdOf(work: W): string;
  /** Which V2 base connection a work entry needs; entries with the same key share one. */
  baseConnectionKeyOf(work: W): string;
  /**
   * Finds or makes that base connection; the run calls it once per key,
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
   * it). Items whose V1 is already gone never get here, and the run removes
   * the base connections left unused afterwards.
   */
  rollBackOne(sandbox: string, item: V): Promise<unknown>;
  /** What may be left when a rollback could not finish, for the item's reason. */
  incompleteRollback: string;
}

/** How the parent starts an item's child saga: named after the run and the V1 dataflow, so a retry finds it. */
export function childSagaOptions(v1FlowId: string, summary: string) {
  return {
    workflowId: `${workflowInfo().workflowId}/${v1FlowId}`,
    // Should the run end abruptly, each child still gets to run its own rollback.
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    staticSummary: summary.slice(0, 200),
  };
}
