import { z } from 'zod';
import { JsonHttpClient, type RemoteErrorBody } from '../http/json-http-client';
import { TokenCache, type IssuedToken } from '../http/token-cache';

export interface ImsCredentials {
  imsUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
}

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string(),
  /** Seconds; the retired JWT exchange gave milliseconds, which is why this is bounded. */
  expires_in: z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600),
});

const imsErrorSchema = z.object({ error: z.string(), error_description: z.string().optional() });

export function readImsError(body: unknown): RemoteErrorBody {
  const parsed = imsErrorSchema.safeParse(body);
  return parsed.success ? { code: parsed.data.error, message: parsed.data.error_description } : {};
}

/** Adobe IMS OAuth server-to-server: one token per credential, cached and renewed before expiry. */
export class AdobeImsTokenProvider {
  private readonly http: JsonHttpClient;
  private readonly cache: TokenCache;

  constructor(
    private readonly credentials: ImsCredentials,
    options: { fetch?: typeof fetch; now?: () => number } = {},
  ) {
    this.http = new JsonHttpClient({
      api: 'adobe-ims',
      baseUrl: credentials.imsUrl,
      fetch: options.fetch,
      readErrorBody: readImsError,
      hintFor: ({ status }) =>
        status === 400 || status === 401
          ? 'Check adobe.clientId and adobe.clientSecret: the OAuth server-to-server credential of the Adobe Developer Console project'
          : undefined,
    });
    this.cache = new TokenCache(() => this.issue(), { renewBeforeMs: 5 * 60_000, now: options.now });
  }

  token(): Promise<string> {
    return this.cache.get();
  }

  invalidate(rejectedToken?: string): void {
    this.cache.invalidate(rejectedToken);
  }

  private async issue(): Promise<IssuedToken> {
    const { body } = await this.http.request(
      {
        method: 'POST',
        path: '/ims/token/v3',
        form: {
          grant_type: 'client_credentials',
          client_id: this.credentials.clientId,
          client_secret: this.credentials.clientSecret,
          scope: this.credentials.scopes.join(','),
        },
      },
      tokenResponseSchema,
    );
    return { token: body.access_token, expiresInMs: body.expires_in * 1000 };
  }
}
