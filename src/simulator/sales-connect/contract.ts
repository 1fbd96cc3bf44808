import { z } from 'zod';

/**
 * The Sales Connect bridge contract v1 (docs/sales-connect-contract.md) as
 * the simulated bridge speaks it. Written from the document rather than taken
 * from the client's schemas, so a client that misreads the contract meets a
 * bridge that does not share its mistake.
 */

export const MAX_USERS_PER_INVITATION = 100;
export const MAX_TEAM_PAGE_SIZE = 200;
export const DEFAULT_TEAM_PAGE_SIZE = 50;

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

/** Request bodies are strict, so a bridge can point at a misspelt field. */
export const connectMarketoRequestSchema = z
  .object({
    munchkinId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
  })
  .strict();

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

export const invitationRequestSchema = z
  .object({
    requestId: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\x21-\x7e]+$/, { error: 'expected printable ASCII without spaces' }),
    users: z
      .array(
        z
          .object({
            email: z
              .string()
              .trim()
              .min(3)
              .regex(/^[^\s@]+@[^\s@]+$/, { error: 'expected an e-mail address' }),
            workspace: z.string().min(1).nullable().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_USERS_PER_INVITATION),
  })
  .strict()
  .refine(
    // E-mails compare case-insensitively, so `Ada@x` and `ada@x` are the same user twice.
    (request) => new Set(request.users.map((user) => user.email.toLowerCase())).size === request.users.length,
    { error: 'each e-mail may appear once per request', path: ['users'] },
  );
export type InvitationRequestBody = z.output<typeof invitationRequestSchema>;

export type InvitationRejectionReason =
  /** The user already holds a workspace; Sales Connect changes it only by disconnecting the user first. */
  | 'workspace-change-requires-disconnect'
  /** The e-mail holds an account on another Sales Connect instance (e.g. a Marketo sandbox). */
  | 'email-used-on-other-instance'
  | 'unknown-workspace'
  /** Not among the instance's team members (the users Sales Connect got from Salesforce). */
  | 'unknown-user'
  | 'marketo-not-connected'
  /** Inside the wait Adobe asks for after connecting Marketo; not remembered under the request id. */
  | 'too-early';

export type InvitationResultBody =
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
      /** The workspace the user keeps on this instance, or null. */
      workspace: string | null;
    };

export interface InvitationReportBody {
  requestId: string;
  /** One per requested user, in request order, each e-mail as it was sent. */
  results: InvitationResultBody[];
}
