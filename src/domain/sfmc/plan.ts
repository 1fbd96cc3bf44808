import { baseConnectionsToMigrate } from '../v1-base-connections';
import type {
  DiscoveredDataExtension,
  DiscoveredSandbox,
  DiscoveredV1Flow,
  PlanItem,
  PlannedMapping,
  PlannedV2Flow,
  SfmcMigrationPlan,
  SfmcPlanOptions,
} from './types';

const DATE_TYPES = new Set(['date', 'datetime', 'date/time']);

const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** "Subscriber" matches "Subscribers": V1 objects are singular, data extensions usually plural. */
function matchesObject(objectPath: string, extensionName: string): boolean {
  return (
    sameName(objectPath, extensionName) ||
    sameName(`${objectPath}s`, extensionName) ||
    sameName(objectPath, `${extensionName}s`)
  );
}

/** Finds, for a V1 dataflow, the data extension it migrates to (see `dataExtensionFinder`). */
export type DataExtensionFinder<E> = (flow: Pick<DiscoveredV1Flow, 'sourceConnection'>) => E | undefined;

/**
 * The data extension a V1 dataflow migrates to: the configured one (by name
 * or key), else the first named like its object. Indexed once, because a
 * tenant may hold thousands of data extensions and a sandbox hundreds of
 * dataflows.
 */
export function dataExtensionFinder<E extends { name: string; key: string }>(
  extensions: readonly E[],
  options: Pick<SfmcPlanOptions, 'dataExtensionFor'>,
): DataExtensionFinder<E> {
  const byName = new Map<string, E[]>();
  for (const extension of extensions) {
    const folded = extension.name.toLowerCase();
    byName.set(folded, [...(byName.get(folded) ?? []), extension]);
  }
  const order = new Map(extensions.map((extension, index) => [extension, index]));
  const first = (candidates: E[]) => candidates.sort((a, b) => order.get(a)! - order.get(b)!)[0];
  const named = (...names: string[]) => names.flatMap((name) => byName.get(name.toLowerCase()) ?? []);
  return (flow) => {
    const path = flow.sourceConnection.path;
    const configured = options.dataExtensionFor?.[path];
    if (configured)
      return first([
        ...named(configured).filter((extension) => sameName(extension.name, configured)),
        ...extensions.filter((extension) => extension.key === configured),
      ]);
    const singular = path.toLowerCase().endsWith('s') ? [path.slice(0, -1)] : [];
    return first(
      named(path, `${path}s`, ...singular).filter((extension) => matchesObject(path, extension.name)),
    );
  };
}

/** The configured delta column, else V1's when the data extension has it as a date, else its only date field. */
export function detectDeltaColumn(
  extension: DiscoveredDataExtension,
  v1DeltaColumn: string | undefined,
  options: SfmcPlanOptions,
): string | undefined {
  const configured = options.deltaColumnFor?.[extension.name];
  if (configured)
    return extension.fields.some((field) => sameName(field.name, configured)) ? configured : undefined;
  const dates = extension.fields.filter((field) => DATE_TYPES.has(field.type.toLowerCase()));
  const sameAsV1 = v1DeltaColumn ? dates.find((field) => sameName(field.name, v1DeltaColumn)) : undefined;
  if (sameAsV1) return sameAsV1.name;
  const modified = dates.find((field) => /modif|updat/i.test(field.name));
  return (modified ?? dates[0])?.name;
}

/**
 * V1 mapped the object's columns; V2 reads data extension fields. A source
 * column maps to the field of the same name, the V1 delta column to the V2
 * one, and `Id` to the primary key; anything else is reported, not guessed.
 */
export function translateMappings(
  flow: DiscoveredV1Flow,
  extension: DiscoveredDataExtension,
  deltaColumn: string,
): { mappings: PlannedMapping[]; warnings: string[] } {
  const warnings: string[] = [];
  const primaryKey = extension.fields.find((field) => field.isPrimaryKey)?.name;
  const mappings = (flow.mappingSet?.mappings ?? []).flatMap((mapping): PlannedMapping[] => {
    if (mapping.sourceType !== 'ATTRIBUTE')
      return [{ ...mapping, sourceType: mapping.sourceType as PlannedMapping['sourceType'] }];
    const field =
      extension.fields.find((candidate) => sameName(candidate.name, mapping.source))?.name ??
      (flow.deltaColumn && sameName(mapping.source, flow.deltaColumn) ? deltaColumn : undefined) ??
      (sameName(mapping.source, 'Id') ? primaryKey : undefined);
    if (!field) {
      warnings.push(
        `V1 column "${mapping.source}" (mapped to ${mapping.destination}) has no field in data extension "${extension.name}"; dropped`,
      );
      return [];
    }
    return [{ sourceType: 'ATTRIBUTE', source: field, destination: mapping.destination }];
  });
  if (flow.mappingSet && mappings.length === 0)
    warnings.push('no V1 mapping could be translated; review the V2 mapping');
  return { mappings, warnings };
}

/** V2 schedules once, hourly, daily or weekly; a per-minute V1 schedule becomes hourly. */
export function translateSchedule(schedule: DiscoveredV1Flow['schedule']): {
  schedule: PlannedV2Flow['schedule'];
  warning?: string;
} {
  const interval = Math.max(1, Number(schedule.interval ?? 1) || 1);
  switch (schedule.frequency) {
    case 'once':
    case 'hour':
    case 'day':
    case 'week':
      return { schedule: { frequency: schedule.frequency, interval } };
    case 'minute':
      return {
        schedule: { frequency: 'hour', interval: 1 },
        warning: `V1 ran every ${interval} minutes; V2 has no per-minute schedule, so it runs hourly`,
      };
    default:
      return {
        schedule: { frequency: 'day', interval: 1 },
        warning: 'V1 had no recognisable schedule; V2 runs daily',
      };
  }
}

function planFlow(
  flow: DiscoveredV1Flow,
  sandbox: DiscoveredSandbox,
  findExtension: DataExtensionFinder<DiscoveredDataExtension>,
  options: SfmcPlanOptions,
): PlanItem {
  const existing = sandbox.existingV2FlowsByV1FlowId[flow.flowId];
  if (existing) {
    return {
      action: 'skip',
      v1: flow,
      reason: 'already-migrated',
      detail: `V2 dataflow ${existing} already replaces it`,
      existingV2FlowId: existing,
    };
  }
  if (flow.sourceConnection.missing) {
    return {
      action: 'skip',
      v1: flow,
      reason: 'v1-source-missing',
      detail: `its source connection ${flow.sourceConnection.id || '(none)'} is gone, so nothing says what it read (an SFMC V1 object, or another source's); if it was SFMC, set the dataflow up again on the V2 source in the Experience Platform UI; then delete this one`,
    };
  }
  if (flow.missingMappingSetId !== undefined) {
    return {
      action: 'skip',
      v1: flow,
      reason: 'v1-mapping-missing',
      detail: `its mapping set ${flow.missingMappingSetId || '(none named)'} is gone, so V2 would have no mapping to the dataset; map the V1 dataflow again in the Experience Platform UI, or delete it`,
    };
  }
  if (!flow.target.dataSetId || !flow.target.schemaId) {
    return {
      action: 'skip',
      v1: flow,
      reason: 'v1-target-missing',
      detail: `its target connection ${flow.target.connectionId} (dataset and schema) is gone or names no ${flow.target.dataSetId ? 'schema' : 'dataset'}, so V2 would have nowhere to write; recreate the dataset and target connection in Experience Platform, or delete this V1 dataflow`,
    };
  }
  if (flow.isCustomObject) {
    return {
      action: 'skip',
      v1: flow,
      reason: 'custom-object',
      detail: `"${flow.sourceConnection.path}" is a custom object, which the SFMC source does not ingest`,
    };
  }
  if (!options.v2BaseEndpoint) {
    return {
      action: 'skip',
      v1: flow,
      reason: 'v2-credentials-missing',
      detail: 'no usable sfmc.clientId, sfmc.clientSecret and sfmc.baseEndpoint in the config',
    };
  }
  const extension = findExtension(flow);
  if (!extension) {
    return {
      action: 'skip',
      v1: flow,
      reason: 'no-matching-data-extension',
      detail: `no data extension matches V1 object "${flow.sourceConnection.path}"; name one in sfmc.dataExtensionFor`,
    };
  }
  const deltaColumn = detectDeltaColumn(extension, flow.deltaColumn, options);
  if (!deltaColumn) {
    return {
      action: 'skip',
      v1: flow,
      reason: 'no-date-time-column',
      detail: `data extension "${extension.name}" has no date/time field, and V2 requires one as delta column; add one or set sfmc.deltaColumnFor`,
    };
  }
  const { mappings, warnings } = translateMappings(flow, extension, deltaColumn);
  const { schedule, warning } = translateSchedule(flow.schedule);
  return {
    action: 'migrate',
    v1: flow,
    v2: {
      dataExtension: { key: extension.key, name: extension.name },
      deltaColumn,
      mappings,
      schedule,
      target: flow.target,
    },
    warnings: warning ? [...warnings, warning] : warnings,
  };
}

/**
 * A V1 base connection reading another SFMC tenant than the V2 credentials: V2 would
 * fill the same datasets from a different Marketing Cloud account. Only V1
 * base connections that name their tenant can be compared.
 */
function tenantBlockers(items: PlanItem[], prefix: string): string[] {
  return baseConnectionsToMigrate(items)
    .filter((connection) => connection.tenant !== undefined && connection.tenant !== prefix)
    .map(
      (connection) =>
        `V1 base connection "${connection.name}" (${connection.id}) reads SFMC tenant "${connection.tenant}", but sfmc.baseEndpoint is tenant "${prefix}": V2 would ingest another Marketing Cloud account into the same datasets. Point sfmc.baseEndpoint, clientId and clientSecret at an installed package of tenant "${connection.tenant}", or migrate this sandbox with a config for that tenant.`,
    );
}

/** Pure: the V2 replacement for every V1 dataflow of a sandbox, or why there is none. */
export function planSfmcMigration(
  sandbox: DiscoveredSandbox,
  extensions: DiscoveredDataExtension[],
  options: SfmcPlanOptions,
): SfmcMigrationPlan {
  const findExtension = dataExtensionFinder(extensions, options);
  const items = sandbox.flows.map((flow) => planFlow(flow, sandbox, findExtension, options));
  const blockers = options.v2BaseEndpoint
    ? tenantBlockers(items, options.v2BaseEndpoint)
    : ['SFMC V2 credentials are missing or unusable (sfmc section of the config)'];
  return { sandbox: sandbox.sandbox, items, blockers };
}
