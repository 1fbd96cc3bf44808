import type { z } from 'zod';
import {
  platformAuthorizer,
  type PlatformIdentity,
  type PlatformTokenSource,
} from '../adobe-platform/authorizer';
import { readPlatformError } from '../adobe-platform/errors';
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
  /** Page size asked of list endpoints; Adobe's maximum is not documented. */
  pageSize?: number;
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
      auth: platformAuthorizer(options.tokens, options.identity),
      readErrorBody: readPlatformError,
      hintFor: ({ status }) =>
        status === 403
          ? `The credential's product profile in sandbox "${options.identity.sandbox}" lacks a permission this call needs`
          : undefined,
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

  findConnectionSpecByName(name: string) {
    return this.first(this.listConnectionSpecs([where('name', '==', `"${name}"`)]));
  }

  listFlowSpecs(filters: PropertyFilter[] = []) {
    return this.list('flowSpecs', flowSpecSchema, filters);
  }

  getFlowSpec(id: string) {
    return this.getOne('flowSpecs', id, flowSpecSchema);
  }

  findFlowSpecByName(name: string) {
    return this.first(this.listFlowSpecs([where('name', '==', `"${name}"`)]));
  }

  // Base connections ------------------------------------------------------------

  createConnection(body: {
    name: string;
    description?: string;
    auth: { specName: string; params: Record<string, unknown> };
    connectionSpec: { id: string; version: string };
  }): Promise<Created> {
    return this.create('connections', body);
  }

  getConnection(id: string) {
    return this.getOne('connections', id, connectionSchema);
  }

  listConnections(filters: PropertyFilter[] = []) {
    return this.list('connections', connectionSchema, filters);
  }

  updateConnection(id: string, etag: string, operations: JsonPatchOperation[]) {
    return this.patch('connections', id, etag, operations);
  }

  deleteConnection(id: string) {
    return this.remove('connections', id);
  }

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

  // Source and target connections ----------------------------------------------

  createSourceConnection(body: {
    name: string;
    description?: string;
    baseConnectionId?: string;
    data?: Record<string, unknown>;
    params?: Record<string, unknown>;
    connectionSpec: { id: string; version: string };
  }): Promise<Created> {
    return this.create('sourceConnections', body);
  }

  getSourceConnection(id: string) {
    return this.getOne('sourceConnections', id, sourceConnectionSchema);
  }

  listSourceConnections(filters: PropertyFilter[] = []) {
    return this.list('sourceConnections', sourceConnectionSchema, filters);
  }

  updateSourceConnection(id: string, etag: string, operations: JsonPatchOperation[]) {
    return this.patch('sourceConnections', id, etag, operations);
  }

  deleteSourceConnection(id: string) {
    return this.remove('sourceConnections', id);
  }

  createTargetConnection(body: {
    name: string;
    description?: string;
    baseConnectionId?: string;
    data?: Record<string, unknown>;
    params?: Record<string, unknown>;
    connectionSpec: { id: string; version: string };
  }): Promise<Created> {
    return this.create('targetConnections', body);
  }

  getTargetConnection(id: string) {
    return this.getOne('targetConnections', id, targetConnectionSchema);
  }

  listTargetConnections(filters: PropertyFilter[] = []) {
    return this.list('targetConnections', targetConnectionSchema, filters);
  }

  updateTargetConnection(id: string, etag: string, operations: JsonPatchOperation[]) {
    return this.patch('targetConnections', id, etag, operations);
  }

  deleteTargetConnection(id: string) {
    return this.remove('targetConnections', id);
  }

  // Flows ---------------------------------------------------------------------

  createFlow(body: {
    name: string;
    description?: string;
    flowSpec: { id: string; version: string };
    sourceConnectionIds: string[];
    targetConnectionIds: string[];
    transformations?: Array<{ name: string; params: Record<string, unknown> }>;
    scheduleParams?: Record<string, unknown>;
  }): Promise<Created> {
    return this.create('flows', body);
  }

  getFlow(id: string) {
    return this.getOne('flows', id, flowSchema);
  }

  listFlows(filters: PropertyFilter[] = []) {
    return this.list('flows', flowSchema, filters);
  }

  /** JSON-patch with the etag the caller last read; a stale etag is a `precondition-failed` error (412). */
  patchFlow(id: string, etag: string, operations: JsonPatchOperation[]) {
    return this.patch('flows', id, etag, operations);
  }

  enableFlow(id: string): Promise<Created> {
    return this.flowAction(id, 'enable');
  }

  disableFlow(id: string): Promise<Created> {
    return this.flowAction(id, 'disable');
  }

  deleteFlow(id: string) {
    return this.remove('flows', id);
  }

  // Runs ----------------------------------------------------------------------

  listRuns(flowId: string, filters: PropertyFilter[] = []) {
    return this.list('runs', runSchema, [where('flowId', '==', flowId), ...filters]);
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
            }
          : { method: 'GET', path: next! },
        envelope,
      );
      first = false;
      for (const item of body.items) yield item as z.output<S>;
      next = body._links?.next?.href;
    }
  }

  private async first<T>(items: AsyncIterable<T>): Promise<T | undefined> {
    for await (const item of items) return item;
    return undefined;
  }

  private async patch(collection: Collection, id: string, etag: string, operations: JsonPatchOperation[]) {
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

  /** Deleting something already gone is success: a retried delete must not fail the migration. */
  private async remove(collection: Collection, id: string): Promise<'deleted' | 'absent'> {
    const response = await this.http.send({
      method: 'DELETE',
      path: `/${collection}/${encodeURIComponent(id)}`,
      acceptStatuses: [404],
    });
    return response.status === 404 ? 'absent' : 'deleted';
  }
}
