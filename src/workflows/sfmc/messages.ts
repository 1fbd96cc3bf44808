import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PlanItem, SfmcPlanOptions } from '../../domain/sfmc/types';

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
  /** Keep V1 disabled this long (e.g. "14 days") before deleting it. */
  retention?: string;
}

export interface SfmcMigrationInput {
  orgId: string;
  sandboxes: string[];
  approval: Record<string, SandboxApproval>;
  plan: SfmcPlanOptions;
  /** How many dataflows migrate at once. */
  concurrency?: number;
  /** How long a V2 dataflow may take to finish its first run. */
  firstRunTimeout?: string;
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

export interface SfmcMigrationProgress {
  phase: MigrationPhase;
  items: ItemProgress[];
  /** Sandboxes whose V1 deletion waits for `approve`. */
  awaitingApproval: string[];
}

export interface SfmcDataflowInput {
  sandbox: string;
  item: Extract<PlanItem, { action: 'migrate' }>;
  /** The V2 account connection the parent made for this item's V1 base connection. */
  v2BaseConnectionId: string;
  firstRunTimeout: string;
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

export const progressQuery = defineQuery<SfmcMigrationProgress>('progress');
/** Accepted only while the run waits for approval; approves the given sandboxes, or all that wait. */
export const approveUpdate = defineUpdate<string[], [{ sandboxes?: string[]; by?: string }]>('approve');
/** Accepted only while the run waits for approval; rolls the waiting sandboxes back. */
export const rejectUpdate = defineUpdate<string[], [{ reason: string; by?: string }]>('reject');
