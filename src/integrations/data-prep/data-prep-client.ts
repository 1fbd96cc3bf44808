import { z } from 'zod';
import type { RateLimiter } from '../http/rate-limiter';
import {
  platformAuthorizer,
  type PlatformIdentity,
  type PlatformTokenSource,
} from '../adobe-platform/authorizer';
import { platformForbiddenHint, readPlatformError } from '../adobe-platform/errors';
import { JsonHttpClient } from '../http/json-http-client';

export const DATA_PREP_PATH = '/data/foundation/conversion';

export interface MappingOperationInput {
  sourceType: 'ATTRIBUTE' | 'EXPRESSION' | 'STATIC';
  source: string;
  destination: string;
  name?: string;
  description?: string;
}

export interface MappingSetInput {
  outputSchema: { schemaRef: { id: string; contentType: string } };
  mappings: MappingOperationInput[];
  name?: string;
  description?: string;
}

const timestampSchema = z.union([z.number(), z.string()]).optional();

const createdMappingSetSchema = z.looseObject({ id: z.string().min(1), version: z.number().int() });

export const mappingSetSchema = z.looseObject({
  id: z.string().min(1),
  version: z.number().int().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  outputSchema: z.looseObject({ schemaRef: z.looseObject({ id: z.string() }).optional() }).optional(),
  mappings: z.array(
    z.looseObject({
      sourceType: z.string(),
      source: z.string(),
      destination: z.string(),
    }),
  ),
  createdDate: timestampSchema,
  modifiedDate: timestampSchema,
});
export type MappingSet = z.output<typeof mappingSetSchema>;

const mappingSetPageSchema = z.looseObject({ data: z.array(mappingSetSchema) });

/** Data Prep (conversion service) mapping sets, used by source dataflows' `Mapping` transformation. */
export class DataPrepClient {
  private readonly http: JsonHttpClient;

  constructor(options: {
    platformUrl: string;
    identity: PlatformIdentity;
    tokens: PlatformTokenSource;
    fetch?: typeof fetch;
    /** Experience Platform's pace for this organisation. */
    limiter?: RateLimiter;
  }) {
    this.http = new JsonHttpClient({
      api: 'data-prep',
      limiter: options.limiter,
      baseUrl: `${options.platformUrl.replace(/\/+$/, '')}${DATA_PREP_PATH}`,
      fetch: options.fetch,
      auth: platformAuthorizer(options.tokens, options.identity),
      readErrorBody: readPlatformError,
      hintFor: ({ status, endpoint, body }) =>
        platformForbiddenHint(status, body.code, options.identity.sandbox, {
          endpoint,
          message: body.message,
        }),
    });
  }

  async createMappingSet(input: MappingSetInput): Promise<{ id: string; version: number }> {
    const { body } = await this.http.request(
      { method: 'POST', path: '/mappingSets', json: input },
      createdMappingSetSchema,
    );
    return { id: body.id, version: body.version };
  }

  /**
   * Every mapping set with this name, following the pages (`name` is a
   * documented list filter; the name is matched exactly here as well, in case
   * a server treats it as a prefix or ignores it).
   */
  async findMappingSetsByName(name: string, pageSize = 100): Promise<MappingSet[]> {
    const found: MappingSet[] = [];
    for (let start = 0; ; start += pageSize) {
      const { body } = await this.http.request(
        { method: 'GET', path: '/mappingSets', query: { limit: pageSize, start, name } },
        mappingSetPageSchema,
      );
      found.push(...body.data.filter((set) => set.name === name));
      if (body.data.length < pageSize) return found;
    }
  }

  /**
   * Removes a mapping set. Adobe's Data Prep API documents no DELETE for
   * mapping sets (data-prep.yaml lists create, read, update and validate), so
   * this is an assumption: a server without it answers 404 or 405 on the
   * route, reported as `unsupported` and left to the caller to report.
   */
  async deleteMappingSet(id: string): Promise<'deleted' | 'absent' | 'unsupported'> {
    const response = await this.http.send({
      method: 'DELETE',
      path: `/mappingSets/${encodeURIComponent(id)}`,
      acceptStatuses: [404, 405, 501],
    });
    if (response.status === 404) return (await this.getMappingSet(id)) ? 'unsupported' : 'absent';
    return response.status >= 400 ? 'unsupported' : 'deleted';
  }

  async getMappingSet(id: string): Promise<MappingSet | undefined> {
    const path = `/mappingSets/${encodeURIComponent(id)}`;
    const response = await this.http.send({ method: 'GET', path, acceptStatuses: [404] });
    return response.status === 404
      ? undefined
      : this.http.parse({ method: 'GET', path }, mappingSetSchema, response.body);
  }
}
