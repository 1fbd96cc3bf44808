/**
 * The Sales Connect bridge contract v1 (docs/sales-connect-contract.md) as
 * the simulated bridge speaks it. Written from the document rather than taken
 * from the client's schemas, so a client that misreads the contract meets a
 * bridge that does not share its mistake.
 */

export const MAX_USERS_PER_INVITATION = 100;
export const MAX_TEAM_PAGE_SIZE = 200;
export const DEFAULT_TEAM_PAGE_SIZE = 50;

/** The contract's error table: every code with the one status it is sent under. */
export const ERROR_STATUS = {
  'invalid-request': 400,
  'invalid-credentials': 400,
  'invalid-cursor': 400,
  unauthorized: 401,
  forbidden: 403,
  'instance-not-found': 404,
  'salesforce-not-connected': 409,
  'marketo-already-connected': 409,
  'idempotency-key-reused': 409,
  'rate-limited': 429,
  unavailable: 503,
} as const;
export type SalesConnectErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: { code: SalesConnectErrorCode; message: string };
}

export type SalesforceConnectionBody =
  | { connected: false }
  | {
      connected: true;
      instanceUrl: string;
      /** null when the bridge cannot read it. */
      orgId: string | null;
      isProduction: boolean;
    };

export type MarketoConnectionBody =
  | { connected: false }
  | {
      connected: true;
      munchkinId: string;
      /** ISO 8601 with offset; callers measure the ten-minute wait from it. */
      connectedAt: string;
    };

export interface ConnectMarketoRequestBody {
  munchkinId: string;
  clientId: string;
  clientSecret: string;
}

const CONNECT_MARKETO_FIELDS = new Set(['munchkinId', 'clientId', 'clientSecret']);

/** Request bodies are strict, so a bridge can point at a misspelt field; values are never quoted. */
export function connectMarketoProblems(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['(body): expected an object'];
  const fields = body as Record<string, unknown>;
  return [
    ...unknownFields(body, CONNECT_MARKETO_FIELDS, ''),
    ...[...CONNECT_MARKETO_FIELDS]
      .filter((field) => typeof fields[field] !== 'string' || fields[field] === '')
      .map((field) => `${field}: required, a non-empty string`),
  ];
}

export type TeamMemberStatus = 'connected' | 'invited' | 'not-connected';

export interface TeamMemberBody {
  email: string;
  name: string;
  status: TeamMemberStatus;
  /** null until the user is invited. */
  workspace: string | null;
}

export interface TeamMemberPageBody {
  members: TeamMemberBody[];
  /** null on the last page. */
  nextCursor: string | null;
}

export interface WorkspaceListBody {
  workspaces: Array<{ name: string }>;
  defaultWorkspace: string;
}

export interface InvitationRequestBody {
  requestId: string;
  users: Array<{ email: string; workspace?: string | null }>;
}

const INVITATION_FIELDS = new Set(['requestId', 'users']);
const INVITED_USER_FIELDS = new Set(['email', 'workspace']);
const PRINTABLE_KEY = /^[\x21-\x7e]{1,200}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function unknownFields(value: object, known: Set<string>, at: string): string[] {
  return Object.keys(value)
    .filter((key) => !known.has(key))
    .map((key) => `${at}${key}: unknown field`);
}

function invitedUserProblems(user: unknown, index: number): string[] {
  const at = `users.${index}.`;
  if (typeof user !== 'object' || user === null) return [`users.${index}: expected an object`];
  const { email, workspace } = user as { email?: unknown; workspace?: unknown };
  return [
    ...unknownFields(user, INVITED_USER_FIELDS, at),
    ...(typeof email === 'string' && EMAIL.test(email.trim())
      ? []
      : [`${at}email: expected an e-mail address`]),
    ...(workspace === undefined || workspace === null || (typeof workspace === 'string' && workspace !== '')
      ? []
      : [`${at}workspace: expected a workspace name or null`]),
  ];
}

/**
 * The invitation rules as the contract lists its 400s (empty list, more than
 * 100 users, duplicate e-mail, bad requestId, unknown fields), each problem
 * naming its field and never the value.
 */
export function invitationProblems(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return ['(body): expected an object'];
  const { requestId, users } = body as { requestId?: unknown; users?: unknown };
  const problems = unknownFields(body, INVITATION_FIELDS, '');
  if (typeof requestId !== 'string' || !PRINTABLE_KEY.test(requestId))
    problems.push('requestId: expected 1 to 200 printable ASCII characters without spaces');
  if (!Array.isArray(users) || users.length === 0 || users.length > MAX_USERS_PER_INVITATION) {
    problems.push(`users: expected 1 to ${MAX_USERS_PER_INVITATION} users`);
    return problems;
  }
  problems.push(...users.flatMap(invitedUserProblems));
  if (problems.length) return problems;
  // E-mails compare case-insensitively, so `Ada@x` and `ada@x` are the same user twice.
  const emails = (users as Array<{ email: string }>).map((user) => user.email.trim().toLowerCase());
  if (new Set(emails).size !== emails.length) problems.push('users: each e-mail may appear once per request');
  return problems;
}

/** The request as the bridge acts on it, once `invitationProblems` found nothing. */
export function asInvitationRequest(body: unknown): InvitationRequestBody {
  const { requestId, users } = body as InvitationRequestBody;
  return { requestId, users: users.map((user) => ({ ...user, email: user.email.trim() })) };
}

/** Why the bridge turns one invited user away, with the rule behind each reason. */
export const REJECTION_RULES = {
  'workspace-change-requires-disconnect':
    'the user already holds a workspace; Sales Connect changes it only by disconnecting the user first',
  'email-used-on-other-instance': 'the e-mail holds an account on another Sales Connect instance',
  'unknown-workspace': "the workspace is not one of the instance's workspaces",
  'unknown-user': 'not among the team members Sales Connect got from Salesforce',
  'marketo-not-connected': 'Marketo is not connected to the instance yet',
  'too-early': 'inside the wait Adobe asks for after connecting Marketo; not remembered under the request id',
} as const;
export type InvitationRejectionReason = keyof typeof REJECTION_RULES;

/** One invited user's answer; a rejected user keeps the workspace it holds on this instance, or null. */
export type InvitationResultBody = { email: string } &
  /** 'invited' also covers a pending invitation sent again. */
  (
    | { outcome: 'invited' | 'already-connected'; workspace: string }
    | { outcome: 'rejected'; reason: InvitationRejectionReason; workspace: string | null }
  );

export interface InvitationReportBody {
  requestId: string;
  /** One per requested user, in request order, each e-mail as it was sent. */
  results: InvitationResultBody[];
}
