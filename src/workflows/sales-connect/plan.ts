import {
  checkEmailsOnOneInstance,
  planInvitations,
  type SalesConnectTeamFacts,
  type UserPlan,
} from '../../domain/sales-connect/invitations';
import {
  checkSalesforcePreflight,
  describeFinding,
  type PreflightFinding,
} from '../../domain/sales-connect/preflight';
import { describeFailure } from '../shared/failures';
import { manualInstructions } from './instructions';
import type { SalesConnectProvisioningInput } from './messages';

export type SalesConnectTeam = SalesConnectTeamFacts;

/** What the plan reads of Sales Connect; each gateway answers it its own way. */
export interface ProvisioningReads {
  verifyMarketoCredentials(): Promise<unknown>;
  /** The Salesforce org Sales Connect uses, or undefined while none is connected. */
  salesforce(): Promise<{ instanceUrl: string; isProduction: boolean } | undefined>;
  /** The Marketo connection Sales Connect already has, if any. */
  marketoConnection(): Promise<{ munchkinId: string; connectedAt: string } | undefined>;
  /**
   * What Sales Connect knows of the run's users on this instance and the
   * accounts they hold on the other instances named in the config, or
   * undefined where it cannot be read (a person invites).
   */
  team(): Promise<SalesConnectTeam | undefined>;
}

export interface ProvisioningPlan {
  findings: PreflightFinding[];
  users: UserPlan[];
  blockers: string[];
  marketoConnected?: { munchkinId: string; connectedAt: string };
}

/**
 * The one plan of a Sales Connect provisioning, made by the workflow before
 * it changes anything and by `cutover sales-connect plan`: Marketo
 * credentials proven, Salesforce connected and within Adobe's rules, no other
 * Marketo subscription connected, and what to do with each user.
 */
export async function planProvisioning(
  reads: ProvisioningReads,
  input: SalesConnectProvisioningInput,
  explain: (error: unknown) => string = describeFailure,
): Promise<ProvisioningPlan> {
  const blockers: string[] = [];
  await reads.verifyMarketoCredentials().catch((error: unknown) => {
    blockers.push(`Marketo credentials: ${explain(error)}`);
  });
  const salesforce = await reads.salesforce();
  if (!salesforce)
    return {
      findings: [],
      users: [],
      blockers: [
        ...blockers,
        `Sales Connect instance ${input.instanceId} is not connected to Salesforce. ${manualInstructions.salesforce(input.salesforce.marketo.instance)} Then run again.`,
      ],
    };
  const findings = checkSalesforcePreflight({ ...input.salesforce, salesConnect: salesforce });
  blockers.push(...findings.filter((finding) => finding.severity === 'violation').map(describeFinding));
  const marketo = await reads.marketoConnection();
  if (marketo && marketo.munchkinId.toUpperCase() !== input.munchkinId)
    blockers.push(
      `Sales Connect instance ${input.instanceId} is connected to Marketo ${marketo.munchkinId}, not ${input.munchkinId}; disconnect it in Settings > Admin Settings > Marketo first, or check marketo.munchkinId.`,
    );
  const users = planInvitations(input.users, await reads.team());
  findings.push(...checkEmailsOnOneInstance(input.instanceId, users));
  return {
    findings,
    users,
    blockers,
    ...(marketo ? { marketoConnected: marketo } : {}),
  };
}
