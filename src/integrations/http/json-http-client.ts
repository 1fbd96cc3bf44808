import type { z } from 'zod';
import { processAvailability, type RemoteAvailability } from './availability';
import type { RateLimiter } from './rate-limiter';
import { RemoteApiError, kindForStatus, type RemoteApi, type RemoteErrorKind } from './errors';
import { parseRetryAfter } from './retry-after';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface RequestSpec {
  method: HttpMethod;
  /** Relative to the base URL; may carry a query string already (e.g. a `_links.next.href`). */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  /** Goes before the other calls waiting at the limiter (a call that unblocks many others). */
  urgent?: boolean;
  /** Statuses that are answers rather than errors for this call (e.g. 404 on a lookup). */
  acceptStatuses?: readonly number[];
}

export interface HttpResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Adds credentials to requests and renews them once when the server answers 401. */
export interface RequestAuthorizer {
  headers(): Promise<Record<string, string>>;
  rejected(headers: Record<string, string>): void;
}

export interface RemoteErrorBody {
  code?: string;
  message?: string;
}

export interface JsonHttpClientOptions {
  api: RemoteApi;
  baseUrl: string;
  fetch?: typeof fetch;
  /** A call's own time, from when it is sent (after any turn at the limiter). */
  timeoutMs?: number;
  /** This API's pace: every attempt waits for its turn before its timeout starts. */
  limiter?: RateLimiter;
  headers?: Record<string, string>;
  auth?: RequestAuthorizer;
  /** Reads this API's error body format into a code and a message. */
  readErrorBody?: (body: unknown) => RemoteErrorBody;
  /** Advice appended to errors of a given kind, e.g. which permission a 403 needs. */
  hintFor?: (error: { status: number; endpoint: string; body: RemoteErrorBody }) => string | undefined;
  /** What an answer means where this API's codes say more than its status (e.g. a 400 that is a conflict). */
  kindFor?: (error: { status: number; body: RemoteErrorBody }) => RemoteErrorKind | undefined;
  /** Told whether each call got an answer, so an outage is told from one item's failure (this process's by default). */
  availability?: RemoteAvailability;
}

function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(name, item);
    else params.append(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function withoutQuery(path: string): string {
  return path.split('?')[0] ?? path;
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** What a server sent instead of JSON, in a few words a person recognises. */
function whatCameBack(body: string | undefined): string {
  if (!body?.trim()) return 'an empty answer';
  if (/^\s*<(!doctype html|html|head|body)\b/i.test(body)) {
    const title = /<title[^>]*>([^<]{1,80})/i.exec(body)?.[1]?.trim();
    return `an HTML page${title ? ` ("${title}")` : ''}`;
  }
  return `text that is not JSON ("${body.trim().slice(0, 60).replace(/\s+/g, ' ')}${body.trim().length > 60 ? '…' : ''}")`;
}

function describeZodPath(path: readonly PropertyKey[]): string {
  return (
    path
      .map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`))
      .join('')
      .replace(/^\./, '') || '(body)'
  );
}

/**
 * A small JSON-over-HTTP client shared by every integration: builds URLs,
 * authorises, classifies failures into RemoteApiError, and validates every
 * answer with the caller's zod schema.
 */
export class JsonHttpClient {
  private readonly fetchImpl: typeof fetch;
  private readonly baseUrl: string;

  constructor(private readonly options: JsonHttpClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  get api(): RemoteApi {
    return this.options.api;
  }

  async request<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<HttpResponse<z.output<S>>> {
    const response = await this.send(spec);
    return { ...response, body: this.parse(spec, schema, response.body) };
  }

  /** Validates a body obtained elsewhere (e.g. inside an envelope) with the same error reporting. */
  parse<S extends z.ZodType>(
    spec: Pick<RequestSpec, 'method' | 'path'>,
    schema: S,
    body: unknown,
  ): z.output<S> {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    if (body === undefined || typeof body === 'string')
      throw new RemoteApiError({
        api: this.options.api,
        endpoint: `${spec.method} ${withoutQuery(spec.path)}`,
        kind: 'unexpected-response',
        remoteMessage: `${whatCameBack(body)}, not the JSON this API answers with; check that ${this.baseUrl} is the API's address (a proxy, a login page or a wrong host answers like this)`,
      });
    const problems = result.error.issues
      .slice(0, 3)
      .map((issue) => `${describeZodPath(issue.path)}: ${issue.message}`)
      .join('; ');
    throw new RemoteApiError({
      api: this.options.api,
      endpoint: `${spec.method} ${withoutQuery(spec.path)}`,
      kind: 'unexpected-response',
      remoteMessage: `response did not have the expected shape (${problems})`,
    });
  }

  /** Sends a request and returns the raw parsed body; non-accepted error statuses throw RemoteApiError. */
  async send(spec: RequestSpec): Promise<HttpResponse<unknown>> {
    const availability = this.options.availability ?? processAvailability;
    try {
      const response = await this.sendAuthorised(spec);
      availability.answered(this.options.api);
      return response;
    } catch (error) {
      if (error instanceof RemoteApiError && error.retryable) availability.failed(error.api, error.message);
      else if (error instanceof RemoteApiError) availability.answered(error.api);
      throw error;
    }
  }

  private async sendAuthorised(spec: RequestSpec): Promise<HttpResponse<unknown>> {
    const first = await this.attempt(spec);
    if (first.status === 401 && this.options.auth && !spec.acceptStatuses?.includes(401)) {
      this.options.auth.rejected(first.authHeaders);
      const second = await this.attempt(spec);
      return this.classify(spec, second);
    }
    return this.classify(spec, first);
  }

  private async attempt(spec: RequestSpec) {
    // The turn first: a token read before a long wait at the limiter could expire in the queue.
    const release = await this.options.limiter?.acquire(spec.urgent);
    try {
      return await this.attemptInTurn(spec);
    } finally {
      release?.();
    }
  }

  private async attemptInTurn(spec: RequestSpec) {
    const authHeaders = this.options.auth ? await this.options.auth.headers() : {};
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...this.options.headers,
      ...authHeaders,
      ...spec.headers,
    };
    let body: string | undefined;
    if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.json);
    } else if (spec.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(spec.form).toString();
    }
    const url = `${this.baseUrl}${spec.path.startsWith('/') ? '' : '/'}${spec.path}${buildQuery(spec.query)}`;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        method: spec.method,
        headers,
        body,
        // A redirect would carry credentials (API keys, form-encoded secrets) to wherever it points:
        // never followed, reported with where it pointed.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
      text = await response.text();
    } catch (error) {
      throw this.networkError(spec, error);
    }
    return { status: response.status, headers: response.headers, body: parseBody(text), authHeaders };
  }

  private classify(
    spec: RequestSpec,
    response: { status: number; headers: Headers; body: unknown },
  ): HttpResponse<unknown> {
    if (response.status >= 300 && response.status < 400)
      throw new RemoteApiError({
        api: this.options.api,
        endpoint: `${spec.method} ${withoutQuery(spec.path)}`,
        kind: 'unexpected-response',
        status: response.status,
        remoteMessage: `redirected to ${response.headers.get('location') ?? '(no location)'}, which cutover does not follow (credentials would go along); check that ${this.baseUrl} is the API's address`,
      });
    if (response.status < 400 || spec.acceptStatuses?.includes(response.status)) {
      return { status: response.status, headers: response.headers, body: response.body };
    }
    const endpoint = `${spec.method} ${withoutQuery(spec.path)}`;
    const remote = this.options.readErrorBody?.(response.body) ?? {};
    throw new RemoteApiError({
      api: this.options.api,
      endpoint,
      kind:
        this.options.kindFor?.({ status: response.status, body: remote }) ?? kindForStatus(response.status),
      status: response.status,
      remoteCode: remote.code,
      remoteMessage: remote.message,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      hint: this.options.hintFor?.({ status: response.status, endpoint, body: remote }),
    });
  }

  /**
   * Timeouts and socket/DNS failures (a `cause.code` such as ECONNRESET) are
   * network errors worth retrying; anything else fetch throws (a bad URL or
   * header, a refused redirect) is a mistake retrying cannot fix.
   */
  private networkError(spec: RequestSpec, error: unknown): RemoteApiError {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const timedOut = (error as Error).name === 'TimeoutError';
    const transient = timedOut || typeof cause?.code === 'string';
    const reason = timedOut
      ? `no answer within ${this.options.timeoutMs ?? 30_000} ms`
      : (cause?.code ?? cause?.message ?? (error as Error).message);
    return new RemoteApiError(
      {
        api: this.options.api,
        endpoint: `${spec.method} ${withoutQuery(spec.path)}`,
        kind: transient ? 'network' : 'bad-request',
        remoteMessage: `${transient ? 'connection failed' : 'request could not be sent'} (${reason}) to ${this.baseUrl}`,
      },
      { cause: error },
    );
  }
}
