import type { OutageTolerances, OutageWait } from '../../domain/outage';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { RequestedUser } from '../../domain/sales-connect/invitations';
import type { PreflightFinding, SalesforceFacts } from '../../domain/sales-connect/preflight';

export type ProvisioningPhase =
  | 'preflight'
  | 'awaiting-confirmation'
  | 'connecting-marketo'
  | 'waiting'
  | 'provisioning'
  | 'completed'
  | 'failed';

export interface SalesConnectProvisioningInput {
  orgId: string;
  instanceId: string;
  /** `http`: steps run through the gateway; `manual`: a person does them in the UI and confirms each. */
  gateway: 'http' | 'manual';
  /** The wait asked for; the worker raises it to its own minimum (ten minutes unless its gateway is the simulator). */
  provisioningDelay: string;
  batchSize: number;
  users: RequestedUser[];
  /** The org's other Sales Connect instances, read before inviting: an e-mail holds an account on one only. */
  otherInstanceIds?: string[];
  /** The Munchkin ID Sales Connect must be connected with (not a secret). */
  munchkinId: string;
  /** What the config says about Marketo's and Measure's Salesforce instances. */
  salesforce: Omit<SalesforceFacts, 'salesConnect'>;
  useSearchAttributes?: boolean;
  /** How long the run waits out each config section's API outage (absent in runs started before outages paused). */
  outageTolerances?: OutageTolerances;
}

export type UserStatus = 'planned' | 'invited' | 'already-connected' | 'skipped' | 'rejected';

export interface UserProgress {
  email: string;
  workspace?: string;
  status: UserStatus;
  reason?: string;
  /** The invitation batch (1-based) that handled this user. */
  batch?: number;
}

export interface ProvisioningProgress {
  phase: ProvisioningPhase;
  /** The manual step a person must do and confirm, with where to click. */
  awaiting?: { step: string; instructions: string; users?: string[] };
  /** When the Marketo connection was made (ISO 8601). */
  marketoConnectedAt?: string;
  /** When inviting may start: the Marketo connection plus the wait (ISO 8601). */
  provisioningStartsAt?: string;
  findings: PreflightFinding[];
  users: UserProgress[];
  /** The APIs the run waits for, each since its outage began; it goes on by itself once they answer. */
  waitingFor?: OutageWait[];
}

/** A person's confirmation that they did a manual step; validated against the step the run waits for. */
export interface StepConfirmation {
  step: string;
  /** For `salesforce-connected`: the org Sales Connect shows under Admin Settings > Salesforce. */
  instanceUrl?: string;
  isProduction?: boolean;
  /** For `marketo-connected`: the Munchkin ID Sales Connect shows under Admin Settings > Marketo. */
  munchkinId?: string;
  /** For `invitations-N`: users the Team Access tab showed as already connected (not invited again). */
  alreadyConnected?: string[];
  /** For `invitations-N`: users Sales Connect refused, with what it said (e.g. e-mail used on another instance). */
  rejected?: Array<{ email: string; reason: string }>;
  by?: string;
}

export const provisioningProgressQuery = defineQuery<ProvisioningProgress>('progress');
export const confirmStepUpdate = defineUpdate<string, [StepConfirmation]>('confirm');
