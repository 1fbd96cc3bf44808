import type { InvitationTarget } from '../../integrations/sales-connect/gateway';

/** Where a person clicks for each Sales Connect step (Adobe's set-up guide); shown in the UI and the CLI. */
export const manualInstructions = {
  salesforce: (instance: string) =>
    `In Sales Connect, open Settings > Admin Settings > Salesforce and connect the Salesforce org ${instance} (the one Marketo is, or will be, synced with).`,
  marketo: (munchkinId: string) =>
    `In Marketo, open Admin > Sales Connect and copy the Munchkin ID (${munchkinId}), Client ID and Client Secret. In Sales Connect, open Settings > Admin Settings > Marketo, paste them without added spaces, and click Connect.`,
  invite: (users: InvitationTarget[]) =>
    [
      "In Sales Connect, open Settings > Admin Settings > Marketo and its Team Access tab, select these users, choose each one's workspace (it cannot be changed later without disconnecting the user), and click Connect:",
      ...users.map((user) => `- ${user.email}: ${user.workspace ?? 'default workspace'}`),
      'Report users the Team Access tab shows as already connected with --already-connected EMAIL, and users Sales Connect refuses with --rejected EMAIL=REASON (e.g. the e-mail is used on another instance).',
    ].join('\n'),
};
