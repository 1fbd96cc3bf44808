import type { SeedOptions } from '../core/module';
import { DEMO_SALES_CONNECT } from '../seeds/demo-catalog';
import type { InvitationResultBody, TeamMemberStatus } from './contract';

export interface SimSalesforceConnection {
  instanceUrl: string;
  orgId: string | null;
  isProduction: boolean;
}

export interface SimMarketoConnection {
  munchkinId: string;
  clientId: string;
  /** Simulated epoch ms. The client secret is deliberately not kept: the state is written to a file. */
  connectedAt: number;
}

export interface SimTeamMember {
  email: string;
  name: string;
  status: TeamMemberStatus;
  workspace: string | null;
}

/** One invitation e-mail Sales Connect sent, so a test can count them. */
export interface SimSentInvitation {
  email: string;
  workspace: string;
  requestId: string;
  at: number;
}

export interface SimInvitationRequestRecord {
  /** The normalised users of the first request, to spot a key reused for other users. */
  fingerprint: string;
  results: InvitationResultBody[];
  at: number;
}

export interface SimSalesConnectInstance {
  id: string;
  salesforce: SimSalesforceConnection | null;
  marketo: SimMarketoConnection | null;
  workspaces: string[];
  defaultWorkspace: string;
  members: SimTeamMember[];
  invitationRequests: Record<string, SimInvitationRequestRecord>;
  sentInvitations: SimSentInvitation[];
  /** Adobe asks for ten minutes between connecting Marketo and inviting users; demos may shorten it. */
  minimumProvisioningDelaySeconds: number;
  /** When set, requests must carry it as `x-api-key`. */
  apiKey: string | null;
}

export interface SalesConnectSimulatorState {
  instances: Record<string, SimSalesConnectInstance>;
}

export const DEFAULT_PROVISIONING_DELAY_SECONDS = 600;

/** The sandbox instance's own facts; the catalog only fixes its id and the e-mails it holds. */
const DEMO_SANDBOX_SALESFORCE = 'https://cutover-demo--uat.sandbox.my.salesforce.com';
const DEMO_SANDBOX_MUNCHKIN_ID = '654-XYZ-321';
const DEMO_SANDBOX_CONNECTED_AT = Date.parse('2025-01-15T09:00:00.000Z');
const LARGE_EXTRA_MEMBERS = 240;

function newInstance(id: string, salesforce: SimSalesforceConnection): SimSalesConnectInstance {
  const [defaultWorkspace = 'Default'] = DEMO_SALES_CONNECT.workspaces;
  return {
    id,
    salesforce,
    marketo: null,
    workspaces: [...DEMO_SALES_CONNECT.workspaces],
    defaultWorkspace,
    members: [],
    invitationRequests: {},
    sentInvitations: [],
    minimumProvisioningDelaySeconds: DEFAULT_PROVISIONING_DELAY_SECONDS,
    apiKey: null,
  };
}

function nameFromEmail(email: string): string {
  const local = email.split('@')[0] ?? email;
  return local
    .split(/[._-]/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ');
}

export function seedSalesConnect(state: SalesConnectSimulatorState, options: SeedOptions): void {
  if (options.profile === 'empty') return;

  const production = newInstance(DEMO_SALES_CONNECT.instanceId, {
    instanceUrl: DEMO_SALES_CONNECT.salesforceInstance,
    orgId: null,
    isProduction: true,
  });
  production.members = DEMO_SALES_CONNECT.team.map((member) => ({
    email: member.email,
    name: member.name,
    status: member.status,
    workspace: member.workspace ?? null,
  }));
  if (options.profile === 'large') {
    for (let index = 1; index <= LARGE_EXTRA_MEMBERS; index += 1) {
      const number = String(index).padStart(4, '0');
      production.members.push({
        email: `seller-${number}@demo.example`,
        name: `Seller ${number}`,
        status: 'not-connected',
        workspace: null,
      });
    }
  }

  const sandbox = newInstance(DEMO_SALES_CONNECT.otherInstanceId, {
    instanceUrl: DEMO_SANDBOX_SALESFORCE,
    orgId: null,
    isProduction: false,
  });
  sandbox.marketo = {
    munchkinId: DEMO_SANDBOX_MUNCHKIN_ID,
    clientId: 'cutover-demo-marketo-sandbox',
    connectedAt: DEMO_SANDBOX_CONNECTED_AT,
  };
  sandbox.members = DEMO_SALES_CONNECT.emailsUsedOnOtherInstance.map((email) => ({
    email,
    name: DEMO_SALES_CONNECT.team.find((member) => member.email === email)?.name ?? nameFromEmail(email),
    status: 'connected',
    workspace: sandbox.defaultWorkspace,
  }));

  state.instances[production.id] = production;
  state.instances[sandbox.id] = sandbox;
}
