import type { InvitationTarget } from '../../integrations/sales-connect/gateway';
import type { UserStatus } from './messages';
import type { ProvisioningReads } from './plan';

/** What became of one invited user. */
export interface InvitationOutcome {
  email: string;
  status: Extract<UserStatus, 'invited' | 'already-connected' | 'rejected'>;
  /** The workspace the user holds now; undefined when they hold none. */
  workspace?: string;
  reason?: string;
}

/**
 * The Sales Connect steps of a provisioning. The `http` gateway calls the
 * bridge; the `manual` one asks a person to do each step in the Sales Connect
 * UI and confirm it. The workflow reads the same either way.
 */
export interface SalesConnectSteps extends ProvisioningReads {
  /** Connects Sales Connect to the configured Marketo subscription; when it was connected (epoch ms). */
  connectMarketo(): Promise<number>;
  /** Whether Sales Connect still holds its Marketo connection: someone may have removed it during the wait. */
  stillConnectedToMarketo(): Promise<boolean>;
  /** Invites one batch (numbered from 1); the outcome of each user Sales Connect reported on. */
  invite(batch: InvitationTarget[], number: number): Promise<InvitationOutcome[]>;
}
