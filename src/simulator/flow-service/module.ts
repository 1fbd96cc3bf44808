import { z } from 'zod';
import {
  authenticatePlatformCall,
  platformFaultResponse,
  platformSandbox,
  platformTenant,
  type PlatformCaller,
} from '../adobe-platform/gateway';
import type { SimulatorContext, SimulatorModule } from '../core/module';
import type { Router, SimRequest, SimResponse } from '../core/router';
import { badRequest, forbidden, missingHeader, notFound, stillInUse, versionNotMatching } from './errors';
import { applyJsonPatch, type PatchOperation } from './json-patch';
import { listAnswer, listCandidates } from './lists';
import { refuseMarketoEngageTargetParams } from './marketo-engage';
import { permissionsFor } from './permissions';
import {
  newEtag,
  publicView,
  type Collection,
  type FlowServiceState,
  type FlowSimulation,
  type SandboxData,
  type StoredRecord,
} from './records';
import { createRunRecord, lastRunDetails, materialiseScheduledRuns, runView } from './runs';
import type { RunPlan } from './records';
import { seedFlowService } from './seed';
import {
  FLOW_SPECS,
  authSpecsFor,
  connectionSpecItems,
  connectionSpecKey,
  flowSpecItems,
} from './spec-catalog';
import { validateFlow } from './validate-flow';

const BASE = '/platform/data/foundation/flowservice';
const READ_ONLY_FIELDS = new Set([
  'id',
  'etag',
  'createdAt',
  'updatedAt',
  'imsOrgId',
  'sandboxId',
  'sandboxName',
  'connectionSpec',
  'flowSpec',
  'baseConnectionId',
]);
const SECRET_PARAM = /secret|password|token|key/i;

type Handler = (caller: PlatformCaller, sandbox: SandboxData, request: SimRequest) => SimResponse;

const COLLECTION_LABEL: Record<Collection, string> = {
  connections: 'connection',
  sourceConnections: 'source connection',
  targetConnections: 'target connection',
  flows: 'flow',
  runs: 'run',
};

/** A stored record by id; ids like `__proto__` must not reach Object.prototype. */
function ownRecord(records: Record<string, StoredRecord>, id: string): StoredRecord | undefined {
  return Object.hasOwn(records, id) ? records[id] : undefined;
}

function maskSecrets(record: Record<string, unknown>): Record<string, unknown> {
  const auth = record.auth as { specName?: string; params?: Record<string, unknown> } | undefined;
  if (!auth?.params) return record;
  const params = Object.fromEntries(
    Object.entries(auth.params).map(([key, value]) => [key, SECRET_PARAM.test(key) ? '********' : value]),
  );
  return { ...record, auth: { ...auth, params } };
}

const specRef = z.looseObject({ id: z.string().min(1), version: z.string().min(1) });
const createConnectionSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  connectionSpec: specRef,
  auth: z
    .looseObject({ specName: z.string(), params: z.record(z.string(), z.unknown()).default({}) })
    .optional(),
});
const createSourceOrTargetSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  baseConnectionId: z.string().optional(),
  connectionSpec: specRef,
  data: z.record(z.string(), z.unknown()).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});
const createRunSchema = z.looseObject({
  flowId: z.string().min(1),
  params: z
    .looseObject({
      startTime: z.coerce.number().optional(),
      windowStartTime: z.coerce.number().optional(),
      windowEndTime: z.coerce.number().optional(),
      deltaColumn: z.looseObject({ name: z.string() }).optional(),
    })
    .optional(),
});
const patchSchema = z
  .array(z.looseObject({ op: z.string(), path: z.string(), value: z.unknown().optional() }))
  .min(1);

function describeZod(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}

/** Adobe Experience Platform Flow Service, faithful to flow-service.yaml and the tutorials. */
export const flowServiceSimulatorModule: SimulatorModule<FlowServiceState> = {
  name: 'flowService',
  prefix: BASE,
  initialState: () => ({ orgs: {}, runDurationMs: 30_000 }),
  seed: seedFlowService,
  register(router, state, context) {
    registerFlowServiceRoutes(router, state, context);
  },
  registerAdmin(router, state, context) {
    const flowById = (flowId: string) => {
      for (const org of Object.values(state().orgs))
        for (const [name, sandbox] of Object.entries(org.sandboxes))
          if (Object.hasOwn(sandbox.flows, flowId))
            return { flow: sandbox.flows[flowId]!, sandbox, name, org };
      return undefined;
    };
    router.put('/__admin/flow-service/flows/:flowId/fail-next-runs', (request) => {
      const body = z
        .object({ count: z.number().int().min(0), skip: z.number().int().min(0).default(0) })
        .strict()
        .safeParse(request.body);
      if (!body.success) return { status: 400, body: { error: 'expected {"count": N, "skip"?: N}' } };
      const found = flowById(request.params.flowId!);
      if (!found) return { status: 404, body: { error: 'no such flow' } };
      const simulation = (found.flow._sim ??= {}) as FlowSimulation;
      simulation.failNextRuns = body.data.count;
      simulation.succeedBeforeFailing = body.data.skip;
      context.changed();
      return {
        status: 200,
        body: { flowId: found.flow.id, failNextRuns: body.data.count, skip: body.data.skip },
      };
    });
    // A run that has already finished, e.g. a V1 run that failed after earlier successes.
    router.post('/__admin/flow-service/flows/:flowId/runs', (request) => {
      const body = z
        .object({ outcome: z.enum(['success', 'failed']), minutesAgo: z.number().min(0).default(0) })
        .strict()
        .safeParse(request.body);
      if (!body.success)
        return { status: 400, body: { error: 'expected {"outcome": "success"|"failed", "minutesAgo"?: N}' } };
      const found = flowById(request.params.flowId!);
      if (!found) return { status: 404, body: { error: 'no such flow' } };
      const id = context.newId();
      const startedAt = context.clock.now() - body.data.minutesAgo * 60_000;
      const run = createRunRecord(found.flow, found.sandbox, id, startedAt, 0, {
        orgId: String(found.flow.imsOrgId ?? ''),
        sandboxName: found.name,
      });
      const plan = run._plan as RunPlan;
      run._plan = {
        ...plan,
        outcome: body.data.outcome,
        failedRecords: body.data.outcome === 'failed' ? plan.inputRecords : 0,
      };
      found.sandbox.runs[id] = run;
      context.changed();
      return { status: 201, body: { id } };
    });
    // Another user (or Adobe's retirement of a connector) removes an object, whatever uses it.
    router.delete('/__admin/flow-service/:collection/:id', (request) => {
      const collection = request.params.collection as Collection;
      if (!['connections', 'sourceConnections', 'targetConnections', 'flows', 'runs'].includes(collection))
        return {
          status: 400,
          body: { error: 'expected connections, sourceConnections, targetConnections, flows or runs' },
        };
      for (const org of Object.values(state().orgs)) {
        for (const sandbox of Object.values(org.sandboxes)) {
          if (Object.hasOwn(sandbox[collection], request.params.id!)) {
            delete sandbox[collection][request.params.id!];
            context.changed();
            return { status: 204 };
          }
        }
      }
      return { status: 404, body: { error: `no such object in ${collection}` } };
    });
    router.put('/__admin/flow-service/permissions', (request) => {
      const body = z
        .object({
          orgId: z.string().min(1),
          denied: z.array(z.string().min(1)),
          answer: z.enum(['generic', 'missing', 'denied']).default('generic'),
        })
        .strict()
        .safeParse(request.body);
      if (!body.success)
        return {
          status: 400,
          body: {
            error:
              'expected {"orgId": "...", "denied": ["Activate Destinations", ...], "answer"?: "generic"|"missing"|"denied"}',
          },
        };
      (state().deniedPermissions ??= {})[body.data.orgId] = body.data.denied;
      (state().permissionAnswers ??= {})[body.data.orgId] = body.data.answer;
      context.changed();
      return { status: 200, body: body.data };
    });
    router.put('/__admin/flow-service/settings', (request) => {
      const settings = z
        .object({
          runDurationMs: z.number().int().min(0).optional(),
          failRunsOfNewFlows: z.number().int().min(0).optional(),
          emptyRunsOfNewFlows: z.boolean().optional(),
          refuseDeletesInUse: z.boolean().optional(),
          droppedAudiences: z.array(z.string().min(1)).optional(),
        })
        .strict()
        .safeParse(request.body);
      if (!settings.success)
        return {
          status: 400,
          body: {
            error:
              'expected {"runDurationMs"?: N, "failRunsOfNewFlows"?: N, "emptyRunsOfNewFlows"?: B, "refuseDeletesInUse"?: B, "droppedAudiences"?: ["audience id", ...]}',
          },
        };
      if (settings.data.runDurationMs !== undefined) state().runDurationMs = settings.data.runDurationMs;
      if (settings.data.failRunsOfNewFlows !== undefined)
        state().failRunsOfNewFlows = settings.data.failRunsOfNewFlows;
      if (settings.data.emptyRunsOfNewFlows !== undefined)
        state().emptyRunsOfNewFlows = settings.data.emptyRunsOfNewFlows;
      if (settings.data.refuseDeletesInUse !== undefined)
        state().refuseDeletesInUse = settings.data.refuseDeletesInUse;
      if (settings.data.droppedAudiences !== undefined)
        state().droppedAudiences = settings.data.droppedAudiences;
      context.changed();
      return {
        status: 200,
        body: {
          runDurationMs: state().runDurationMs,
          failRunsOfNewFlows: state().failRunsOfNewFlows ?? 0,
          emptyRunsOfNewFlows: state().emptyRunsOfNewFlows ?? false,
          refuseDeletesInUse: state().refuseDeletesInUse ?? true,
          droppedAudiences: state().droppedAudiences ?? [],
        },
      };
    });
  },
  tenantOf: platformTenant,
  sandboxOf: platformSandbox,
  faultResponse: platformFaultResponse,
  simulateConcurrentEdit(state, path) {
    const [collection, id] = path.slice(BASE.length + 1).split('/') as [Collection, string];
    for (const org of Object.values(state.orgs)) {
      for (const sandbox of Object.values(org.sandboxes)) {
        const record =
          sandbox[collection] && Object.hasOwn(sandbox[collection], id) ? sandbox[collection][id] : undefined;
        if (record) record.etag = newEtag(`${record.etag.replaceAll('"', '')}-edited`);
      }
    }
  },
  describeBaseUrls: (baseUrl) => ({ 'Adobe Experience Platform (adobe.platformUrl)': `${baseUrl}/platform` }),
};

function registerFlowServiceRoutes(
  router: Router,
  state: () => FlowServiceState,
  context: SimulatorContext,
): void {
  const sandboxOf = (caller: PlatformCaller) => state().orgs[caller.orgId]?.sandboxes[caller.sandbox];
  const hasSandbox = (orgId: string, sandbox: string) => {
    const org = Object.hasOwn(state().orgs, orgId) ? state().orgs[orgId] : undefined;
    return Boolean(org && Object.hasOwn(org.sandboxes, sandbox));
  };
  const guarded =
    (handler: Handler) =>
    (request: SimRequest): SimResponse => {
      const auth = authenticatePlatformCall(request, context.tokens, hasSandbox);
      if ('response' in auth) return auth.response;
      const sandbox = sandboxOf(auth.caller)!;
      const denied = state().deniedPermissions?.[auth.caller.orgId] ?? [];
      if (denied.length && permissionsFor(request, sandbox).some((name) => denied.includes(name))) {
        const [collection, id] = request.path.slice(BASE.length + 1).split('/');
        // Adobe's messages name its access-control verbs, not the Admin Console labels: a read
        // needs read, a create write, a change to an existing object manage on it.
        return forbidden(
          state().permissionAnswers?.[auth.caller.orgId] ?? 'generic',
          request.method === 'GET' ? 'read' : id ? 'manage' : 'write',
          id ? `${collection}/${id}` : undefined,
          collection ?? 'flows',
        );
      }
      return handler(auth.caller, sandbox, request);
    };
  const now = () => context.clock.now();
  const visible = (record: StoredRecord) => record.createdAt <= now() - context.listVisibilityDelayMs();

  const ownership = (caller: PlatformCaller, sandbox: SandboxData) => ({
    imsOrgId: caller.orgId,
    sandboxId: sandbox.sandboxId,
    sandboxName: caller.sandbox,
    createdBy: `${caller.clientId}@AdobeID`,
    updatedBy: `${caller.clientId}@AdobeID`,
    createdClient: caller.clientId,
    updatedClient: caller.clientId,
  });

  const store = (
    sandbox: SandboxData,
    collection: Collection,
    record: Omit<StoredRecord, 'id' | 'etag' | 'createdAt' | 'updatedAt'>,
  ): SimResponse => {
    const id = context.newId();
    const at = now();
    sandbox[collection][id] = {
      ...record,
      id,
      etag: newEtag(context.newId()),
      createdAt: at,
      updatedAt: at,
      version: '1.0',
    };
    context.changed();
    const created = sandbox[collection][id]!;
    return {
      status: 201,
      headers: { location: `${BASE}/${collection}/${id}` },
      body: { id, etag: created.etag },
    };
  };

  const flowView = (flow: StoredRecord, sandbox: SandboxData) => {
    const describe = (ids: unknown, from: Record<string, StoredRecord>) =>
      ((ids as string[] | undefined) ?? []).map((id) => {
        const connection = from[id];
        const base = connection?.baseConnectionId
          ? sandbox.connections[connection.baseConnectionId as string]
          : undefined;
        return {
          id,
          connectionSpec: connection?.connectionSpec,
          ...(base ? { baseConnection: { id: base.id, connectionSpec: base.connectionSpec } } : {}),
        };
      });
    const flowSpecId = (flow.flowSpec as { id: string }).id;
    const details = lastRunDetails(flow.id, sandbox, now());
    return {
      ...publicView(flow),
      inheritedAttributes: {
        sourceConnections: describe(flow.sourceConnectionIds, sandbox.sourceConnections),
        targetConnections: describe(flow.targetConnectionIds, sandbox.targetConnections),
        properties: {
          isSourceFlow: flowSpecId === FLOW_SPECS.crmToAep.id,
          isDestinationFlow: flowSpecId === FLOW_SPECS.profileToDestination.id,
        },
      },
      ...(details ? { lastRunDetails: details } : {}),
    };
  };

  const catchUpRuns = (caller: PlatformCaller, sandbox: SandboxData, flows: StoredRecord[]) => {
    let changed = false;
    for (const flow of flows) {
      changed =
        materialiseScheduledRuns(flow, sandbox, now(), state().runDurationMs, context.newId, {
          orgId: caller.orgId,
          sandboxName: caller.sandbox,
        }) || changed;
    }
    if (changed) context.changed();
  };

  const viewOf = (collection: Collection, record: StoredRecord, sandbox: SandboxData) => {
    if (collection === 'flows') return flowView(record, sandbox);
    if (collection === 'runs') return runView(record, now());
    return maskSecrets(publicView(record));
  };

  // Catalogue: the same in every org.
  const catalogue = (path: string, items: Array<Record<string, unknown>>, label: string) => {
    router.get(
      `${BASE}/${path}`,
      guarded((_caller, _sandbox, request) => listAnswer(path, items, request)),
    );
    router.get(
      `${BASE}/${path}/:id`,
      guarded((_caller, _sandbox, request) => {
        const item = items.find((candidate) => candidate.id === request.params.id);
        return item ? { status: 200, body: { items: [item] } } : notFound(label, request.params.id!);
      }),
    );
  };
  catalogue('connectionSpecs', connectionSpecItems, 'connection spec');
  catalogue('flowSpecs', flowSpecItems, 'flow spec');

  // Generic reads, patches and deletes over the stored collections.
  for (const collection of [
    'connections',
    'sourceConnections',
    'targetConnections',
    'flows',
    'runs',
  ] as const) {
    router.get(
      `${BASE}/${collection}`,
      guarded((caller, sandbox, request) => {
        if (collection === 'flows' || collection === 'runs')
          catchUpRuns(caller, sandbox, Object.values(sandbox.flows));
        const items = listCandidates(sandbox[collection], request)
          .filter(visible)
          .map((record) => viewOf(collection, record, sandbox));
        return listAnswer(collection, items, request);
      }),
    );
    router.get(
      `${BASE}/${collection}/:id`,
      guarded((caller, sandbox, request) => {
        const record = ownRecord(sandbox[collection], request.params.id!);
        if (!record) return notFound(COLLECTION_LABEL[collection], request.params.id!);
        if (collection === 'flows') catchUpRuns(caller, sandbox, [record]);
        return { status: 200, body: { items: [viewOf(collection, record, sandbox)] } };
      }),
    );
    if (collection === 'runs') continue;
    router.patch(
      `${BASE}/${collection}/:id`,
      guarded((_caller, sandbox, request) => {
        const record = ownRecord(sandbox[collection], request.params.id!);
        if (!record) return notFound(COLLECTION_LABEL[collection], request.params.id!);
        const ifMatch = request.headers['if-match'];
        if (!ifMatch) return missingHeader('If-Match', collection);
        if (ifMatch !== record.etag) return versionNotMatching(String(ifMatch), record.etag, collection);
        const operations = patchSchema.safeParse(request.body);
        if (!operations.success)
          return badRequest(`Expected a JSON-patch array (${describeZod(operations.error)})`, collection);
        const patched = applyJsonPatch(record, operations.data as PatchOperation[], READ_ONLY_FIELDS);
        if ('error' in patched) return badRequest(patched.error, collection);
        const updated = {
          ...(patched.result as StoredRecord),
          etag: newEtag(context.newId()),
          updatedAt: now(),
        };
        if (collection === 'flows') {
          dropAudiences(updated as Parameters<typeof dropAudiences>[0], state().droppedAudiences, record);
          normaliseFlowFields(updated as Parameters<typeof normaliseFlowFields>[0]);
          const invalid = validateFlow(updated, sandbox, 'update');
          if (invalid) return invalid;
          startActivationRunsWhenAudiencesAppear(updated, now());
        }
        sandbox[collection][record.id] = updated;
        context.changed();
        return { status: 200, body: { id: record.id, etag: updated.etag } };
      }),
    );
    router.delete(
      `${BASE}/${collection}/:id`,
      guarded((_caller, sandbox, request) => {
        const id = request.params.id!;
        if (!ownRecord(sandbox[collection], id)) return notFound(COLLECTION_LABEL[collection], id);
        const user = state().refuseDeletesInUse === false ? undefined : userOf(collection, id, sandbox);
        if (user) return stillInUse(COLLECTION_LABEL[collection], id, user, collection);
        delete sandbox[collection][id];
        context.changed();
        return { status: 204 };
      }),
    );
  }

  router.post(
    `${BASE}/connections`,
    guarded((caller, sandbox, request) => {
      const body = createConnectionSchema.safeParse(request.body);
      if (!body.success) return badRequest(describeZod(body.error), 'connections');
      const authSpecs = authSpecsFor(body.data.connectionSpec.id);
      if (!authSpecs)
        return badRequest(`Unknown connection spec ${body.data.connectionSpec.id}`, 'connections');
      if (authSpecs.length) {
        const auth = authSpecs.find((spec) => spec.name === body.data.auth?.specName);
        if (!auth) {
          return badRequest(
            `auth.specName must be one of: ${authSpecs.map((spec) => spec.name).join(', ')}`,
            'connections',
          );
        }
        const missing = auth.required.filter((field) => !body.data.auth?.params[field]);
        if (missing.length) return badRequest(`auth.params is missing ${missing.join(', ')}`, 'connections');
      }
      // Adobe keeps credentials encrypted; the simulator has no use for them, so it never stores them.
      return store(sandbox, 'connections', {
        ...maskSecrets(body.data),
        state: 'enabled',
        ...ownership(caller, sandbox),
      });
    }),
  );

  router.get(
    `${BASE}/connections/:id/explore`,
    guarded((_caller, sandbox, request) => {
      const connection = ownRecord(sandbox.connections, request.params.id!);
      if (!connection) return notFound('connection', request.params.id!);
      const tables = (connection._explore as Array<Record<string, unknown>> | undefined) ?? [];
      if ((request.query.get('objectType') ?? 'root') === 'root') {
        return { status: 200, body: tables.map(({ columns: _columns, ...table }) => table) };
      }
      const table = tables.find((candidate) => candidate.path === request.query.get('object'));
      if (!table) return notFound('object', request.query.get('object') ?? '');
      return { status: 200, body: { format: 'flat', schema: { columns: table.columns ?? [] } } };
    }),
  );

  for (const collection of ['sourceConnections', 'targetConnections'] as const) {
    router.post(
      `${BASE}/${collection}`,
      guarded((caller, sandbox, request) => {
        const body = createSourceOrTargetSchema.safeParse(request.body);
        if (!body.success) return badRequest(describeZod(body.error), collection);
        const key = connectionSpecKey(body.data.connectionSpec.id);
        if (!key) return badRequest(`Unknown connection spec ${body.data.connectionSpec.id}`, collection);
        if (body.data.baseConnectionId && !sandbox.connections[body.data.baseConnectionId]) {
          return badRequest(`Base connection ${body.data.baseConnectionId} does not exist`, collection);
        }
        if (key === 'dataLake' && !body.data.params?.dataSetId) {
          return badRequest('params.dataSetId is required for a data lake target connection', collection);
        }
        if ((key === 'sfmcV1' || key === 'sfmcV2') && !body.data.params?.path) {
          return badRequest('params.path (the object or data extension to read) is required', collection);
        }
        const refused = refuseMarketoEngageTargetParams(key, body.data.params, collection);
        if (refused) return refused;
        return store(sandbox, collection, { ...body.data, state: 'enabled', ...ownership(caller, sandbox) });
      }),
    );
  }

  router.post(
    `${BASE}/flows`,
    guarded((caller, sandbox, request) => {
      const body = z
        .looseObject({
          name: z.string().min(1),
          flowSpec: specRef,
          sourceConnectionIds: z.array(z.string()).min(1),
          targetConnectionIds: z.array(z.string()).min(1),
          transformations: z
            .array(z.looseObject({ name: z.string(), params: z.record(z.string(), z.unknown()) }))
            .default([]),
          scheduleParams: z.record(z.string(), z.unknown()).optional(),
        })
        .safeParse(request.body);
      if (!body.success) return badRequest(describeZod(body.error), 'flows');
      dropAudiences(body.data, state().droppedAudiences);
      normaliseFlowFields(body.data);
      const candidate = {
        ...body.data,
        id: '',
        etag: '',
        createdAt: now(),
        updatedAt: now(),
      } as StoredRecord;
      const invalid = validateFlow(candidate, sandbox, 'create');
      if (invalid) return invalid;
      const startTime =
        Number((body.data.scheduleParams as { startTime?: unknown } | undefined)?.startTime ?? 0) * 1000;
      const simulation: FlowSimulation = {
        nextRunAt: Math.max(now(), startTime),
        ...(state().failRunsOfNewFlows ? { failNextRuns: state().failRunsOfNewFlows } : {}),
        ...(state().emptyRunsOfNewFlows ? { emptyRuns: true } : {}),
      };
      const response = store(sandbox, 'flows', {
        ...body.data,
        state: 'enabled',
        ...ownership(caller, sandbox),
        _sim: simulation,
      });
      const created = sandbox.flows[(response.body as { id: string }).id]!;
      if (!body.data.scheduleParams) {
        delete simulation.nextRunAt;
        startActivationRunsWhenAudiencesAppear(created, now());
      }
      return response;
    }),
  );

  router.post(
    `${BASE}/flows/:id/action`,
    guarded((_caller, sandbox, request) => {
      const flow = ownRecord(sandbox.flows, request.params.id!);
      if (!flow) return notFound('flow', request.params.id!);
      const op = (request.query.get('op') ?? '').toLowerCase();
      if (op !== 'enable' && op !== 'disable')
        return badRequest(`Unsupported action op "${request.query.get('op')}"`, 'flows');
      const simulation = (flow._sim ??= {}) as FlowSimulation;
      if (op === 'enable' && flow.state !== 'enabled' && simulation.nextRunAt !== undefined) {
        simulation.nextRunAt = Math.max(simulation.nextRunAt, now());
      }
      flow.state = op === 'enable' ? 'enabled' : 'disabled';
      flow.etag = newEtag(context.newId());
      flow.updatedAt = now();
      context.changed();
      return { status: 200, body: { id: flow.id, etag: flow.etag } };
    }),
  );

  router.post(
    `${BASE}/runs`,
    guarded((caller, sandbox, request) => {
      const body = createRunSchema.safeParse(request.body);
      if (!body.success) return badRequest(describeZod(body.error), 'runs');
      const flow = sandbox.flows[body.data.flowId];
      if (!flow) return badRequest(`Flow ${body.data.flowId} does not exist`, 'runs');
      const simulation = (flow._sim ??= {}) as FlowSimulation;
      const deltaColumn = body.data.params?.deltaColumn?.name;
      if (deltaColumn && simulation.deltaColumn && simulation.deltaColumn !== deltaColumn) {
        return badRequest(
          `deltaColumn cannot change after the first run (was ${simulation.deltaColumn})`,
          'runs',
        );
      }
      if (deltaColumn) simulation.deltaColumn = deltaColumn;
      const id = context.newId();
      const run = createRunRecord(flow, sandbox, id, now(), state().runDurationMs, {
        orgId: caller.orgId,
        sandboxName: caller.sandbox,
      });
      sandbox.runs[id] = { ...run, params: body.data.params ?? {} };
      context.changed();
      return { status: 201, body: { items: [{ id, etag: run.etag }] } };
    }),
  );
}

/** The API stores schedule intervals and mapping versions as strings (ScheduleSpecDTO, TransformationSpecDTO). */
function normaliseFlowFields(flow: {
  scheduleParams?: Record<string, unknown>;
  transformations?: Array<{ params: Record<string, unknown> }>;
}): void {
  const schedule = flow.scheduleParams;
  if (schedule?.interval !== undefined) schedule.interval = String(schedule.interval);
  if (schedule?.startTime !== undefined) schedule.startTime = Number(schedule.startTime);
  for (const transformation of flow.transformations ?? []) {
    if (transformation.params.mappingVersion !== undefined)
      transformation.params.mappingVersion = String(transformation.params.mappingVersion);
  }
}

type SegmentSelectors = { segmentSelectors?: { selectors?: Array<{ value?: { id?: unknown } }> } };

/**
 * Takes the `dropped` audiences out of a destination dataflow's selectors,
 * unless `before` (the stored dataflow a PATCH changes) already exported them:
 * a dataflow that never receives those audiences, whatever was sent.
 */
function dropAudiences(
  flow: { transformations?: Array<{ params?: Record<string, unknown> }> },
  dropped: string[] | undefined,
  before?: StoredRecord,
): void {
  if (!dropped?.length) return;
  const params = flow.transformations?.[0]?.params as SegmentSelectors | undefined;
  const selectors = params?.segmentSelectors?.selectors;
  if (!params?.segmentSelectors || !selectors) return;
  const earlier = (before?.transformations as Array<{ params?: SegmentSelectors }> | undefined)?.[0]?.params;
  const had = new Set((earlier?.segmentSelectors?.selectors ?? []).map((selector) => selector.value?.id));
  params.segmentSelectors.selectors = selectors.filter(
    (selector) => had.has(selector.value?.id) || !dropped.includes(String(selector.value?.id)),
  );
}

/** Destination flows report an activation run once they export at least one audience, then hourly. */
function startActivationRunsWhenAudiencesAppear(flow: StoredRecord, now: number): void {
  const transformations =
    (flow.transformations as Array<{ params?: { segmentSelectors?: { selectors?: unknown[] } } }>) ?? [];
  const audiences = transformations[0]?.params?.segmentSelectors?.selectors?.length ?? 0;
  const simulation = (flow._sim ??= {}) as FlowSimulation;
  if (audiences > 0 && simulation.nextRunAt === undefined) {
    simulation.nextRunAt = now;
    simulation.activationIntervalMs = 3_600_000;
  }
}

/** Which object still refers to a record, as the reason a delete is refused. */
function userOf(
  collection: Collection,
  id: string,
  sandbox: SandboxData,
): { kind: 'flow' | 'connection'; id: string } | undefined {
  if (collection === 'connections') {
    const dependant = [
      ...Object.values(sandbox.sourceConnections),
      ...Object.values(sandbox.targetConnections),
    ].find((record) => record.baseConnectionId === id);
    return dependant ? { kind: 'connection', id: dependant.id } : undefined;
  }
  if (collection === 'sourceConnections' || collection === 'targetConnections') {
    const field = collection === 'sourceConnections' ? 'sourceConnectionIds' : 'targetConnectionIds';
    const flow = Object.values(sandbox.flows).find((candidate) =>
      (candidate[field] as string[]).includes(id),
    );
    return flow ? { kind: 'flow', id: flow.id } : undefined;
  }
  return undefined;
}
