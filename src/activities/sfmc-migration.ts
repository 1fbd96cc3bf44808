import { ApplicationFailure } from '@temporalio/common';
import { mapBounded } from '../domain/bounded';
import { heartbeat } from './heartbeat';
import { cutoverTag, sfmcV2Names, v2Name } from '../domain/naming';
import { sfmcTenantOf } from '../domain/sfmc/base-endpoint';
import { dataExtensionFinder } from '../domain/sfmc/plan';
import type {
  DiscoveredDataExtension,
  DiscoveredSandbox,
  DiscoveredV1Flow,
  PlannedV2Flow,
} from '../domain/sfmc/types';
import { where } from '../integrations/flow-service/property-filter';
import type { Connection, Flow, SourceConnection } from '../integrations/flow-service/schemas';
import { missingDataExtensionsReadError } from '../integrations/sfmc';
import {
  collect,
  deleteByNames,
  findOrCreate,
  findOrCreateByName,
  oldestFirst,
  runOutcome,
  type EnsuredObject,
  type NamedObject,
} from './flow-service-lookup';
import type { RemoteClients } from './remote-clients';
import { withRemoteFailures } from './remote-failure';

export interface SfmcMigrationDependencies {
  clients: RemoteClients;
}

export interface V2FlowInput {
  sandbox: string;
  v1: DiscoveredV1Flow;
  v2: PlannedV2Flow;
  sourceConnectionId: string;
  targetConnectionId: string;
  mappingSetId: string;
}

const V1_TAG = /cutover:sfmc:([\w-]+)/;

interface InheritedSource {
  id?: string;
  connectionSpec?: { id?: string };
  baseConnection?: { id?: string };
}

/**
 * A source dataflow whose source connection is gone (deleted in the UI):
 * discovery, which goes from V1 base connections to their source connections
 * to the flows reading them, never reaches it. It is listed anyway, so no V1
 * is silently left to die on retirement day.
 */
function sourceIsGone(flow: Flow): boolean {
  const sources = (flow.inheritedAttributes?.sourceConnections ?? []) as InheritedSource[];
  return sources.length === 0 || sources.every((source) => source.connectionSpec?.id === undefined);
}

function inheritedBaseOf(flow: Flow): Pick<Connection, 'id' | 'name'> {
  const sources = (flow.inheritedAttributes?.sourceConnections ?? []) as InheritedSource[];
  const id = sources[0]?.baseConnection?.id ?? '';
  return { id, name: id ? `${id} (not found)` : '(gone)' };
}

/** Reads discovery keeps in flight per sandbox: enough to overlap latency, few enough for a rate limit. */
const DISCOVERY_READS_AT_ONCE = 6;

/**
 * The steps of the SFMC V1 -> V2 migration. Every create first looks for the
 * object this migration would have made (a deterministic name per V1 item),
 * so a retry after a lost response creates nothing twice.
 */
export function createSfmcMigrationActivities({ clients }: SfmcMigrationDependencies) {
  /** One V1 dataflow with everything a plan needs: its target, mapping, delta column and last runs. */
  async function describeV1Flow(
    sandbox: string,
    base: Pick<Connection, 'id' | 'name' | 'auth'>,
    sources: SourceConnection[],
    explored: Array<{ path?: string; isCustomObject?: boolean }>,
    flow: Flow,
  ): Promise<DiscoveredV1Flow> {
    const flowService = clients.flowService(sandbox);
    const dataPrep = clients.dataPrep(sandbox);
    const source = sources.find((candidate) => flow.sourceConnectionIds.includes(candidate.id));
    const path = String(source?.params?.path ?? source?.params?.tableName ?? '');
    const targetId = flow.targetConnectionIds[0]!;
    const target = await flowService.targetConnections.get(targetId);
    const schema = (target?.data?.schema ?? {}) as { id?: string; version?: string };
    const mappingId = flow.transformations.find((transformation) => transformation.name === 'Mapping')?.params
      .mappingId;
    const mappingSet = typeof mappingId === 'string' ? await dataPrep.getMappingSet(mappingId) : undefined;
    const missingMappingSetId = mappingSet ? undefined : typeof mappingId === 'string' ? mappingId : '';
    const delta = flow.transformations.find((transformation) => transformation.name === 'Copy')?.params
      .deltaColumn as { name?: string } | undefined;
    const runs = (await collect(flowService.listRuns(flow.id))).sort(
      (a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0),
    );
    const lastRun = runs[0];
    const last = lastRun ? runOutcome(lastRun) : undefined;
    // The record count V2 is checked against: V1's latest run may have failed or still be running.
    const lastSuccess = runs.map((run) => runOutcome(run)).find((outcome) => outcome.state === 'success');
    return {
      sandbox,
      flowId: flow.id,
      name: flow.name,
      state: flow.state,
      etag: flow.etag,
      schedule: {
        frequency: flow.scheduleParams?.frequency,
        interval:
          flow.scheduleParams?.interval === undefined ? undefined : String(flow.scheduleParams.interval),
        startTime:
          flow.scheduleParams?.startTime === undefined ? undefined : Number(flow.scheduleParams.startTime),
      },
      baseConnection: {
        id: base.id,
        name: base.name,
        ...tenantOf(base.auth?.params),
      },
      sourceConnection: source
        ? { id: source.id, path }
        : { id: flow.sourceConnectionIds[0] ?? '', path: '', missing: true },
      isCustomObject:
        Boolean(explored.find((table) => table.path === path)?.isCustomObject) || path.endsWith('__c'),
      target: {
        connectionId: targetId,
        dataSetId: target?.params?.dataSetId as string | undefined,
        schemaId: schema.id,
        schemaVersion: schema.version,
      },
      ...(mappingSet
        ? {
            mappingSet: {
              id: mappingSet.id,
              mappings: mappingSet.mappings.map(({ sourceType, source, destination }) => ({
                sourceType,
                source,
                destination,
              })),
            },
          }
        : {}),
      ...(missingMappingSetId !== undefined ? { missingMappingSetId } : {}),
      ...(delta?.name ? { deltaColumn: delta.name } : {}),
      ...(lastRun && last ? { lastRun: { id: lastRun.id, status: last.state } } : {}),
      ...(lastSuccess?.state === 'success'
        ? {
            lastSuccessfulRun: {
              id: lastSuccess.runId,
              inputRecordCount: lastSuccess.inputRecordCount,
            },
          }
        : {}),
    };
  }

  return withRemoteFailures({
    /** Proves the V2 credentials work and carry "Data Extensions: Read"; errors say what to fix. */
    async verifySfmcV2Access(): Promise<{ scopes: string[] }> {
      const sfmc = await clients.sfmc();
      if (!sfmc) {
        throw ApplicationFailure.nonRetryable(
          'The config has no usable sfmc section (clientId, clientSecret and a valid baseEndpoint are needed for the V2 source)',
          'SfmcCredentialsMissing',
        );
      }
      const access = await sfmc.verifyAccess();
      const missingScope = missingDataExtensionsReadError(access);
      if (missingScope) throw missingScope;
      return { scopes: access.scopes };
    },

    /** V1 SFMC dataflows of a sandbox with what a plan needs, plus the data extensions V2 can read. */
    async discoverSfmcSandbox(input: {
      sandbox: string;
      /** V1 object path -> data extension name or key (`sfmc.dataExtensionFor`). */
      dataExtensionFor?: Record<string, string>;
    }): Promise<{ discovered: DiscoveredSandbox; extensions: DiscoveredDataExtension[] }> {
      const flowService = clients.flowService(input.sandbox);
      const v1SpecId = await clients.specs.id(flowService, 'sfmcV1');
      const bases = await collect(flowService.connections.list([where('connectionSpec.id', '==', v1SpecId)]));
      const flows: DiscoveredV1Flow[] = [];
      for (const base of bases) {
        heartbeat({ baseConnection: base.id });
        const explored = (await flowService
          .explore(base.id, { objectType: 'root' })
          .catch(() => [])) as Array<{ path?: string; isCustomObject?: boolean }>;
        const sources = await collect(
          flowService.sourceConnections.list([where('baseConnectionId', '==', base.id)]),
        );
        if (sources.length === 0) continue;
        const readers = await collect(
          flowService.flows.list([
            where(
              'sourceConnectionIds[]',
              '==',
              sources.map((source) => source.id),
            ),
          ]),
        );
        flows.push(
          ...(await mapBounded(readers, DISCOVERY_READS_AT_ONCE, async (flow) => {
            heartbeat({ flows: flows.length });
            return describeV1Flow(input.sandbox, base, sources, explored, flow);
          })),
        );
      }

      const crmToAep = await clients.specs.id(flowService, 'crmToAep');
      const existingV2FlowsByV1FlowId: Record<string, string> = {};
      const sourceFlows = await collect(flowService.flows.list([where('flowSpec.id', '==', crmToAep)]));
      for (const flow of sourceFlows) {
        const v1FlowId = V1_TAG.exec(flow.description ?? '')?.[1];
        if (v1FlowId) existingV2FlowsByV1FlowId[v1FlowId] = flow.id;
      }
      const found = new Set(flows.map((flow) => flow.flowId));
      const strays = sourceFlows.filter(
        (flow) => !found.has(flow.id) && !V1_TAG.test(flow.description ?? '') && sourceIsGone(flow),
      );
      flows.push(
        ...(await mapBounded(strays, DISCOVERY_READS_AT_ONCE, async (flow) =>
          describeV1Flow(input.sandbox, inheritedBaseOf(flow), [], [], flow),
        )),
      );

      const sfmc = await clients.sfmc();
      // A tenant's data extensions are shared by every sandbox: only those a dataflow here migrates
      // to are read in full, so a sandbox's discovery stays small however many the tenant has.
      const summaries = sfmc ? await collect(sfmc.listDataExtensions()) : [];
      const findExtension = dataExtensionFinder(summaries, input);
      const wanted = new Set(flows.map(findExtension));
      const extensions: DiscoveredDataExtension[] = await mapBounded(
        summaries.filter((summary) => wanted.has(summary)),
        DISCOVERY_READS_AT_ONCE,
        async (summary) => {
          const fields = await sfmc!.getDataExtensionFields(summary.id);
          heartbeat({ extensions: summaries.length });
          return {
            id: summary.id,
            key: summary.key,
            name: summary.name,
            fields: fields.map(({ name, type, isPrimaryKey }) => ({ name, type, isPrimaryKey })),
          };
        },
      );
      return { discovered: { sandbox: input.sandbox, flows, existingV2FlowsByV1FlowId }, extensions };
    },

    /** One V2 base connection per V1 base connection, with the V2 credentials resolved here. */
    async ensureV2BaseConnection(input: {
      sandbox: string;
      v1BaseConnection: { id: string; name: string };
    }): Promise<EnsuredObject & { name: string }> {
      const flowService = clients.flowService(input.sandbox);
      const name = v2Name(input.v1BaseConnection.name, input.v1BaseConnection.id);
      const ensured = await findOrCreateByName(
        flowService,
        'connections',
        name,
        async () => {
          const credentials = await clients.sfmcCredentials();
          if (!credentials)
            throw ApplicationFailure.nonRetryable(
              'SFMC V2 credentials are missing from the config',
              'SfmcCredentialsMissing',
            );
          return flowService.connections.create({
            name,
            description: `Replaces V1 connection ${input.v1BaseConnection.id} [${cutoverTag('sfmc-base', input.v1BaseConnection.id)}]`,
            auth: {
              specName: 'OAuth2 Client Credential',
              params: {
                baseEndpoint: credentials.prefix,
                clientId: credentials.clientId,
                clientSecret: credentials.clientSecret,
              },
            },
            connectionSpec: {
              id: await clients.specs.id(flowService, 'sfmcV2'),
              version: '1.0',
            },
          });
        },
        clients.consistency,
      );
      return { ...ensured, name };
    },

    async ensureV2SourceConnection(input: {
      sandbox: string;
      v1: DiscoveredV1Flow;
      v2: PlannedV2Flow;
      baseConnectionId: string;
    }): Promise<EnsuredObject> {
      const flowService = clients.flowService(input.sandbox);
      const name = sfmcV2Names(input.v1).sourceConnection;
      return findOrCreateByName(
        flowService,
        'sourceConnections',
        name,
        async () => {
          return flowService.sourceConnections.create({
            name,
            description: `Data extension ${input.v2.dataExtension.name} [${cutoverTag('sfmc', input.v1.flowId)}]`,
            baseConnectionId: input.baseConnectionId,
            connectionSpec: {
              id: await clients.specs.id(flowService, 'sfmcV2'),
              version: '1.0',
            },
            data: { format: 'tabular' },
            params: { path: input.v2.dataExtension.key },
          });
        },
        clients.consistency,
      );
    },

    /** A new target connection to the same dataset and schema: Adobe advises a new pair per dataflow. */
    async ensureV2TargetConnection(input: { sandbox: string; v1: DiscoveredV1Flow }): Promise<EnsuredObject> {
      const flowService = clients.flowService(input.sandbox);
      const name = sfmcV2Names(input.v1).targetConnection;
      return findOrCreateByName(
        flowService,
        'targetConnections',
        name,
        async () => {
          return flowService.targetConnections.create({
            name,
            description: `[${cutoverTag('sfmc', input.v1.flowId)}]`,
            connectionSpec: {
              id: await clients.specs.id(flowService, 'dataLake'),
              version: '1.0',
            },
            data: {
              format: 'parquet_xdm',
              schema: {
                id: input.v1.target.schemaId,
                version: input.v1.target.schemaVersion ?? 'application/vnd.adobe.xed-full+json;version=1',
              },
            },
            params: { dataSetId: input.v1.target.dataSetId },
          });
        },
        clients.consistency,
      );
    },

    async ensureV2MappingSet(input: {
      sandbox: string;
      v1: DiscoveredV1Flow;
      v2: PlannedV2Flow;
    }): Promise<EnsuredObject> {
      const dataPrep = clients.dataPrep(input.sandbox);
      const name = sfmcV2Names(input.v1).mappingSet;
      return findOrCreate(
        async () => oldestFirst((await dataPrep.findMappingSetsByName(name)).map(mappingSetStored)),
        () =>
          dataPrep.createMappingSet({
            name,
            description: `V2 mapping for ${input.v1.name}`,
            outputSchema: {
              schemaRef: {
                id: input.v1.target.schemaId ?? '',
                contentType: input.v1.target.schemaVersion ?? 'application/vnd.adobe.xed-full+json;version=1',
              },
            },
            mappings: input.v2.mappings,
          }),
        clients.consistency,
      );
    },

    async ensureV2Flow(input: V2FlowInput): Promise<EnsuredObject> {
      const flowService = clients.flowService(input.sandbox);
      const name = sfmcV2Names(input.v1).flow;
      return findOrCreateByName(
        flowService,
        'flows',
        name,
        async () => {
          return flowService.flows.create({
            name,
            description: `Replaces V1 dataflow ${input.v1.flowId} [${cutoverTag('sfmc', input.v1.flowId)}]`,
            flowSpec: { id: await clients.specs.id(flowService, 'crmToAep'), version: '1.0' },
            sourceConnectionIds: [input.sourceConnectionId],
            targetConnectionIds: [input.targetConnectionId],
            transformations: [
              {
                name: 'Copy',
                params: {
                  deltaColumn: { name: input.v2.deltaColumn, dateFormat: 'YYYY-MM-DD', timezone: 'UTC' },
                },
              },
              { name: 'Mapping', params: { mappingId: input.mappingSetId, mappingVersion: 0 } },
            ],
            scheduleParams: {
              startTime: Math.floor(Date.now() / 1000),
              frequency: input.v2.schedule.frequency,
              ...(input.v2.schedule.frequency === 'once' ? {} : { interval: input.v2.schedule.interval }),
            },
          });
        },
        clients.consistency,
      );
    },

    /**
     * Removes every V2 object made for one V1 dataflow: the ones the saga
     * knows, then any other with their deterministic names (a create whose
     * answer was lost), waiting for lists to catch up with an unanswered
     * create first. The flow goes first: connections in use cannot be deleted.
     */
    async removeSfmcV2Objects(input: SfmcV2ObjectsInput): Promise<string[]> {
      return removeOrReconcile(input, false);
    },

    /**
     * After a create was retried: once lists show everything, deletes every
     * twin (same deterministic name) of the objects the saga uses, so one V1
     * dataflow never has two V2 dataflows writing into its dataset.
     */
    async reconcileSfmcV2Objects(input: SfmcV2ObjectsInput): Promise<string[]> {
      return removeOrReconcile(input, true);
    },
  });

  async function removeOrReconcile(input: SfmcV2ObjectsInput, keep: boolean): Promise<string[]> {
    const names = sfmcV2Names(input.v1);
    const known = input.known ?? {};
    const objects: NamedObject[] = [
      { collection: 'flows', name: names.flow, id: known.flowId },
      { collection: 'targetConnections', name: names.targetConnection, id: known.targetConnectionId },
      { collection: 'sourceConnections', name: names.sourceConnection, id: known.sourceConnectionId },
    ];
    const removed = await deleteByNames(clients.flowService(input.sandbox), objects, clients.consistency, {
      keep,
      ...(input.uncertainSince !== undefined ? { uncertainSince: input.uncertainSince } : {}),
    });
    // Nothing refers to a mapping set once its dataflow is gone.
    const dataPrep = clients.dataPrep(input.sandbox);
    for (const set of await dataPrep.findMappingSetsByName(names.mappingSet)) {
      if (keep && set.id === known.mappingSetId) continue;
      if ((await dataPrep.deleteMappingSet(set.id)) === 'deleted') removed.push(set.id);
    }
    if (!keep && known.mappingSetId && !removed.includes(known.mappingSetId))
      if ((await dataPrep.deleteMappingSet(known.mappingSetId)) === 'deleted')
        removed.push(known.mappingSetId);
    return removed;
  }
}

/** The V2 objects of one V1 dataflow, for a removal or a reconcile. */
export interface SfmcV2ObjectsInput {
  sandbox: string;
  v1: { name: string; flowId: string };
  /** What the saga knows it made (kept by a reconcile, deleted first by a removal). */
  known?: {
    flowId?: string;
    sourceConnectionId?: string;
    targetConnectionId?: string;
    mappingSetId?: string;
  };
  /** When a create may have gone unanswered (epoch ms): lookups by name wait for lists to show it. */
  uncertainSince?: number;
}

/** The tenant (subdomain) a V1 SFMC base connection reads, from its `host` or `subdomain` parameter. */
function tenantOf(params: Record<string, unknown> | undefined): { tenant?: string } {
  const tenant = sfmcTenantOf(String(params?.subdomain ?? params?.host ?? ''));
  return tenant ? { tenant } : {};
}

function mappingSetStored(set: { id: string; createdDate?: number | string }) {
  const createdAt = typeof set.createdDate === 'string' ? Date.parse(set.createdDate) : set.createdDate;
  return { id: set.id, ...(createdAt !== undefined && !Number.isNaN(createdAt) ? { createdAt } : {}) };
}

export type SfmcMigrationActivities = ReturnType<typeof createSfmcMigrationActivities>;
