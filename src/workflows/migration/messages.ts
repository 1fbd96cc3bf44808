import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { OutageTolerances, OutageWait } from '../../domain/outage';

export type MigrationPhase =
  | 'preflight'
  | 'discovering'
  | 'migrating'
  | 'awaiting-approval'
  | 'retaining-v1'
  | 'removing-v1'
  | 'rolling-back'
  | 'completed'
  | 'rolled-back'
  | 'failed';

export interface SandboxApproval {
  /** Delete V1 without a person once its V2 replacement is verified. */
  autoApprove: boolean;
  /** Keep V1 this long (e.g. "14 days") after approval before deleting it. */
  retention?: string;
}

/** What every migration run needs, whatever it migrates. */
export interface MigrationRunInput {
  orgId: string;
  sandboxes: string[];
  approval: Record<string, SandboxApproval>;
  /** How many dataflows of a sandbox migrate at once. */
  concurrency: number;
  /** How long the run waits out each config section's API outage (absent in runs started before outages paused). */
  outageTolerances?: OutageTolerances;
  /**
   * Index the run under cutover's search attributes (default). Off for servers
   * where they are not registered, e.g. the time-skipping test server.
   */
  useSearchAttributes?: boolean;
}

export type ItemStatus =
  'planned' | 'skipped' | 'migrating' | 'verified' | 'failed' | 'v1-removed' | 'rolled-back';

export interface ItemProgress {
  sandbox: string;
  v1FlowId: string;
  name: string;
  status: ItemStatus;
  reason?: string;
  v2FlowId?: string;
  v2Records?: number;
  v1Records?: number;
  warnings?: string[];
}

export interface MigrationProgress {
  phase: MigrationPhase;
  items: ItemProgress[];
  /** Sandboxes whose V1 deletion waits for `approve`. */
  awaitingApproval: string[];
  /** The APIs the run waits for, each since its outage began; the run goes on by itself once they answer. */
  waitingFor?: OutageWait[];
}

export const progressQuery = defineQuery<MigrationProgress>('progress');
/** Accepted only while the run waits for approval; approves the given sandboxes, or all that wait. */
export const approveUpdate = defineUpdate<string[], [{ sandboxes?: string[]; by?: string }]>('approve');
/** Accepted only while the run waits for approval; rolls the waiting sandboxes back. */
export const rejectUpdate = defineUpdate<string[], [{ reason: string; by?: string }]>('reject');

/** One item's new standing, as a sandbox's child workflow reports it to its run. */
export interface ItemUpdate {
  v1FlowId: string;
  status: ItemStatus;
  reason?: string;
  v2FlowId?: string;
  v2Records?: number;
}

/** What a sandbox's child workflow tells its run: item updates, the phase it entered, and when its migration is done. */
export interface SandboxReport {
  sandbox: string;
  updates: ItemUpdate[];
  phase?: MigrationPhase;
  /** Sent once, when every item of the sandbox has been migrated or has failed. */
  migrated?: { verified: number };
  /** Every API the sandbox waits for, sent whenever that list changes. */
  waitingFor?: OutageWait[];
}

/** How the run decided on a sandbox's verified items; a rejection carries the reason each item is rolled back with. */
export type SandboxDecision = { decision: 'approved' } | { decision: 'rejected'; reason: string };

export const sandboxReportSignal = defineSignal<[SandboxReport]>('sandboxReport');
export const sandboxDecisionSignal = defineSignal<[SandboxDecision]>('sandboxDecision');
/** An item's saga tells its sandbox that it waits for an API, or goes on again. */
export const itemOutageSignal = defineSignal<[{ wait: OutageWait; waiting: boolean }]>('itemOutage');
