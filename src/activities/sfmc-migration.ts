import { ApplicationFailure } from '@temporalio/common';
import { heartbeat } from './heartbeat';
import { cutoverTag, sfmcV2Names, v2Name } from '../domain/naming';
import type {
  DiscoveredDataExtension,
  DiscoveredSandbox,
  DiscoveredV1Flow,
  PlannedV2Flow,
} from '../domain/sfmc/types';
import { CONNECTION_SPECS, FLOW_SPECS } from '../integrations/flow-service/catalog';
import { where } from '../integrations/flow-service/property-filter';
import { missingDataExtensionsReadError } from '../integrations/sfmc';
import {
  collect,
  deleteByNames,
  findOrCreate,
  runOutcome,
  specId,
  type EnsuredObject,
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

/**
 * The steps of the SFMC V1 -> V2 migration. Every create first looks for the
 * object this migration would have made (a deterministic name per V1 item),
 * so a retry after a lost response creates nothing twice.
 */
export function createSfmcMigrationActivities({ clients }: SfmcMigrationDependencies) {
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
    }): Promise<{ discovered: DiscoveredSandbox; extensions: DiscoveredDataExtension[] }> {
      const flowService = clients.flowService(input.sandbox);
      const dataPrep = clients.dataPrep(input.sandbox);
      const v1SpecId = await specId(flowService, CONNECTION_SPECS.sfmcV1, 'connection');
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
        for (const flow of readers) {
          heartbeat({ flow: flow.id });
          const source = sources.find((candidate) => flow.sourceConnectionIds.includes(candidate.id))!;
          const path = String(source.params?.path ?? source.params?.tableName ?? '');
          const targetId = flow.targetConnectionIds[0]!;
          const target = await flowService.targetConnections.get(targetId);
          const schema = (target?.data?.schema ?? {}) as { id?: string; version?: string };
          const mappingId = flow.transformations.find((transformation) => transformation.name === 'Mapping')
            ?.params.mappingId;
          const mappingSet =
            typeof mappingId === 'string' ? await dataPrep.getMappingSet(mappingId) : undefined;
          const delta = flow.transformations.find((transformation) => transformation.name === 'Copy')?.params
            .deltaColumn as { name?: string } | undefined;
          const [lastRun] = (await collect(flowService.listRuns(flow.id))).sort(
            (a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0),
          );
          const last = lastRun ? runOutcome(lastRun) : undefined;
          flows.push({
            sandbox: input.sandbox,
            flowId: flow.id,
            name: flow.name,
            state: flow.state,
            etag: flow.etag,
            schedule: {
              frequency: flow.scheduleParams?.frequency,
              interval:
                flow.scheduleParams?.interval === undefined
                  ? undefined
                  : String(flow.scheduleParams.interval),
              startTime:
                flow.scheduleParams?.startTime === undefined
                  ? undefined
                  : Number(flow.scheduleParams.startTime),
            },
            baseConnection: { id: base.id, name: base.name },
            sourceConnection: { id: source.id, path },
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
            ...(delta?.name ? { deltaColumn: delta.name } : {}),
            ...(lastRun && last
              ? {
                  lastRun: {
                    id: lastRun.id,
                    status: last.state,
                    ...(last.state === 'success' ? { inputRecordCount: last.inputRecordCount } : {}),
                  },
                }
              : {}),
          });
        }
      }

      const crmToAep = await specId(flowService, FLOW_SPECS.crmToAep, 'flow');
      const existingV2FlowsByV1FlowId: Record<string, string> = {};
      for (const flow of await collect(flowService.flows.list([where('flowSpec.id', '==', crmToAep)]))) {
        const v1FlowId = V1_TAG.exec(flow.description ?? '')?.[1];
        if (v1FlowId) existingV2FlowsByV1FlowId[v1FlowId] = flow.id;
      }

      const sfmc = await clients.sfmc();
      const extensions: DiscoveredDataExtension[] = [];
      for await (const summary of sfmc?.listDataExtensions() ?? []) {
        const fields = await sfmc!.getDataExtensionFields(summary.id);
        extensions.push({
          id: summary.id,
          key: summary.key,
          name: summary.name,
          fields: fields.map(({ name, type, isPrimaryKey }) => ({ name, type, isPrimaryKey })),
        });
        heartbeat(extensions.length);
      }
      return { discovered: { sandbox: input.sandbox, flows, existingV2FlowsByV1FlowId }, extensions };
    },

    /** One V2 account connection per V1 base connection, with the V2 credentials resolved here. */
    async ensureV2BaseConnection(input: {
      sandbox: string;
      v1BaseConnection: { id: string; name: string };
    }): Promise<EnsuredObject> {
      const flowService = clients.flowService(input.sandbox);
      const name = v2Name(input.v1BaseConnection.name, input.v1BaseConnection.id);
      return findOrCreate(flowService, 'connections', name, async () => {
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
            id: await specId(flowService, CONNECTION_SPECS.sfmcV2, 'connection'),
            version: '1.0',
          },
        });
      });
    },

    async ensureV2SourceConnection(input: {
      sandbox: string;
      v1: DiscoveredV1Flow;
      v2: PlannedV2Flow;
      baseConnectionId: string;
    }): Promise<EnsuredObject> {
      const flowService = clients.flowService(input.sandbox);
      const name = sfmcV2Names(input.v1).sourceConnection;
      return findOrCreate(flowService, 'sourceConnections', name, async () => {
        return flowService.sourceConnections.create({
          name,
          description: `Data extension ${input.v2.dataExtension.name} [${cutoverTag('sfmc', input.v1.flowId)}]`,
          baseConnectionId: input.baseConnectionId,
          connectionSpec: {
            id: await specId(flowService, CONNECTION_SPECS.sfmcV2, 'connection'),
            version: '1.0',
          },
          data: { format: 'tabular' },
          params: { path: input.v2.dataExtension.key },
        });
      });
    },

    /** A new target connection to the same dataset and schema: Adobe advises a new pair per dataflow. */
    async ensureV2TargetConnection(input: { sandbox: string; v1: DiscoveredV1Flow }): Promise<EnsuredObject> {
      const flowService = clients.flowService(input.sandbox);
      const name = sfmcV2Names(input.v1).targetConnection;
      return findOrCreate(flowService, 'targetConnections', name, async () => {
        return flowService.targetConnections.create({
          name,
          description: `[${cutoverTag('sfmc', input.v1.flowId)}]`,
          connectionSpec: {
            id: await specId(flowService, CONNECTION_SPECS.dataLake, 'connection'),
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
      });
    },

    async ensureV2MappingSet(input: {
      sandbox: string;
      v1: DiscoveredV1Flow;
      v2: PlannedV2Flow;
    }): Promise<EnsuredObject> {
      const dataPrep = clients.dataPrep(input.sandbox);
      const name = sfmcV2Names(input.v1).mappingSet;
      const existing = await dataPrep.findMappingSetByName(name);
      if (existing) return { id: existing.id, created: false };
      const created = await dataPrep.createMappingSet({
        name,
        description: `V2 mapping for ${input.v1.name}`,
        outputSchema: {
          schemaRef: {
            id: input.v1.target.schemaId ?? '',
            contentType: input.v1.target.schemaVersion ?? 'application/vnd.adobe.xed-full+json;version=1',
          },
        },
        mappings: input.v2.mappings,
      });
      return { id: created.id, created: true };
    },

    async ensureV2Flow(input: V2FlowInput): Promise<EnsuredObject> {
      const flowService = clients.flowService(input.sandbox);
      const name = sfmcV2Names(input.v1).flow;
      return findOrCreate(flowService, 'flows', name, async () => {
        return flowService.flows.create({
          name,
          description: `Replaces V1 dataflow ${input.v1.flowId} [${cutoverTag('sfmc', input.v1.flowId)}]`,
          flowSpec: { id: await specId(flowService, FLOW_SPECS.crmToAep, 'flow'), version: '1.0' },
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
      });
    },

    /**
     * Removes the V2 dataflow and connections made for one V1 dataflow, found
     * by their deterministic names, so objects whose create response was lost
     * are removed too. The flow goes first: connections in use cannot be deleted.
     */
    async removeSfmcV2Objects(input: {
      sandbox: string;
      v1: { name: string; flowId: string };
    }): Promise<string[]> {
      const names = sfmcV2Names(input.v1);
      return deleteByNames(
        clients.flowService(input.sandbox),
        [
          ['flows', names.flow],
          ['targetConnections', names.targetConnection],
          ['sourceConnections', names.sourceConnection],
        ],
        heartbeat,
      );
    },
  });
}

export type SfmcMigrationActivities = ReturnType<typeof createSfmcMigrationActivities>;
