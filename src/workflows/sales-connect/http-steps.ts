import { workflowInfo } from '@temporalio/workflow';
import type { MarketoMigrationActivities } from '../../activities/marketo-migration';
import type { SalesConnectActivities } from '../../activities/sales-connect';
import { invitationRequestId } from '../../domain/sales-connect/invitations';
import { READ, SALES_CONNECT_WRITE } from '../activity-options';
import { patientActivities } from '../shared/outage';
import type { SalesConnectProvisioningInput } from './messages';
import type { SalesConnectSteps } from './steps';

const credentials = patientActivities<Pick<MarketoMigrationActivities, 'verifyMarketoCredentials'>>({
  ...READ,
  summary: 'Prove the Marketo credentials before Sales Connect sees them',
});

const reads = patientActivities<
  Pick<
    SalesConnectActivities,
    'readSalesConnectSalesforce' | 'readSalesConnectMarketo' | 'readSalesConnectTeam'
  >
>({
  ...READ,
  summary: 'Read Sales Connect: its Salesforce org, Marketo connection, or the run’s users',
});

const connect = patientActivities<Pick<SalesConnectActivities, 'connectSalesConnectToMarketo'>>({
  ...SALES_CONNECT_WRITE,
  summary: 'Connect Sales Connect to Marketo (the same Munchkin ID again changes nothing)',
});

const invitations = patientActivities<Pick<SalesConnectActivities, 'inviteSalesConnectUsers'>>({
  ...SALES_CONNECT_WRITE,
  summary: 'Invite a batch of users with their workspaces, under a request id this run owns',
});

/** The steps through the HTTP gateway: every write idempotent on the bridge's side. */
export function httpSteps(input: SalesConnectProvisioningInput): SalesConnectSteps {
  const instance = { instanceId: input.instanceId };
  return {
    verifyMarketoCredentials: credentials.verifyMarketoCredentials,

    async salesforce() {
      const status = await reads.readSalesConnectSalesforce(instance);
      return status.connected
        ? { instanceUrl: status.instanceUrl, isProduction: status.isProduction }
        : undefined;
    },

    async marketoConnection() {
      const status = await reads.readSalesConnectMarketo(instance);
      return status.connected
        ? { munchkinId: status.munchkinId, connectedAt: status.connectedAt }
        : undefined;
    },

    team: () =>
      reads.readSalesConnectTeam({
        ...instance,
        emails: input.users.map((user) => user.email),
        otherInstanceIds: input.otherInstanceIds ?? [],
      }),

    async connectMarketo() {
      await connect.connectSalesConnectToMarketo(instance);
      // Measured by Temporal's clock, just after the connection was made: never shorter than asked.
      return Date.now();
    },

    stillConnectedToMarketo: async () => (await reads.readSalesConnectMarketo(instance)).connected,

    async invite(batch) {
      const answer = await invitations.inviteSalesConnectUsers({
        ...instance,
        requestId: invitationRequestId(workflowInfo().workflowId, batch),
        users: batch,
      });
      return answer.results.map((result) => ({
        email: result.email,
        status: result.outcome,
        ...(result.workspace ? { workspace: result.workspace } : {}),
        ...(result.outcome === 'rejected' ? { reason: result.reason } : {}),
      }));
    },
  };
}
