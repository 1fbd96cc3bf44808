import { refuseMarketoEngageIdentities } from './marketo-engage';
import type { SimResponse } from '../core/router';
import { badRequest } from './errors';
import type { SandboxData, StoredRecord } from './records';
import { CONNECTION_SPECS, flowSpecItems } from './spec-catalog';

const FREQUENCIES = ['once', 'minute', 'hour', 'day', 'week'];

function deltaColumnOf(flow: StoredRecord): string | undefined {
  const transformations =
    (flow.transformations as Array<{ name: string; params?: { deltaColumn?: { name?: string } } }>) ?? [];
  return transformations.find((transformation) => transformation.name === 'Copy')?.params?.deltaColumn?.name;
}

/** The rules Adobe enforces when a dataflow is created or patched; a 400 in Adobe's format when one fails. */
export function validateFlow(
  flow: StoredRecord,
  sandbox: SandboxData,
  mode: 'create' | 'update',
): SimResponse | undefined {
  const flowSpecId = (flow.flowSpec as { id?: string } | undefined)?.id;
  const flowSpec = flowSpecItems.find((spec) => spec.id === flowSpecId);
  if (!flowSpec) return badRequest(`Unknown flow spec ${flowSpecId}`);

  const sources = ((flow.sourceConnectionIds as string[]) ?? []).map((id) => ({
    id,
    record: sandbox.sourceConnections[id],
  }));
  const targets = ((flow.targetConnectionIds as string[]) ?? []).map((id) => ({
    id,
    record: sandbox.targetConnections[id],
  }));
  const missing = [...sources, ...targets].find((entry) => !entry.record);
  if (missing) return badRequest(`Connection ${missing.id} does not exist in this sandbox`);

  const specOf = (record: StoredRecord | undefined) => (record?.connectionSpec as { id: string }).id;
  const wrongSource = sources.find(
    (entry) => !flowSpec.sourceConnectionSpecIds.includes(specOf(entry.record)),
  );
  if (wrongSource)
    return badRequest(`Source connection ${wrongSource.id} cannot be used with flow spec ${flowSpec.name}`);
  const wrongTarget = targets.find(
    (entry) => !flowSpec.targetConnectionSpecIds.includes(specOf(entry.record)),
  );
  if (wrongTarget)
    return badRequest(`Target connection ${wrongTarget.id} cannot be used with flow spec ${flowSpec.name}`);

  if (mode === 'create' && targets.some((entry) => specOf(entry.record) === CONNECTION_SPECS.marketoV1.id)) {
    return badRequest(
      'The Marketo V1 destination was removed from the catalog; create the dataflow on a current Marketo destination',
    );
  }

  const engageRefusal = refuseMarketoEngageIdentities(flow, sandbox);
  if (engageRefusal) return engageRefusal;
  const schedule = flow.scheduleParams as { frequency?: string; interval?: string | number } | undefined;
  if (schedule) {
    if (!schedule.frequency || !FREQUENCIES.includes(schedule.frequency)) {
      return badRequest(`scheduleParams.frequency must be one of ${FREQUENCIES.join(', ')}`);
    }
    const interval = Number(schedule.interval ?? 1);
    if (schedule.frequency === 'minute' && interval < 15)
      return badRequest('scheduleParams.interval must be at least 15 for frequency minute');
    if (schedule.frequency !== 'once' && (!Number.isInteger(interval) || interval < 1)) {
      return badRequest('scheduleParams.interval must be a positive integer');
    }
  }

  const readsSfmcV2 = sources.some((entry) => specOf(entry.record) === CONNECTION_SPECS.sfmcV2.id);
  if (readsSfmcV2) {
    if (!deltaColumnOf(flow)) {
      return badRequest(
        'A delta date/time column is mandatory for the (V2) Salesforce Marketing Cloud source: set transformations[Copy].params.deltaColumn.name',
      );
    }
    if (schedule?.frequency === 'minute')
      return badRequest('The (V2) Salesforce Marketing Cloud source cannot be scheduled per minute');
  }
  return undefined;
}
