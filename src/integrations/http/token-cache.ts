export interface IssuedToken {
  token: string;
  /** Lifetime from now, in milliseconds. */
  expiresInMs: number;
}

export interface TokenCacheOptions {
  /** Renew this long before the token's stated expiry. */
  renewBeforeMs?: number;
  now?: () => number;
}

/**
 * Caches an access token, renews it ahead of expiry, and lets only one renewal
 * run at a time: concurrent callers share the same request.
 */
export class TokenCache {
  private current: { token: string; renewAt: number } | undefined;
  private inFlight: Promise<string> | undefined;
  private readonly renewBeforeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    { renewBeforeMs = 60_000, now = Date.now }: TokenCacheOptions = {},
  ) {
    this.renewBeforeMs = renewBeforeMs;
    this.now = now;
  }

  async get(): Promise<string> {
    if (this.current && this.now() < this.current.renewAt) return this.current.token;
    this.inFlight ??= this.renew().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Forgets the token, e.g. after the server rejected it before its stated expiry. */
  invalidate(rejectedToken?: string): void {
    if (rejectedToken === undefined || this.current?.token === rejectedToken) this.current = undefined;
  }

  private async renew(): Promise<string> {
    const issued = await this.issue();
    // Short-lived tokens renew at half their life rather than never being cached.
    const margin = Math.min(this.renewBeforeMs, issued.expiresInMs / 2);
    this.current = { token: issued.token, renewAt: this.now() + issued.expiresInMs - margin };
    return issued.token;
  }
}
