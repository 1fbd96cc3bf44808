import { ApplicationFailure, type Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import type { CutoverConfig } from '../config/schema';
import { ADOBE_PROVISIONING_DELAY_MS } from '../domain/defaults';
import { minimumProvisioningDelayMs } from '../domain/sales-connect/wait';
import type {
  AccountElsewhere,
  KnownMember,
  SalesConnectTeamFacts,
} from '../domain/sales-connect/invitations';
import { RemoteApiError } from '../integrations/http/errors';
import { MarketoCredentialError } from '../integrations/marketo';
import {
  allTeamMembers,
  type InvitationReport,
  type InvitationTarget,
  type MarketoConnection,
  type MarketoConnectionStatus,
  type SalesConnectGateway,
  type SalesforceConnectionStatus,
} from '../integrations/sales-connect';
import { heartbeat } from './heartbeat';
import type { RemoteClients } from './remote-clients';
import { withRemoteFailures } from './remote-failure';

/** What a too-early answer waits before the invitation is tried again with the same request id. */
const TOO_EARLY_RETRY_MS = 30_000;

/**
 * The Sales Connect steps of provisioning, over the HTTP gateway. Writes are
 * idempotent on the bridge's side (same Munchkin ID, same request id), so a
 * retry after a lost answer changes nothing twice.
 */
export function createSalesConnectActivities({
  clients,
  salesConnect,
}: {
  clients: RemoteClients;
  /** This worker's own Sales Connect settings: the gateway it really talks to decides the minimum wait. */
  salesConnect?: CutoverConfig['salesConnect'];
}) {
  async function gateway(): Promise<SalesConnectGateway> {
    const found = await clients.salesConnect();
    if (!found)
      throw ApplicationFailure.nonRetryable(
        'salesConnect.gateway is not an HTTP gateway; with the manual adapter these steps are confirmed by a person',
        'SalesConnectGatewayMissing',
      );
    return found;
  }

  return withRemoteFailures({
    /**
     * The shortest wait between connecting Marketo and inviting users this
     * worker allows, from its own config: Adobe's ten minutes (or its longer
     * configured delay), shorter only when its gateway is the local simulator.
     */
    async salesConnectWaitPolicy(): Promise<{ minimumDelayMs: number }> {
      const gateway = salesConnect?.gateway;
      const configured = salesConnect
        ? msToNumber(salesConnect.provisioningDelay as Duration)
        : ADOBE_PROVISIONING_DELAY_MS;
      return {
        minimumDelayMs: minimumProvisioningDelayMs(configured, gateway?.type === 'http' && gateway.simulated),
      };
    },

    async readSalesConnectSalesforce(input: { instanceId: string }): Promise<SalesforceConnectionStatus> {
      return (await gateway()).getSalesforceConnection(input.instanceId);
    },

    async readSalesConnectMarketo(input: { instanceId: string }): Promise<MarketoConnectionStatus> {
      return (await gateway()).getMarketoConnection(input.instanceId);
    },

    /** Connects with the configured Marketo credentials (resolved and normalised here, never passed in). */
    async connectSalesConnectToMarketo(input: { instanceId: string }): Promise<MarketoConnection> {
      let credentials;
      try {
        credentials = await clients.marketoCredentials();
      } catch (error) {
        if (error instanceof MarketoCredentialError)
          throw ApplicationFailure.nonRetryable(
            `marketo.${error.field}: ${error.message}`,
            'MarketoCredentialsInvalid',
          );
        throw error;
      }
      if (!credentials)
        throw ApplicationFailure.nonRetryable(
          'The config has no marketo section',
          'MarketoCredentialsMissing',
        );
      try {
        return await (await gateway()).connectMarketo(input.instanceId, credentials);
      } catch (error) {
        if (error instanceof RemoteApiError && error.remoteCode === 'marketo-already-connected')
          throw ApplicationFailure.nonRetryable(
            `${error.message}. Sales Connect is connected to another Marketo subscription; disconnect it in Sales Connect Settings > Admin Settings > Marketo first, or check marketo.munchkinId`,
            'MarketoAlreadyConnected',
          );
        throw error;
      }
    },

    /**
     * The team members among the run's users (the whole roster is paged
     * through but never returned: only what the plan needs leaves the
     * activity and reaches history), the workspaces, and the accounts those
     * users already hold on the org's other instances (read the same way).
     */
    async readSalesConnectTeam(input: {
      instanceId: string;
      emails: string[];
      otherInstanceIds?: string[];
    }): Promise<SalesConnectTeamFacts> {
      const sc = await gateway();
      const wanted = new Set(input.emails.map((email) => email.trim().toLowerCase()));
      const members: KnownMember[] = [];
      let seen = 0;
      for await (const member of allTeamMembers(sc, input.instanceId, 200)) {
        seen += 1;
        if (wanted.has(member.email.trim().toLowerCase()))
          members.push({ email: member.email, status: member.status, workspace: member.workspace });
        heartbeat({ seen });
      }
      const { workspaces, defaultWorkspace } = await sc.listWorkspaces(input.instanceId);
      const elsewhere: AccountElsewhere[] = [];
      for (const instanceId of input.otherInstanceIds ?? []) {
        try {
          for await (const member of allTeamMembers(sc, instanceId, 200)) {
            seen += 1;
            if (member.status !== 'not-connected' && wanted.has(member.email.trim().toLowerCase()))
              elsewhere.push({ email: member.email, instanceId });
            heartbeat({ seen });
          }
        } catch (error) {
          if (error instanceof RemoteApiError && error.kind === 'not-found')
            throw ApplicationFailure.nonRetryable(
              `salesConnect.otherInstanceIds: the Sales Connect bridge knows no instance "${instanceId}"; correct the id (as the bridge names it) or remove it`,
              'SalesConnectInstanceUnknown',
            );
          throw error;
        }
      }
      return { members, workspaces, defaultWorkspace, elsewhere };
    },

    /**
     * One batch of invitations under a request id derived from the workflow,
     * so a retried batch is answered from the bridge's memory, not sent twice.
     */
    async inviteSalesConnectUsers(input: {
      instanceId: string;
      requestId: string;
      users: InvitationTarget[];
    }): Promise<InvitationReport> {
      const report = await (
        await gateway()
      ).inviteUsers(input.instanceId, {
        requestId: input.requestId,
        users: input.users,
      });
      const reasons = new Set(
        report.results.map((result) => ('reason' in result ? result.reason : undefined)),
      );
      // Too early concerns the whole instance and is not remembered under the request id: the same id is tried again.
      if (reasons.has('too-early')) {
        throw ApplicationFailure.create({
          message:
            'Sales Connect says the Marketo connection is younger than the wait Adobe asks for; retrying',
          type: 'TooEarly',
          nextRetryDelay: TOO_EARLY_RETRY_MS,
        });
      }
      if (reasons.size === 1 && reasons.has('marketo-not-connected')) {
        throw ApplicationFailure.nonRetryable(
          'Sales Connect reports no Marketo connection; connect it before inviting users',
          'MarketoNotConnected',
        );
      }
      return report;
    },
  });
}
export type SalesConnectActivities = ReturnType<typeof createSalesConnectActivities>;
