import type { CutoverConfig } from '../../config/schema';
import type { SalesConnectProvisioningInput } from '../../workflows/sales-connect/messages';
import type { RunRequest } from '../run-scope';

export type SalesConnectRun = RunRequest<SalesConnectProvisioningInput>;

/** One provisioning per Sales Connect instance: a second start attaches to the running one. */
export function salesConnectWorkflowId(instanceId: string): string {
  return `sales-connect/${instanceId}`;
}

export function salesConnectRunFromConfig(config: CutoverConfig): SalesConnectRun {
  const problems: string[] = [];
  const salesConnect = config.salesConnect;
  if (!salesConnect) problems.push('salesConnect: the section is missing; add instanceId and gateway');
  if (!config.marketo)
    problems.push(
      'marketo: the section is missing; Sales Connect is connected with its Munchkin ID, Client ID and Client Secret',
    );
  if (!config.salesforce)
    problems.push(
      'salesforce: the section is missing; the preflight needs the Salesforce instance Marketo uses (salesforce.instance)',
    );
  const gateway = salesConnect?.gateway;
  const measure = config.salesforce?.marketoMeasure;
  return {
    workflowId: salesConnectWorkflowId(salesConnect?.instanceId ?? 'unknown'),
    problems,
    input: {
      orgId: config.adobe.orgId,
      instanceId: salesConnect?.instanceId ?? '',
      gateway: gateway?.type ?? 'manual',
      provisioningDelay: salesConnect?.provisioningDelay ?? '10 minutes',
      batchSize: salesConnect?.batchSize ?? 25,
      users: salesConnect?.users ?? [],
      munchkinId: config.marketo?.munchkinId.trim().toUpperCase() ?? '',
      salesforce: {
        marketo: { instance: config.salesforce?.marketoInstance ?? config.salesforce?.instance ?? '' },
        ...(measure
          ? {
              measure: {
                instance: measure.instance,
                isProduction: measure.isProduction,
                ...(measure.dailyApiLimit !== undefined ? { dailyApiLimit: measure.dailyApiLimit } : {}),
              },
            }
          : {}),
      },
    },
  };
}
