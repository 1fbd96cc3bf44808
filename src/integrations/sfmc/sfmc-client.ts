import { mapBounded } from '../../domain/bounded';
import { RemoteApiError } from '../http/errors';
import {
  JsonHttpClient,
  type RemoteErrorBody,
  type RequestAuthorizer,
  type RequestSpec,
} from '../http/json-http-client';
import { TokenCache, type IssuedToken } from '../http/token-cache';
import {
  sfmcAuthErrorSchema,
  sfmcDataExtensionFieldsSchema,
  sfmcDataExtensionPageSchema,
  sfmcDataExtensionSchema,
  sfmcRestErrorSchema,
  sfmcTokenResponseSchema,
  type SfmcDataExtension,
  type SfmcDataExtensionField,
  type SfmcDataExtensionSummary,
} from './schemas';

/** The installed-package scope the V2 source needs, shown in SFMC's UI as "Data Extensions: Read". */
export const DATA_EXTENSIONS_READ_SCOPE = 'data_extensions_read';

const DATA_EXTENSIONS_READ_HINT =
  `The Installed Package's API Integration needs the "Data Extensions: Read" scope (${DATA_EXTENSIONS_READ_SCOPE}): ` +
  'add it to the API Integration component in Marketing Cloud Setup > Installed Packages; retrying will not help';

const REJECTED_CREDENTIALS_HINT =
  'Salesforce Marketing Cloud rejected the Client ID/Client Secret of the installed package: check sfmc.clientId and ' +
  "sfmc.clientSecret against its Server-to-Server API Integration, and that sfmc.baseEndpoint is the package's authentication base URI";

const SEARCH_REQUIRED_CODE = '10005';
const DEFAULT_PAGE_SIZE = 50;
const DATA_EXTENSIONS_PATH = '/data/v1/customobjects';

/*
 * Tenants answer a list without `$search` with 400, and `$search` matches a
 * substring of the name, key or description (dawidmachon/mcecli
 * docs/dev/endpoint-notes.md); no value is known to match everything. So the
 * full list is the union of searches for terms every name or key contains at
 * least one of, de-duplicated by id: letters, digits, "_" and "-" (a GUID
 * key, SFMC's default, always holds a digit or "-"; a blank term counts as
 * none). Ours: that matching ignores case, as the simulator's does.
 */
const LIST_ALL_SEARCH_TERMS: readonly string[] = [...'abcdefghijklmnopqrstuvwxyz0123456789', '_', '-'];
/** How many of those searches run at once (ours: well inside SFMC's documented API rate). */
const SEARCHES_AT_ONCE = 6;

/** The real authentication base URL for an SFMC tenant's subdomain (the "Base endpoint" prefix). */
export function sfmcAuthBaseUrl(subdomain: string): string {
  return `https://${subdomain}.auth.marketingcloudapis.com`;
}

export interface SfmcClientOptions {
  /** e.g. `sfmcAuthBaseUrl(subdomain)`; the REST base URL comes from each token. */
  authBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The MID of the business unit to act in; the package's default one when absent. */
  accountId?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface SfmcAccess {
  scopes: string[];
  hasDataExtensionsRead: boolean;
  restInstanceUrl: string;
}

export interface ListDataExtensionsOptions {
  /** Sent as `$search` (matches name, key or description); without it every data extension is listed. */
  search?: string;
  pageSize?: number;
}

/** A 400 that names `$search`: the tenant will not list data extensions without one. */
function namesSearch(
  status: number | undefined,
  code: string | undefined,
  message: string | undefined,
): boolean {
  return status === 400 && (code === SEARCH_REQUIRED_CODE || /\$search/i.test(message ?? ''));
}

export function isSearchRequiredError(error: unknown): boolean {
  return error instanceof RemoteApiError && namesSearch(error.status, error.remoteCode, error.remoteMessage);
}

interface TokenSession {
  scopes: string[];
  restInstanceUrl: string;
}

/** Reads both SFMC error formats: the auth server's OAuth body and the REST APIs' `{message, errorcode}`. */
export function readSfmcErrorBody(body: unknown): RemoteErrorBody {
  const auth = sfmcAuthErrorSchema.safeParse(body);
  if (auth.success) return { code: auth.data.error, message: auth.data.error_description ?? auth.data.error };
  const rest = sfmcRestErrorSchema.safeParse(body);
  if (rest.success) {
    const code = rest.data.errorcode;
    return {
      code: code === undefined || code === 0 || code === '0' ? undefined : String(code),
      message: rest.data.message,
    };
  }
  return typeof body === 'string' && body.trim() ? { message: body.trim().slice(0, 300) } : {};
}

/** A non-retryable error for a token without the Data Extensions: Read scope, or undefined when it has it. */
export function missingDataExtensionsReadError(access: SfmcAccess): RemoteApiError | undefined {
  if (access.hasDataExtensionsRead) return undefined;
  return new RemoteApiError({
    api: 'sfmc',
    endpoint: 'POST /v2/token',
    kind: 'forbidden',
    remoteMessage: `the access token was granted the scopes: ${access.scopes.join(' ') || '(none)'}`,
    hint: DATA_EXTENSIONS_READ_HINT,
  });
}

function restHint({ status, body }: { status: number; body: RemoteErrorBody }): string | undefined {
  if (status === 403) return DATA_EXTENSIONS_READ_HINT;
  if (status === 401) {
    return 'SFMC refused a freshly issued access token; check that the API Integration has access to this business unit (account ID)';
  }
  if (namesSearch(status, body.code, body.message)) {
    return 'This SFMC tenant only lists data extensions matching a search term; every list request must carry `$search`';
  }
  return undefined;
}

/**
 * Salesforce Marketing Cloud: server-to-server token, then the Custom Object
 * REST API on the tenant's REST host, which each token names.
 */
export class SfmcClient {
  private readonly auth: JsonHttpClient;
  private readonly tokens: TokenCache;
  private readonly restClients = new Map<string, JsonHttpClient>();
  private session: TokenSession | undefined;
  private readonly authorizer: RequestAuthorizer;

  constructor(private readonly options: SfmcClientOptions) {
    this.auth = new JsonHttpClient({
      api: 'sfmc',
      baseUrl: options.authBaseUrl,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      readErrorBody: readSfmcErrorBody,
      hintFor: ({ status, body }) =>
        status === 401 || body.code === 'invalid_client' ? REJECTED_CREDENTIALS_HINT : undefined,
    });
    this.tokens = new TokenCache(() => this.issueToken());
    this.authorizer = {
      headers: async () => ({ authorization: `Bearer ${await this.tokens.get()}` }),
      rejected: (headers) => this.tokens.invalidate(headers.authorization?.replace(/^Bearer /, '')),
    };
  }

  /** Requests (or reuses) a token and reports what it may do; never throws for a missing scope. */
  async verifyAccess(): Promise<SfmcAccess> {
    const session = await this.currentSession();
    return {
      scopes: [...session.scopes],
      hasDataExtensionsRead: session.scopes.includes(DATA_EXTENSIONS_READ_SCOPE),
      restInstanceUrl: session.restInstanceUrl,
    };
  }

  /** Like verifyAccess, but throws a non-retryable `forbidden` error when Data Extensions: Read is missing. */
  async requireDataExtensionsRead(): Promise<SfmcAccess> {
    const access = await this.verifyAccess();
    const problem = missingDataExtensionsReadError(access);
    if (problem) throw problem;
    return access;
  }

  /**
   * The data extensions matching `search`, or every one when it is absent;
   * each request carries `$search`, so tenants that require it list too.
   */
  async *listDataExtensions(
    options: ListDataExtensionsOptions = {},
  ): AsyncGenerator<SfmcDataExtensionSummary> {
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (options.search !== undefined) {
      yield* this.searchDataExtensions(options.search, pageSize);
      return;
    }
    const search = async (term: string) => {
      const items: SfmcDataExtensionSummary[] = [];
      for await (const item of this.searchDataExtensions(term, pageSize)) items.push(item);
      return items;
    };
    // The first search settles the token (one renewal, not one per search in flight); the others
    // overlap their latency and any retry's backoff, and are merged in term order.
    const [first, ...others] = LIST_ALL_SEARCH_TERMS;
    const found = [await search(first!), ...(await mapBounded(others, SEARCHES_AT_ONCE, search))];
    const seen = new Set<string>();
    for (const item of found.flat()) {
      const id = item.id.toLowerCase();
      if (seen.has(id)) continue;
      seen.add(id);
      yield item;
    }
  }

  /**
   * Whether this tenant refuses to list data extensions without `$search`:
   * one GET without it (a 400 naming `$search` means yes). Reads only.
   */
  async searchRequired(): Promise<boolean> {
    const spec: RequestSpec = {
      method: 'GET',
      path: DATA_EXTENSIONS_PATH,
      query: { $page: 1, $pageSize: 1 },
    };
    try {
      await (await this.rest()).request(spec, sfmcDataExtensionPageSchema);
      return false;
    } catch (error) {
      if (isSearchRequiredError(error)) return true;
      throw error;
    }
  }

  private async *searchDataExtensions(
    search: string,
    pageSize: number,
  ): AsyncGenerator<SfmcDataExtensionSummary> {
    for (let page = 1; ; page += 1) {
      const spec: RequestSpec = {
        method: 'GET',
        path: DATA_EXTENSIONS_PATH,
        query: { $search: search, $page: page, $pageSize: pageSize },
      };
      const { body } = await (await this.rest()).request(spec, sfmcDataExtensionPageSchema);
      yield* body.items;
      // Tenants cap the page size (at 25 live), so the end is computed from what it answered.
      if (body.items.length === 0 || page * body.pageSize >= body.count) return;
    }
  }

  /** One data extension by its ObjectID (GUID), with its fields. */
  async getDataExtension(id: string): Promise<SfmcDataExtension> {
    const spec: RequestSpec = { method: 'GET', path: `${DATA_EXTENSIONS_PATH}/${encodeURIComponent(id)}` };
    return (await (await this.rest()).request(spec, sfmcDataExtensionSchema)).body;
  }

  /** The columns of a data extension, by its ObjectID (GUID), in ordinal order. */
  async getDataExtensionFields(id: string): Promise<SfmcDataExtensionField[]> {
    const spec: RequestSpec = {
      method: 'GET',
      path: `${DATA_EXTENSIONS_PATH}/${encodeURIComponent(id)}/fields`,
    };
    const { fields } = (await (await this.rest()).request(spec, sfmcDataExtensionFieldsSchema)).body;
    return [...fields].sort((a, b) => (a.ordinal ?? 0) - (b.ordinal ?? 0));
  }

  private async currentSession(): Promise<TokenSession> {
    await this.tokens.get();
    // A concurrent renewal may already have replaced the session; the newest one is as good.
    if (!this.session) throw new Error('SFMC token issued without a session');
    return this.session;
  }

  /** The REST client for the host named by the current token; a new token may name another host. */
  private async rest(): Promise<JsonHttpClient> {
    const { restInstanceUrl } = await this.currentSession();
    let client = this.restClients.get(restInstanceUrl);
    if (!client) {
      client = new JsonHttpClient({
        api: 'sfmc',
        baseUrl: restInstanceUrl,
        fetch: this.options.fetch,
        timeoutMs: this.options.timeoutMs,
        auth: this.authorizer,
        readErrorBody: readSfmcErrorBody,
        hintFor: restHint,
      });
      this.restClients.set(restInstanceUrl, client);
    }
    return client;
  }

  private async issueToken(): Promise<IssuedToken> {
    const { body } = await this.auth.request(
      {
        method: 'POST',
        path: '/v2/token',
        json: {
          grant_type: 'client_credentials',
          client_id: this.options.clientId,
          client_secret: this.options.clientSecret,
          account_id: this.options.accountId,
        },
      },
      sfmcTokenResponseSchema,
    );
    this.session = {
      scopes: body.scope.split(/\s+/).filter(Boolean),
      restInstanceUrl: body.rest_instance_url,
    };
    return { token: body.access_token, expiresInMs: body.expires_in * 1000 };
  }
}
