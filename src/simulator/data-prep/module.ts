import { z } from 'zod';
import {
  authenticatePlatformCall,
  platformFaultResponse,
  platformSandbox,
  platformTenant,
} from '../adobe-platform/gateway';
import { seededSandboxes } from '../adobe-platform/orgs';
import type { SimulatorModule } from '../core/module';
import { plannedSfmcV1Flows } from '../flow-service/seed';
import { badRequest, notFound } from '../flow-service/errors';

const BASE = '/platform/data/foundation/conversion';

interface StoredMappingSet {
  id: string;
  version: number;
  name?: string;
  description?: string;
  outputSchema: unknown;
  mappings: Array<{
    id: string;
    sourceType: string;
    source: string;
    destination: string;
    name?: string;
    description?: string;
  }>;
  createdDate: string;
  modifiedDate: string;
  createdBy: string;
  modifiedBy: string;
}

export interface DataPrepSimulatorState {
  orgs: Record<string, { sandboxes: Record<string, { mappingSets: Record<string, StoredMappingSet> }> }>;
  /** Our assumption (no DELETE in data-prep.yaml) can be switched off: DELETE then answers 405. */
  deleteSupported?: boolean;
}

const mappingSetInputSchema = z.looseObject({
  name: z.string().optional(),
  description: z.string().optional(),
  outputSchema: z.looseObject({
    schemaRef: z.looseObject({ id: z.string().min(1), contentType: z.string().optional() }),
  }),
  mappings: z
    .array(
      z.looseObject({
        sourceType: z.enum(['ATTRIBUTE', 'EXPRESSION', 'STATIC']),
        source: z.string(),
        destination: z.string().min(1),
        name: z.string().optional(),
        description: z.string().optional(),
      }),
    )
    .min(1),
});

function representation(set: StoredMappingSet) {
  return {
    id: set.id,
    version: set.version,
    createdDate: set.createdDate,
    modifiedDate: set.modifiedDate,
    createdBy: set.createdBy,
    modifiedBy: set.modifiedBy,
  };
}

/** Data Prep mapping sets (`/data/foundation/conversion/mappingSets`), per data-prep.yaml. */
export const dataPrepSimulatorModule: SimulatorModule<DataPrepSimulatorState> = {
  name: 'dataPrep',
  prefix: BASE,
  initialState: () => ({ orgs: {} }),
  seed(state, options) {
    const at = new Date().toISOString();
    for (const { orgId, sandbox } of seededSandboxes(options)) {
      (state.orgs[orgId] ??= { sandboxes: {} }).sandboxes[sandbox] = { mappingSets: {} };
    }
    for (const flow of plannedSfmcV1Flows(options)) {
      state.orgs[flow.orgId]!.sandboxes[flow.sandbox]!.mappingSets[flow.mappingSetId] = {
        id: flow.mappingSetId,
        version: 0,
        name: `SFMC ${flow.object.path} mapping`,
        outputSchema: {
          schemaRef: {
            id: `https://ns.adobe.com/cutoverdemo/schemas/sfmc-${flow.object.path.toLowerCase()}`,
            contentType: 'application/vnd.adobe.xed-full+json;version=1',
          },
        },
        mappings: [
          {
            id: `${flow.mappingSetId}-1`,
            sourceType: 'ATTRIBUTE',
            source: 'Id',
            destination: '_cutoverdemo.sfmcId',
          },
          {
            id: `${flow.mappingSetId}-2`,
            sourceType: 'ATTRIBUTE',
            source: flow.object.deltaColumn ?? 'CreatedDate',
            destination: '_cutoverdemo.modifiedAt',
          },
        ],
        createdDate: at,
        modifiedDate: at,
        createdBy: 'seed@AdobeID',
        modifiedBy: 'seed@AdobeID',
      };
    }
  },
  register(router, state, context) {
    const sandboxExists = (orgId: string, sandbox: string) => {
      const org = Object.hasOwn(state().orgs, orgId) ? state().orgs[orgId] : undefined;
      return Boolean(org && Object.hasOwn(org.sandboxes, sandbox));
    };
    router.post(`${BASE}/mappingSets`, (request) => {
      const auth = authenticatePlatformCall(request, context.tokens, sandboxExists);
      if ('response' in auth) return auth.response;
      const input = mappingSetInputSchema.safeParse(request.body);
      if (!input.success) {
        return badRequest(
          input.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
          'mappingSets',
        );
      }
      const id = context.newId().replace(/-/g, '');
      const at = new Date(context.clock.now()).toISOString();
      const set: StoredMappingSet = {
        ...input.data,
        id,
        version: 0,
        mappings: input.data.mappings.map((mapping, index) => ({ ...mapping, id: `${id}-${index + 1}` })),
        createdDate: at,
        modifiedDate: at,
        createdBy: `${auth.caller.clientId}@AdobeID`,
        modifiedBy: `${auth.caller.clientId}@AdobeID`,
      };
      state().orgs[auth.caller.orgId]!.sandboxes[auth.caller.sandbox]!.mappingSets[id] = set;
      context.changed();
      return { status: 200, body: representation(set) };
    });
    router.get(`${BASE}/mappingSets/:id`, (request) => {
      const auth = authenticatePlatformCall(request, context.tokens, sandboxExists);
      if ('response' in auth) return auth.response;
      const set =
        state().orgs[auth.caller.orgId]!.sandboxes[auth.caller.sandbox]!.mappingSets[request.params.id!];
      return set ? { status: 200, body: set } : notFound('mappingSets', request.params.id!);
    });
    router.delete(`${BASE}/mappingSets/:id`, (request) => {
      const auth = authenticatePlatformCall(request, context.tokens, sandboxExists);
      if ('response' in auth) return auth.response;
      if (state().deleteSupported === false)
        return { status: 405, headers: { allow: 'GET, PUT' }, body: { error: 'method_not_allowed' } };
      const sets = state().orgs[auth.caller.orgId]!.sandboxes[auth.caller.sandbox]!.mappingSets;
      if (!Object.hasOwn(sets, request.params.id!)) return notFound('mappingSets', request.params.id!);
      delete sets[request.params.id!];
      context.changed();
      return { status: 204 };
    });
    router.get(`${BASE}/mappingSets`, (request) => {
      const auth = authenticatePlatformCall(request, context.tokens, sandboxExists);
      if ('response' in auth) return auth.response;
      const name = request.query.get('name');
      // Lists are eventually consistent, like the Flow Service's: a new mapping set shows after the delay.
      const visibleUntil = context.clock.now() - context.listVisibilityDelayMs();
      const sets = Object.values(
        state().orgs[auth.caller.orgId]!.sandboxes[auth.caller.sandbox]!.mappingSets,
      ).filter((set) => Date.parse(set.createdDate) <= visibleUntil && (name === null || set.name === name));
      const limit = Number(request.query.get('limit') ?? 50);
      const start = Number(request.query.get('start') ?? 0);
      if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(start) || start < 0)
        return badRequest('limit must be a positive integer and start a non-negative one', 'mappingSets');
      const following = new URLSearchParams({ start: String(start + limit), limit: String(limit) });
      if (name !== null) following.set('name', name);
      // As in the Flow Service: `_links` is `{}` on the last page and holds `next` otherwise.
      const _links = start + limit < sets.length ? { next: { href: `/mappingSets?${following}` } } : {};
      return {
        status: 200,
        body: { data: sets.slice(start, start + limit), _page: { count: sets.length, limit }, _links },
      };
    });
  },
  registerAdmin(router, state, context) {
    // A mapping set gone from under its dataflow, as after a clean-up outside the dataflow's own screens.
    router.delete('/__admin/data-prep/mappingSets/:id', (request) => {
      for (const org of Object.values(state().orgs))
        for (const sandbox of Object.values(org.sandboxes))
          if (Object.hasOwn(sandbox.mappingSets, request.params.id!)) {
            delete sandbox.mappingSets[request.params.id!];
            context.changed();
            return { status: 204 };
          }
      return { status: 404, body: { error: 'no such mapping set' } };
    });
    router.put('/__admin/data-prep/settings', (request) => {
      const settings = z.object({ deleteSupported: z.boolean() }).strict().safeParse(request.body);
      if (!settings.success)
        return { status: 400, body: { error: 'expected {"deleteSupported": true|false}' } };
      state().deleteSupported = settings.data.deleteSupported;
      context.changed();
      return { status: 200, body: settings.data };
    });
  },
  tenantOf: platformTenant,
  sandboxOf: platformSandbox,
  faultResponse: platformFaultResponse,
  describeBaseUrls: () => ({}),
};
