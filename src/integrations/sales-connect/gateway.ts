/**
 * The port through which provisioning talks to Marketo Sales Connect (Sales
 * Insight Actions). Sales Connect has no public API, so adapters differ in
 * kind: an HTTP adapter speaking our own v1 contract (docs/sales-connect-contract.md)
 * to a bridge or the simulator, or a manual adapter where a person confirms
 * each step in the web UI. Everything here is plain JSON data, because values
 * cross Temporal activity boundaries.
 *
 * Failures are thrown as `RemoteApiError` (api 'sales-connect'); `remoteCode`
 * is one of `SalesConnectErrorCode` when the adapter knows the cause.
 */

export interface SalesforceConnectionStatusConnected {
  connected: true;
  /** e.g. https://acme.my.salesforce.com */
  instanceUrl: string;
  /** The 15/18-character Salesforce org id when the adapter can tell it. */
  orgId?: string;
  isProduction: boolean;
}

export type SalesforceConnectionStatus = { connected: false } | SalesforceConnectionStatusConnected;

export interface MarketoCredentials {
  munchkinId: string;
  clientId: string;
  clientSecret: string;
}

export interface MarketoConnection {
  munchkinId: string;
  /** ISO 8601; the provisioning delay is measured from here. */
  connectedAt: string;
}

export type MarketoConnectionStatus = { connected: false } | ({ connected: true } & MarketoConnection);

export type TeamMemberStatus = 'connected' | 'invited' | 'not-connected';

export interface TeamMember {
  email: string;
  name: string;
  status: TeamMemberStatus;
  /** Set once, at invite time; absent for users never invited. */
  workspace?: string;
}

export interface TeamMemberPageRequest {
  /** From the previous page's `nextCursor`; absent for the first page. */
  cursor?: string;
  limit?: number;
}

export interface TeamMemberPage {
  members: TeamMember[];
  /** Absent on the last page. */
  nextCursor?: string;
}

export interface WorkspaceList {
  workspaces: string[];
  /** Where users invited without a workspace end up. */
  defaultWorkspace: string;
}

export interface InvitationTarget {
  email: string;
  /** The instance's default workspace when absent. */
  workspace?: string;
}

export interface InvitationRequest {
  /**
   * Idempotency key: repeating a request with the same id (e.g. after a
   * dropped response) returns the first answer and invites nobody twice.
   * Derive it deterministically (workflow id + step), never from a clock.
   */
  requestId: string;
  users: InvitationTarget[];
}

export type InvitationRejectionReason =
  /** The user already holds a workspace; Sales Connect changes it only by disconnecting the user first. */
  | 'workspace-change-requires-disconnect'
  /** The e-mail holds an account on another Sales Connect instance (e.g. a Marketo sandbox). */
  | 'email-used-on-other-instance'
  | 'unknown-workspace'
  /** Not among the instance's team members (the users Sales Connect got from Salesforce). */
  | 'unknown-user'
  | 'marketo-not-connected'
  /** Inside the wait Adobe asks for after connecting Marketo; nothing was done, retry later with the same id. */
  | 'too-early';

export type InvitationResult =
  | {
      email: string;
      /** 'invited' also covers a pending invitation sent again. */
      outcome: 'invited' | 'already-connected';
      workspace: string;
    }
  | {
      email: string;
      outcome: 'rejected';
      reason: InvitationRejectionReason;
      /** The workspace the user keeps on this instance, when it has one. */
      workspace?: string;
    };

export type InvitationOutcome = InvitationResult['outcome'];

export interface InvitationReport {
  requestId: string;
  /** One per requested user, in request order; `email` as requested. */
  results: InvitationResult[];
}

/** Error codes of the v1 contract, found in `RemoteApiError.remoteCode`. */
export type SalesConnectErrorCode =
  | 'invalid-request'
  | 'invalid-credentials'
  | 'invalid-cursor'
  | 'unauthorized'
  | 'forbidden'
  | 'instance-not-found'
  | 'salesforce-not-connected'
  | 'marketo-already-connected'
  | 'idempotency-key-reused'
  | 'rate-limited'
  | 'unavailable';

export interface SalesConnectGateway {
  getSalesforceConnection(instanceId: string): Promise<SalesforceConnectionStatus>;

  /**
   * Idempotent: the same Munchkin ID again returns the existing connection
   * (same `connectedAt`). A different Munchkin ID while connected throws a
   * conflict ('marketo-already-connected'); so does a missing Salesforce
   * connection ('salesforce-not-connected').
   */
  connectMarketo(instanceId: string, credentials: MarketoCredentials): Promise<MarketoConnection>;
  getMarketoConnection(instanceId: string): Promise<MarketoConnectionStatus>;

  listTeamMembers(instanceId: string, page?: TeamMemberPageRequest): Promise<TeamMemberPage>;
  listWorkspaces(instanceId: string): Promise<WorkspaceList>;

  inviteUsers(instanceId: string, request: InvitationRequest): Promise<InvitationReport>;
}

/** Every team member across pages, for callers that do not need to checkpoint between pages. */
export async function* allTeamMembers(
  gateway: Pick<SalesConnectGateway, 'listTeamMembers'>,
  instanceId: string,
  pageSize?: number,
): AsyncGenerator<TeamMember> {
  let cursor: string | undefined;
  do {
    const page = await gateway.listTeamMembers(instanceId, { cursor, limit: pageSize });
    yield* page.members;
    cursor = page.nextCursor;
  } while (cursor);
}
