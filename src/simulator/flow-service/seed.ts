import { seededSandboxes } from '../adobe-platform/orgs';
import type { SeedOptions } from '../core/module';
import { DEMO_MARKETO, DEMO_SFMC, DEMO_SFMC_V1_OBJECTS } from '../seeds/demo-catalog';
import {
  DEMO_MARKETO_V1_FLOWS,
  largeMarketoFlows,
  profileSelectors,
  type DemoMarketoFlow,
} from '../seeds/marketo-v1-destinations';
import { seededId } from '../seeds/seeded-id';
import {
  emptySandbox,
  newEtag,
  type FlowServiceState,
  type RunPlan,
  type SandboxData,
  type StoredRecord,
} from './records';
import { createRunRecord } from './runs';
import { CONNECTION_SPECS, FLOW_SPECS } from './spec-catalog';

const HOUR = 3_600_000;

/** One V1 SFMC dataflow a seed creates; Data Prep seeds the mapping set it references. */
export interface SeededSfmcFlow {
  orgId: string;
  sandbox: string;
  object: (typeof DEMO_SFMC_V1_OBJECTS)[number];
  index: number;
  mappingSetId: string;
}

/** At scale, nine in ten V1 flows read a migratable object; the tenth cycles through the ones that are not. */
function largeSeedObject(index: number): (typeof DEMO_SFMC_V1_OBJECTS)[number] {
  const migratable = DEMO_SFMC_V1_OBJECTS.filter((object) => object.dataExtension && object.deltaColumn);
  const unmigratable = DEMO_SFMC_V1_OBJECTS.filter((object) => !object.dataExtension || !object.deltaColumn);
  return index % 10 === 9
    ? unmigratable[Math.floor(index / 10) % unmigratable.length]!
    : migratable[index % migratable.length]!;
}

export function plannedSfmcV1Flows(options: SeedOptions): SeededSfmcFlow[] {
  return seededSandboxes(options).flatMap(({ orgId, sandbox }) => {
    const count =
      options.profile === 'large'
        ? (options.flowsPerSandbox ?? 100)
        : sandbox === 'prod'
          ? DEMO_SFMC_V1_OBJECTS.length
          : 2;
    return Array.from({ length: count }, (_, index) => {
      const object = options.profile === 'large' ? largeSeedObject(index) : DEMO_SFMC_V1_OBJECTS[index]!;
      return {
        orgId,
        sandbox,
        object,
        index,
        mappingSetId: seededId(`${orgId}/${sandbox}/mapping/${index}`),
      };
    });
  });
}

function record(
  key: string,
  at: number,
  fields: Record<string, unknown>,
  owner: { orgId: string; sandbox: SandboxData; name: string },
): StoredRecord {
  const id = seededId(key);
  return {
    id,
    etag: newEtag(seededId(`${key}/etag`)),
    createdAt: at,
    updatedAt: at,
    version: '1.0',
    imsOrgId: owner.orgId,
    sandboxId: owner.sandbox.sandboxId,
    sandboxName: owner.name,
    createdBy: 'seed@AdobeID',
    updatedBy: 'seed@AdobeID',
    createdClient: 'seed',
    updatedClient: 'seed',
    state: 'enabled',
    ...fields,
  };
}

function seedSfmcFlows(data: SandboxData, flows: SeededSfmcFlow[], now: number, runDurationMs: number): void {
  const first = flows[0];
  if (!first) return;
  const owner = { orgId: first.orgId, sandbox: data, name: first.sandbox };
  const prefix = `${first.orgId}/${first.sandbox}`;
  const created = now - 30 * 24 * HOUR;
  const base = record(
    `${prefix}/sfmc-v1-base`,
    created,
    {
      name: 'Salesforce Marketing Cloud (V1)',
      description: 'Legacy SFMC account connection',
      connectionSpec: { id: CONNECTION_SPECS.sfmcV1.id, version: '1.0' },
      auth: {
        specName: 'OAuth2 Client Credential',
        params: {
          subdomain: DEMO_SFMC.subdomain,
          clientId: 'legacy-v1-client',
          clientSecret: 'legacy-v1-secret',
        },
      },
      _explore: DEMO_SFMC_V1_OBJECTS.map((object) => ({
        type: 'table',
        name: object.path,
        path: object.path,
        canPreview: true,
        canFetchSchema: true,
        // Assumption: the simulator flags custom objects so a plan can report them as not migratable.
        isCustomObject: object.custom,
        columns: [
          { name: 'Id', type: 'string' },
          { name: object.deltaColumn ?? 'CreatedDate', type: 'date-time' },
        ],
      })),
    },
    owner,
  );
  data.connections[base.id] = base;

  for (const flow of flows) {
    const key = `${prefix}/sfmc-v1/${flow.index}`;
    const label =
      flows.length > DEMO_SFMC_V1_OBJECTS.length
        ? `${flow.object.path} #${flow.index + 1}`
        : flow.object.path;
    const source = record(
      `${key}/source`,
      created,
      {
        name: `SFMC ${label} source`,
        baseConnectionId: base.id,
        connectionSpec: { id: CONNECTION_SPECS.sfmcV1.id, version: '1.0' },
        data: { format: 'tabular' },
        params: { path: flow.object.path },
      },
      owner,
    );
    const target = record(
      `${key}/target`,
      created,
      {
        name: `SFMC ${label} dataset`,
        connectionSpec: { id: CONNECTION_SPECS.dataLake.id, version: '1.0' },
        data: {
          format: 'parquet_xdm',
          schema: {
            id: `https://ns.adobe.com/cutoverdemo/schemas/sfmc-${flow.object.path.toLowerCase()}`,
            version: 'application/vnd.adobe.xed-full+json;version=1',
          },
        },
        params: { dataSetId: seededId(`${key}/dataset`).replace(/-/g, '').slice(0, 24) },
      },
      owner,
    );
    const dataflow = record(
      `${key}/flow`,
      created,
      {
        name: `SFMC ${label} to AEP`,
        description: 'Ingests a Salesforce Marketing Cloud object with the V1 source',
        flowSpec: { id: FLOW_SPECS.crmToAep.id, version: '1.0' },
        sourceConnectionIds: [source.id],
        targetConnectionIds: [target.id],
        transformations: [
          {
            name: 'Copy',
            params: {
              deltaColumn: {
                name: flow.object.deltaColumn ?? 'CreatedDate',
                dateFormat: 'YYYY-MM-DD',
                timezone: 'UTC',
              },
            },
          },
          { name: 'Mapping', params: { mappingId: flow.mappingSetId, mappingVersion: '0' } },
        ],
        scheduleParams: {
          startTime: Math.floor(created / 1000),
          frequency: 'hour',
          interval: '1',
          backfill: true,
        },
        _sim: { nextRunAt: Math.ceil(now / HOUR) * HOUR },
      },
      owner,
    );
    data.sourceConnections[source.id] = source;
    data.targetConnections[target.id] = target;
    data.flows[dataflow.id] = dataflow;
    // At scale every fifth V1 flow's latest run failed: V2 is then checked against the last successful one.
    const latestFails = flows.length > DEMO_SFMC_V1_OBJECTS.length && flow.index % 5 === 4;
    const hours = flows.length > DEMO_SFMC_V1_OBJECTS.length ? [2, 1] : [3, 2, 1];
    for (const hoursAgo of hours) {
      const runId = seededId(`${key}/run/${hoursAgo}`);
      const run = createRunRecord(dataflow, data, runId, now - hoursAgo * HOUR, runDurationMs, {
        orgId: flow.orgId,
        sandboxName: flow.sandbox,
      });
      if (latestFails && hoursAgo === 1) {
        const plan = run._plan as RunPlan;
        run._plan = { ...plan, outcome: 'failed', failedRecords: plan.inputRecords };
      }
      data.runs[runId] = run;
    }
  }
}

function seedMarketoFlows(
  data: SandboxData,
  orgId: string,
  sandbox: string,
  flows: DemoMarketoFlow[],
  now: number,
  runDurationMs: number,
): void {
  if (!flows.length) return;
  const owner = { orgId, sandbox: data, name: sandbox };
  const prefix = `${orgId}/${sandbox}/marketo-v1`;
  const created = now - 60 * 24 * HOUR;
  const profileBase = record(
    `${prefix}/profile-base`,
    created,
    {
      name: 'Real-Time Customer Profile',
      connectionSpec: { id: CONNECTION_SPECS.profileSource.id, version: '1.0' },
    },
    owner,
  );
  const profileSource = record(
    `${prefix}/profile-source`,
    created,
    {
      name: 'Profile source',
      baseConnectionId: profileBase.id,
      connectionSpec: { id: CONNECTION_SPECS.profileSource.id, version: '1.0' },
      data: { format: 'json' },
      params: {},
    },
    owner,
  );
  const marketoBase = record(
    `${prefix}/base`,
    created,
    {
      name: 'Marketo Engage (V1)',
      connectionSpec: { id: CONNECTION_SPECS.marketoV1.id, version: '1.0' },
      auth: {
        specName: 'OAuth2 Client Credential',
        params: {
          munchkinId: DEMO_MARKETO.munchkinId,
          clientId: 'legacy-marketo-v1',
          clientSecret: 'legacy-marketo-secret',
        },
      },
    },
    owner,
  );
  data.connections[profileBase.id] = profileBase;
  data.connections[marketoBase.id] = marketoBase;
  data.sourceConnections[profileSource.id] = profileSource;

  flows.forEach((flow, index) => {
    const key = `${prefix}/${index}`;
    const target = record(
      `${key}/target`,
      created,
      {
        name: `${flow.name} target`,
        baseConnectionId: marketoBase.id,
        connectionSpec: { id: CONNECTION_SPECS.marketoV1.id, version: '1.0' },
        data: { format: 'json' },
        params: {},
      },
      owner,
    );
    const dataflow = record(
      `${key}/flow`,
      created,
      {
        name: flow.name,
        description: 'Streams audiences to Marketo with the V1 destination',
        flowSpec: { id: FLOW_SPECS.profileToDestination.id, version: '1.0' },
        sourceConnectionIds: [profileSource.id],
        targetConnectionIds: [target.id],
        transformations: [
          {
            name: 'GeneralTransform',
            params: {
              segmentSelectors: {
                selectors: flow.audiences.map((audience) => ({
                  type: 'PLATFORM_SEGMENT',
                  // V1 needed the Marketo static list id ("mapping ID") per audience.
                  value: { id: audience.id, name: audience.name, mappingId: audience.mappingId },
                })),
              },
              profileSelectors: { selectors: profileSelectors(flow) },
            },
          },
        ],
        _sim: { nextRunAt: Math.ceil(now / HOUR) * HOUR, activationIntervalMs: HOUR },
      },
      owner,
    );
    data.targetConnections[target.id] = target;
    data.flows[dataflow.id] = dataflow;
    for (const hoursAgo of [2, 1]) {
      const runId = seededId(`${key}/run/${hoursAgo}`);
      data.runs[runId] = createRunRecord(dataflow, data, runId, now - hoursAgo * HOUR, runDurationMs, {
        orgId,
        sandboxName: sandbox,
      });
    }
  });
}

/** demo: V1 SFMC dataflows and Marketo V1 destination flows in `prod` and `dev`; large: the same at scale. */
export function seedFlowService(state: FlowServiceState, options: SeedOptions, now = Date.now()): void {
  const sfmcFlows = plannedSfmcV1Flows(options);
  for (const { orgId, sandbox } of seededSandboxes(options)) {
    const org = (state.orgs[orgId] ??= { sandboxes: {} });
    const data = (org.sandboxes[sandbox] = emptySandbox(seededId(`${orgId}/${sandbox}/sandbox`)));
    seedSfmcFlows(
      data,
      sfmcFlows.filter((flow) => flow.orgId === orgId && flow.sandbox === sandbox),
      now,
      state.runDurationMs,
    );
    const marketoFlows =
      options.profile === 'large'
        ? largeMarketoFlows(options.marketoFlowsPerSandbox ?? options.flowsPerSandbox ?? 100)
        : sandbox === 'prod'
          ? DEMO_MARKETO_V1_FLOWS
          : DEMO_MARKETO_V1_FLOWS.slice(0, 1);
    seedMarketoFlows(data, orgId, sandbox, marketoFlows, now, state.runDurationMs);
  }
}
