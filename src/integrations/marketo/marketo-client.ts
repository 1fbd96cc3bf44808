import type { z } from 'zod';
import type { RateLimiter } from '../http/rate-limiter';
import { RemoteApiError, type RemoteErrorKind } from '../http/errors';
import { JsonHttpClient, type RemoteErrorBody, type RequestSpec } from '../http/json-http-client';
import { TokenCache } from '../http/token-cache';
import {
  describeLeadFieldsResultSchema,
  identityErrorSchema,
  identityTokenSchema,
  marketoEnvelopeSchema,
  type IdentityToken,
  type MarketoError,
  type MarketoLeadField,
} from './schemas';

export interface MarketoClientOptions {
  /** The instance base, e.g. https://123-ABC-456.mktorest.com (see `marketoBaseUrl`). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** The instance's pace (calls per window, calls at once). */
  limiter?: RateLimiter;
  /** Advised wait after error 606; Marketo sends no Retry-After, and its rate window is 20 s. */
  rateLimitRetryDelayMs?: number;
}

const IDENTITY_PATH = '/identity/oauth/token';
const DESCRIBE_LEADS_PATH = '/rest/v1/leads/describe.json';

const RATE_WINDOW_MS = 20_000;
/** A concurrency slot frees up as soon as one of the other calls finishes. */
const CONCURRENCY_RETRY_DELAY_MS = 5_000;

const TOKEN_REJECTED_CODES = new Set(['601', '602']);
const TRANSIENT_CODES = new Set(['604', '608', '611', '713']);

interface Classification {
  kind: RemoteErrorKind;
  retryAfterMs?: number;
  hint?: string;
}

/** Reads both error formats: the identity endpoint's OAuth body and the REST envelope. */
function readMarketoErrorBody(body: unknown): RemoteErrorBody {
  const envelope = marketoEnvelopeSchema.safeParse(body);
  const first = envelope.success ? envelope.data.errors?.[0] : undefined;
  if (first) return { code: first.code, message: first.message };
  const identity = identityErrorSchema.safeParse(body);
  if (identity.success) return { code: identity.data.error, message: identity.data.error_description };
  return {};
}

function httpHint({ status, endpoint }: { status: number; endpoint: string }): string | undefined {
  if (endpoint.endsWith(IDENTITY_PATH)) {
    if (status === 401) {
      return "Check the Client ID and Client Secret of the API-only user's LaunchPoint service (Marketo Admin > LaunchPoint > View Details)";
    }
    if (status === 404) return 'Check the Munchkin ID (Marketo Admin > Web Services shows the REST endpoint)';
  }
  if (status === 413) return 'Marketo accepts request bodies up to 1 MB (10 MB for bulk imports)';
  if (status === 414) return 'Marketo accepts URIs up to 8 KB; ask for fewer records per call';
  return undefined;
}

/** The first error of a `success:false` envelope, or undefined for anything else. */
function envelopeFailure(body: unknown): MarketoError | undefined {
  const envelope = marketoEnvelopeSchema.safeParse(body);
  if (!envelope.success || envelope.data.success) return undefined;
  return (
    envelope.data.errors?.[0] ?? { code: 'unknown', message: 'success was false and no error was given' }
  );
}

/**
 * Marketo Engage REST API for one instance. Errors arrive inside HTTP 200
 * bodies; they become RemoteApiError with the same retry semantics as HTTP
 * statuses elsewhere.
 */
export class MarketoClient {
  private readonly http: JsonHttpClient;
  private readonly tokens: TokenCache;

  constructor(private readonly options: MarketoClientOptions) {
    // Parsed here so a malformed URL fails before the secret is ever part of one.
    new URL(options.baseUrl);
    this.http = new JsonHttpClient({
      api: 'marketo',
      baseUrl: options.baseUrl,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs,
      limiter: options.limiter,
      readErrorBody: readMarketoErrorBody,
      hintFor: httpHint,
    });
    this.tokens = new TokenCache(async () => {
      const issued = await this.requestToken();
      return { token: issued.access_token, expiresInMs: issued.expires_in * 1000 };
    });
  }

  /** Asks the identity service for a token; the scope names the API-only user the credentials belong to. */
  async verifyCredentials(): Promise<{ apiUser: string }> {
    const issued = await this.requestToken();
    return { apiUser: issued.scope };
  }

  /** The lead (person) fields of this instance, which a V2 destination can map to. */
  async describeLeadFields(): Promise<MarketoLeadField[]> {
    return this.rest(
      { method: 'GET', path: DESCRIBE_LEADS_PATH },
      describeLeadFieldsResultSchema,
      'Read-Only Lead or Read-Write Lead',
    );
  }

  private async requestToken(): Promise<IdentityToken> {
    const spec: RequestSpec = {
      method: 'GET',
      path: IDENTITY_PATH,
      query: {
        grant_type: 'client_credentials',
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
      },
    };
    const response = await this.http.send(spec);
    const failure = envelopeFailure(response.body);
    if (failure) throw this.errorFor(spec, failure, { renewedToken: false });
    return this.http.parse(spec, identityTokenSchema, response.body);
  }

  /** One REST call; a rejected token is renewed and the call repeated once. */
  private async rest<S extends z.ZodType>(
    spec: RequestSpec,
    resultSchema: S,
    permission: string,
  ): Promise<z.output<S>> {
    let renewedToken = false;
    for (;;) {
      const token = await this.tokens.get();
      const response = await this.http.request(
        { ...spec, headers: { ...spec.headers, authorization: `Bearer ${token}` } },
        marketoEnvelopeSchema,
      );
      const failure = envelopeFailure(response.body);
      if (!failure) return this.http.parse(spec, resultSchema, response.body.result);
      if (TOKEN_REJECTED_CODES.has(failure.code) && !renewedToken) {
        this.tokens.invalidate(token);
        renewedToken = true;
        continue;
      }
      throw this.errorFor(spec, failure, { renewedToken, permission });
    }
  }

  private classify(code: string, context: { renewedToken: boolean; permission?: string }): Classification {
    if (TOKEN_REJECTED_CODES.has(code)) {
      return {
        kind: 'unauthorized',
        hint: context.renewedToken
          ? 'Marketo rejected a newly issued access token too; check that the API-only user and its LaunchPoint service are still active'
          : undefined,
      };
    }
    if (TRANSIENT_CODES.has(code)) return { kind: 'server' };
    switch (code) {
      case '603':
        return {
          kind: 'forbidden',
          hint: `The API-only user's role lacks the permission this call needs${context.permission ? ` (${context.permission})` : ''}`,
        };
      case '606':
        return {
          kind: 'rate-limited',
          retryAfterMs: this.options.rateLimitRetryDelayMs ?? RATE_WINDOW_MS,
          hint: 'Marketo allows 100 calls per 20 seconds per instance',
        };
      case '615':
        return {
          kind: 'rate-limited',
          retryAfterMs: CONCURRENCY_RETRY_DELAY_MS,
          hint: 'Marketo allows 10 concurrent calls per instance',
        };
      case '607':
        return {
          kind: 'quota-exhausted',
          hint: 'The daily quota of REST API calls (50,000 calls by default) is used up; it resets at 12:00 AM US Central time',
        };
      default:
        return { kind: 'bad-request' };
    }
  }

  private errorFor(
    spec: RequestSpec,
    error: MarketoError,
    context: { renewedToken: boolean; permission?: string },
  ): RemoteApiError {
    const { kind, retryAfterMs, hint } = this.classify(error.code, context);
    return new RemoteApiError({
      api: 'marketo',
      endpoint: `${spec.method} ${spec.path}`,
      kind,
      remoteCode: error.code,
      remoteMessage: error.message,
      retryAfterMs,
      hint,
    });
  }
}
