import type { Client } from '@temporalio/client';
import { createMarketoMigrationActivities } from '../activities/marketo-migration';
import { createSalesConnectActivities } from '../activities/sales-connect';
import type { CutoverConfig } from '../config/schema';
import { ADOBE_PROVISIONING_DELAY, SALES_CONNECT_BATCH_SIZE } from '../domain/defaults';
import type { SalesConnectProvisioningInput } from '../workflows/sales-connect/messages';
import {
  planProvisioning,
  type ProvisioningPlan,
  type ProvisioningReads,
} from '../workflows/sales-connect/plan';
import { salesConnectProvisioningWorkflow } from '../workflows/sales-connect/provisioning';
import { planningClients } from './clients';
import { outageTolerancesOf } from './scope';
import type { ExplainBlocker } from './migration';
import { startOptionsFor, type RunRequest, type StartSettings } from './start';

/** One provisioning per Sales Connect instance: a second start attaches to the running one. */
export function salesConnectWorkflowId(instanceId: string): string {
  return `sales-connect/${instanceId}`;
}

function missingSections(config: CutoverConfig): string[] {
  return [
    ...(config.salesConnect ? [] : ['salesConnect: the section is missing; add instanceId and gateway']),
    ...(config.marketo
      ? []
      : [
          'marketo: the section is missing; Sales Connect is connected with its Munchkin ID, Client ID and Client Secret',
        ]),
    ...(config.salesforce
      ? []
      : [
          'salesforce: the section is missing; the preflight needs the Salesforce instance Marketo uses (salesforce.instance)',
        ]),
  ];
}

/** Only what the config says: a fact it leaves out is reported as unknown by the preflight. */
function subscriptionFacts(
  salesforce: CutoverConfig['salesforce'],
): Pick<SalesConnectProvisioningInput['salesforce'], 'subscription'> {
  const subscription = {
    ...(salesforce?.apiEnabled !== undefined ? { apiEnabled: salesforce.apiEnabled } : {}),
    ...(salesforce?.apexClassesEnabled !== undefined
      ? { apexClassesEnabled: salesforce.apexClassesEnabled }
      : {}),
  };
  return Object.keys(subscription).length ? { subscription } : {};
}

function salesConnectRunFromConfig(config: CutoverConfig): RunRequest<SalesConnectProvisioningInput> {
  const salesConnect = config.salesConnect;
  const salesforce = config.salesforce;
  const measure = salesforce?.marketoMeasure;
  return {
    workflowId: salesConnectWorkflowId(salesConnect?.instanceId ?? 'unknown'),
    problems: missingSections(config),
    input: {
      orgId: config.adobe.orgId,
      ...outageTolerancesOf(config),
      instanceId: salesConnect?.instanceId ?? '',
      gateway: salesConnect?.gateway.type ?? 'manual',
      provisioningDelay: salesConnect?.provisioningDelay ?? ADOBE_PROVISIONING_DELAY,
      batchSize: salesConnect?.batchSize ?? SALES_CONNECT_BATCH_SIZE,
      users: salesConnect?.users ?? [],
      ...(salesConnect?.otherInstanceIds.length ? { otherInstanceIds: salesConnect.otherInstanceIds } : {}),
      munchkinId: config.marketo?.munchkinId.trim().toUpperCase() ?? '',
      salesforce: {
        marketo: { instance: config.salesforce?.marketoInstance ?? config.salesforce?.instance ?? '' },
        ...subscriptionFacts(salesforce),
        ...(measure
          ? {
              measure: {
                instance: measure.instance,
                isProduction: measure.isProduction,
                ...(measure.dailyApiLimit !== undefined ? { dailyApiLimit: measure.dailyApiLimit } : {}),
                ...(measure.sandboxMirrorsProduction !== undefined
                  ? { sandboxMirrorsProduction: measure.sandboxMirrorsProduction }
                  : {}),
              },
            }
          : {}),
      },
    },
  };
}

/**
 * What the plan reads from this machine. Through the HTTP gateway: Sales
 * Connect itself. With the manual gateway nothing can be read, so the plan
 * assumes Sales Connect will use salesforce.instance and invites every user.
 */
export function readsFromHere(
  config: CutoverConfig,
  input: SalesConnectProvisioningInput,
  clients = planningClients(config),
): ProvisioningReads {
  const { verifyMarketoCredentials } = createMarketoMigrationActivities({ clients });
  if (input.gateway === 'manual')
    return {
      verifyMarketoCredentials,
      salesforce: async () => ({
        instanceUrl: config.salesforce!.instance,
        isProduction: config.salesforce!.isProduction,
      }),
      marketoConnection: async () => undefined,
      team: async () => undefined,
    };
  const salesConnect = createSalesConnectActivities({ clients });
  const instance = { instanceId: input.instanceId };
  return {
    verifyMarketoCredentials,
    async salesforce() {
      const status = await salesConnect.readSalesConnectSalesforce(instance);
      return status.connected ? status : undefined;
    },
    async marketoConnection() {
      const status = await salesConnect.readSalesConnectMarketo(instance);
      return status.connected ? status : undefined;
    },
    team: () =>
      salesConnect.readSalesConnectTeam({
        ...instance,
        emails: input.users.map((user) => user.email),
        otherInstanceIds: input.otherInstanceIds ?? [],
      }),
  };
}

/** Everything about a Sales Connect provisioning run: what the CLI, the demo and the tests read. */
export const salesConnectRun = {
  kind: 'sales-connect-provisioning',
  title: 'Sales Connect provisioning',
  workflow: salesConnectProvisioningWorkflow,
  fromConfig: salesConnectRunFromConfig,

  /** The dry run: the workflow's own plan over the same reads, from this machine, changing nothing. */
  plan(
    config: CutoverConfig,
    input: SalesConnectProvisioningInput,
    explain: ExplainBlocker,
  ): Promise<ProvisioningPlan> {
    return planProvisioning(readsFromHere(config, input), input, explain);
  },

  startOptions(request: RunRequest<SalesConnectProvisioningInput>, settings: StartSettings) {
    const { input } = request;
    return startOptionsFor<typeof salesConnectProvisioningWorkflow>(
      request,
      {
        kind: salesConnectRun.kind,
        orgId: input.orgId,
        summary: `Sales Connect provisioning of ${input.users.length} user(s) on ${input.instanceId}`,
        details: [
          `**Instance:** ${input.instanceId} (${input.gateway} gateway)`,
          `**Marketo:** ${input.munchkinId}; **Salesforce:** ${input.salesforce.marketo.instance}`,
          'Use the `progress` query for per-user results; manual steps are confirmed with the `confirm` update.',
        ],
      },
      settings,
    );
  },

  start(client: Client, request: RunRequest<SalesConnectProvisioningInput>, settings: StartSettings) {
    return client.workflow.start(
      salesConnectProvisioningWorkflow,
      salesConnectRun.startOptions(request, settings),
    );
  },
};
