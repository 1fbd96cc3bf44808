import type { Client } from '@temporalio/client';
import type { RemoteClients } from '../../activities/remote-clients';
import type { IngestionScheduleConfig } from '../../config/schema';
import type { MigrationProgress } from '../../workflows/migration/messages';
import type { IngestionFlow } from '../../workflows/ingestion/messages';
import { UsageError } from '../args';

const SFMC_V2_TAG = /\[cutover:sfmc:[\w-]+\]/;

/**
 * The V2 dataflows a configured schedule ingests, resolved when the schedule
 * is written so each run's list is fixed and visible in the Temporal UI:
 * explicit ids (checked to exist), every V2 dataflow cutover made in a
 * sandbox, or the V2 dataflows of a finished migration run.
 */
export async function resolveIngestionFlows(
  entry: IngestionScheduleConfig,
  deps: { clients: RemoteClients; client: Client },
): Promise<IngestionFlow[]> {
  const where = `ingestion.schedules[${entry.name}].flows`;
  if ('migration' in entry.flows) {
    const handle = deps.client.workflow.getHandle(entry.flows.migration);
    const description = await handle.describe().catch(() => undefined);
    if (!description) throw new UsageError(`${where}.migration: no workflow ${entry.flows.migration}`);
    if (description.status.name !== 'COMPLETED')
      throw new UsageError(
        `${where}.migration: ${entry.flows.migration} is ${description.status.name}; schedules take the V2 dataflows of a completed migration`,
      );
    const result = (await handle.result()) as MigrationProgress;
    return result.items
      .filter((item) => item.status === 'v1-removed' && item.v2FlowId)
      .map((item) => ({ sandbox: item.sandbox, flowId: item.v2FlowId!, name: item.name }))
      .sort((a, b) => `${a.sandbox}/${a.flowId}`.localeCompare(`${b.sandbox}/${b.flowId}`));
  }
  const { sandbox, flowIds } = entry.flows;
  const flowService = deps.clients.flowService(sandbox);
  if (flowIds) {
    const flows: IngestionFlow[] = [];
    for (const flowId of flowIds) {
      const flow = await flowService.flows.get(flowId);
      if (!flow) throw new UsageError(`${where}.flowIds: sandbox ${sandbox} has no dataflow ${flowId}`);
      flows.push({ sandbox, flowId, name: flow.name });
    }
    return flows;
  }
  const flows: IngestionFlow[] = [];
  for await (const flow of flowService.flows.list()) {
    if (SFMC_V2_TAG.test(flow.description ?? '')) flows.push({ sandbox, flowId: flow.id, name: flow.name });
  }
  if (!flows.length)
    throw new UsageError(
      `${where}.sandbox: ${sandbox} has no V2 dataflow made by cutover yet; migrate first`,
    );
  return flows.sort((a, b) => a.flowId.localeCompare(b.flowId));
}
