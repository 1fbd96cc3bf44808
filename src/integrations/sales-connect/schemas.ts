import { z } from 'zod';

/**
 * The Sales Connect bridge contract, v1 (docs/sales-connect-contract.md).
 * Response objects are not strict: a v1 server may add fields and clients
 * ignore them. Request objects are strict so a server can point at typos.
 */

export const CONTRACT_VERSION = 'v1';
export const MAX_USERS_PER_INVITATION = 100;
export const MAX_TEAM_PAGE_SIZE = 200;
export const DEFAULT_TEAM_PAGE_SIZE = 50;

const isoTimestamp = z.iso.datetime({ offset: true });

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});
export type ErrorBody = z.output<typeof errorBodySchema>;

export const salesforceConnectionSchema = z.discriminatedUnion('connected', [
  z.object({ connected: z.literal(false) }),
  z.object({
    connected: z.literal(true),
    instanceUrl: z.string().min(1),
    orgId: z.string().min(1).nullable(),
    isProduction: z.boolean(),
  }),
]);
export type SalesforceConnectionBody = z.output<typeof salesforceConnectionSchema>;

export const marketoConnectedSchema = z.object({
  connected: z.literal(true),
  munchkinId: z.string().min(1),
  connectedAt: isoTimestamp,
});

export const marketoConnectionSchema = z.discriminatedUnion('connected', [
  z.object({ connected: z.literal(false) }),
  marketoConnectedSchema,
]);
export type MarketoConnectionBody = z.output<typeof marketoConnectionSchema>;

export const connectMarketoRequestSchema = z
  .object({
    munchkinId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
  })
  .strict();
export type ConnectMarketoRequestBody = z.output<typeof connectMarketoRequestSchema>;

export const teamMemberStatusSchema = z.enum(['connected', 'invited', 'not-connected']);

export const teamMemberSchema = z.object({
  email: z.string().min(1),
  name: z.string(),
  status: teamMemberStatusSchema,
  workspace: z.string().min(1).nullable(),
});
export type TeamMemberBody = z.output<typeof teamMemberSchema>;

export const teamMemberPageSchema = z.object({
  members: z.array(teamMemberSchema),
  nextCursor: z.string().min(1).nullable(),
});
export type TeamMemberPageBody = z.output<typeof teamMemberPageSchema>;

export const workspaceListSchema = z.object({
  workspaces: z.array(z.object({ name: z.string().min(1) })),
  defaultWorkspace: z.string().min(1),
});
export type WorkspaceListBody = z.output<typeof workspaceListSchema>;

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
    (request) => new Set(request.users.map((user) => user.email.toLowerCase())).size === request.users.length,
    {
      error: 'each e-mail may appear once per request',
      path: ['users'],
    },
  );
export type InvitationRequestBody = z.output<typeof invitationRequestSchema>;

export const invitationRejectionReasonSchema = z.enum([
  'workspace-change-requires-disconnect',
  'email-used-on-other-instance',
  'unknown-workspace',
  'unknown-user',
  'marketo-not-connected',
  'too-early',
]);

export const invitationResultSchema = z.discriminatedUnion('outcome', [
  z.object({
    email: z.string().min(1),
    outcome: z.enum(['invited', 'already-connected']),
    workspace: z.string().min(1),
  }),
  z.object({
    email: z.string().min(1),
    outcome: z.literal('rejected'),
    reason: invitationRejectionReasonSchema,
    workspace: z.string().min(1).nullable(),
  }),
]);
export type InvitationResultBody = z.output<typeof invitationResultSchema>;

export const invitationReportSchema = z.object({
  requestId: z.string().min(1),
  results: z.array(invitationResultSchema),
});
export type InvitationReportBody = z.output<typeof invitationReportSchema>;
