import type { z } from 'zod';
import type { RateLimiter } from '../http/rate-limiter';
import {
  platformAuthorizer,
  type PlatformIdentity,
  type PlatformTokenSource,
} from '../adobe-platform/authorizer';
import { isInUseCode, platformForbiddenHint, readPlatformError } from '../adobe-platform/errors';
import { JsonHttpClient } from '../http/json-http-client';
import { renderPropertyFilter, where, type PropertyFilter } from './property-filter';
import {
  connectionSchema,
  connectionSpecSchema,
  createdRunSchema,
  createdSchema,
  flowSchema,
  flowSpecSchema,
  itemsEnvelope,
  listEnvelope,
  runSchema,
  sourceConnectionSchema,
  targetConnectionSchema,
  type Created,
} from './schemas';

export const FLOW_SERVICE_PATH = '/data/foundation/flowservice';

/** `_links.next.href` may be relative to the service, rooted at its path, or absolute. */
function relativeToService(href: string): string {
  const url = new URL(href, 'http://relative.invalid');
  const servicePath = url.pathname.includes(FLOW_SERVICE_PATH)
    ? url.pathname.slice(url.pathname.indexOf(FLOW_SERVICE_PATH) + FLOW_SERVICE_PATH.length)
    : url.pathname;
  return `${servicePath}${url.search}`;
}

export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

export interface FlowServiceClientOptions {
  platformUrl: string;
  identity: PlatformIdentity;
  tokens: PlatformTokenSource;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Experience Platform's pace for this organisation. */
  limiter?: RateLimiter;
  /** Page size asked of list endpoints; Adobe's maximum is not documented. */
  pageSize?: number;
}

export interface FlowServiceResource<T, Body> {
  create(body: Body): Promise<Created>;
  /** Undefined when the object does not exist (404). */
  get(id: string): Promise<T | undefined>;
  /** Every object matching the filters, following `_links.next` to the end. */
  list(filters?: PropertyFilter[]): AsyncGenerator<T, void, undefined>;
  update(id: string, etag: string, operations: JsonPatchOperation[]): Promise<Created>;
  /**
   * Deleting something already gone is success: a retried delete must not fail a migration.
   * An object still in use (Adobe's 400 1418/1447) throws a `conflict` RemoteApiError.
   */
  delete(id: string): Promise<'deleted' | 'absent'>;
}

export interface CreateConnectionBody {
  name: string;
  description?: string;
  auth?: { specName: string; params: Record<string, unknown> };
  connectionSpec: { id: string; version: string };
}

export interface CreateSourceOrTargetBody {
  name: string;
  description?: string;
  baseConnectionId?: string;
  data?: Record<string, unknown>;
  params?: Record<string, unknown>;
  connectionSpec: { id: string; version: string };
}

export interface CreateFlowBody {
  name: string;
  description?: string;
  flowSpec: { id: string; version: string };
  sourceConnectionIds: string[];
  targetConnectionIds: string[];
  transformations?: Array<{ name: string; params: Record<string, unknown> }>;
  scheduleParams?: Record<string, unknown>;
}

type Collection =
  | 'connections'
  | 'sourceConnections'
  | 'targetConnections'
  | 'flows'
  | 'runs'
  | 'connectionSpecs'
  | 'flowSpecs';

/**
 * Typed client of the Flow Service API for one sandbox. Lists are async
 * iterators that follow `_links.next` to the end; single GETs unwrap
 * `{items:[…]}` and answer undefined for 404.
 */
export class FlowServiceClient {
  private readonly http: JsonHttpClient;

  constructor(private readonly options: FlowServiceClientOptions) {
    this.http = new JsonHttpClient({
      api: 'flow-service',
      baseUrl: `${options.platformUrl.replace(/\/+$/, '')}${FLOW_SERVICE_PATH}`,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      limiter: options.limiter,
      auth: platformAuthorizer(options.tokens, options.identity),
      readErrorBody: readPlatformError,
      hintFor: ({ status, endpoint, body }) =>
        isInUseCode(status, body.code)
          ? 'It is still in use: delete what uses it first'
          : platformForbiddenHint(status, body.code, options.identity.sandbox, {
              endpoint,
              message: body.message,
            }),
      // Adobe refuses to delete an object in use with a 400 (1418, or 1447 when dataflows use it)
      // where HTTP would say 409: callers see the conflict it means, whichever status a server picks.
      kindFor: ({ status, body }) => (isInUseCode(status, body.code) ? 'conflict' : undefined),
    });
  }

  get sandbox(): string {
    return this.options.identity.sandbox;
  }

  withSandbox(sandbox: string): FlowServiceClient {
    return new FlowServiceClient({ ...this.options, identity: { ...this.options.identity, sandbox } });
  }

  // Catalogue -----------------------------------------------------------------

  listConnectionSpecs(filters: PropertyFilter[] = []) {
    return this.list('connectionSpecs', connectionSpecSchema, filters);
  }

  getConnectionSpec(id: string) {
    return this.getOne('connectionSpecs', id, connectionSpecSchema);
  }

  listFlowSpecs(filters: PropertyFilter[] = []) {
    return this.list('flowSpecs', flowSpecSchema, filters);
  }

  getFlowSpec(id: string) {
    return this.getOne('flowSpecs', id, flowSpecSchema);
  }

  // Stored objects: one CRUD surface per collection -------------------------------

  readonly connections = this.resource<z.output<typeof connectionSchema>, CreateConnectionBody>(
    'connections',
    connectionSchema,
  );
  readonly sourceConnections = this.resource<
    z.output<typeof sourceConnectionSchema>,
    CreateSourceOrTargetBody
  >('sourceConnections', sourceConnectionSchema);
  readonly targetConnections = this.resource<
    z.output<typeof targetConnectionSchema>,
    CreateSourceOrTargetBody
  >('targetConnections', targetConnectionSchema);
  /** `update` is a JSON-patch with the etag the caller last read; a stale etag is `precondition-failed` (412). */
  readonly flows = this.resource<z.output<typeof flowSchema>, CreateFlowBody>('flows', flowSchema);

  /** Browses what a base connection can read, e.g. `{objectType: 'root'}` or `{objectType: 'table', object: path}`. */
  async explore(
    connectionId: string,
    query: { objectType: string; object?: string; preview?: boolean },
  ): Promise<unknown> {
    const { body } = await this.http.send({
      method: 'GET',
      path: `/connections/${encodeURIComponent(connectionId)}/explore`,
      query: { objectType: query.objectType, object: query.object, preview: query.preview },
    });
    return body;
  }

  enableFlow(id: string): Promise<Created> {
    return this.flowAction(id, 'enable');
  }

  disableFlow(id: string): Promise<Created> {
    return this.flowAction(id, 'disable');
  }

  // Runs ----------------------------------------------------------------------

  listRuns(flowId: string, filters: PropertyFilter[] = []) {
    return this.list('runs', runSchema, [where('flowId', '==', flowId), ...filters]);
  }

  /**
   * The runs of several dataflows in one list (`property=flowId==a,b,…`: a
   * comma is OR for ids), ahead of other calls at the limiter: it is how
   * many waiting items learn their first run is done.
   */
  listRunsOfFlows(flowIds: readonly string[]) {
    return this.list('runs', runSchema, [where('flowId', '==', flowIds)], true);
  }

  /**
   * Runs by id, many in one list (`property=id==a,b,…`), ahead of other calls
   * at the limiter: it is how waiting ingestion windows learn their runs are done.
   */
  listRunsById(runIds: readonly string[]) {
    return this.list('runs', runSchema, [where('id', '==', runIds)], true);
  }

  getRun(id: string) {
    return this.getOne('runs', id, runSchema);
  }

  /** On-demand run of a flow scheduled `once` (unix seconds for the window). */
  async createRun(body: {
    flowId: string;
    params: {
      startTime: number;
      windowStartTime: number;
      windowEndTime: number;
      deltaColumn?: { name: string };
    };
  }): Promise<Created> {
    const { body: created } = await this.http.request(
      { method: 'POST', path: '/runs', json: body },
      createdRunSchema,
    );
    return created;
  }

  // Shared mechanics ------------------------------------------------------------

  private resource<T, Body>(collection: Collection, schema: z.ZodType<T>): FlowServiceResource<T, Body> {
    return {
      create: (body) => this.create(collection, body),
      get: (id) => this.getOne(collection, id, schema),
      list: (filters = []) => this.list(collection, schema, filters),
      update: (id, etag, operations) => this.patch(collection, id, etag, operations),
      delete: (id) => this.remove(collection, id),
    };
  }

  private async create(collection: Collection, body: unknown): Promise<Created> {
    const { body: created } = await this.http.request(
      { method: 'POST', path: `/${collection}`, json: body },
      createdSchema,
    );
    return created;
  }

  private async getOne<S extends z.ZodType>(
    collection: Collection,
    id: string,
    schema: S,
  ): Promise<z.output<S> | undefined> {
    const path = `/${collection}/${encodeURIComponent(id)}`;
    const response = await this.http.send({ method: 'GET', path, acceptStatuses: [404] });
    if (response.status === 404) return undefined;
    const envelope = this.http.parse({ method: 'GET', path }, itemsEnvelope(schema), response.body);
    return envelope.items[0] as z.output<S>;
  }

  private async *list<S extends z.ZodType>(
    collection: Collection,
    schema: S,
    filters: PropertyFilter[],
    urgent = false,
  ): AsyncGenerator<z.output<S>, void, undefined> {
    const envelope = listEnvelope(schema);
    let next: string | undefined;
    let first = true;
    while (first || next) {
      const { body } = await this.http.request(
        first
          ? {
              method: 'GET',
              path: `/${collection}`,
              query: { property: filters.map(renderPropertyFilter), limit: this.options.pageSize },
              urgent,
            }
          : { method: 'GET', path: next!, urgent },
        envelope,
      );
      first = false;
      for (const item of body.items) yield item as z.output<S>;
      // The last page's `_links` is `{}`; some servers omit it or send a `next` without an href.
      const href = body._links?.next?.href;
      const following = href ? relativeToService(href) : undefined;
      // A server handing back the same page link would otherwise loop forever.
      next = following !== undefined && following !== next ? following : undefined;
    }
  }

  private async patch(
    collection: Collection,
    id: string,
    etag: string,
    operations: JsonPatchOperation[],
  ): Promise<Created> {
    const response = await this.http.send({
      method: 'PATCH',
      path: `/${collection}/${encodeURIComponent(id)}`,
      headers: { 'if-match': etag },
      json: operations,
    });
    // The tutorials show both `{id, etag}` and a bare 202.
    return response.body === undefined
      ? { id }
      : this.http.parse({ method: 'PATCH', path: `/${collection}/${id}` }, createdSchema, response.body);
  }

  private async flowAction(id: string, op: 'enable' | 'disable'): Promise<Created> {
    const { body } = await this.http.request(
      { method: 'POST', path: `/flows/${encodeURIComponent(id)}/action`, query: { op } },
      createdSchema,
    );
    return body;
  }

  private async remove(collection: Collection, id: string): Promise<'deleted' | 'absent'> {
    const response = await this.http.send({
      method: 'DELETE',
      path: `/${collection}/${encodeURIComponent(id)}`,
      acceptStatuses: [404],
    });
    return response.status === 404 ? 'absent' : 'deleted';
  }
}
