import { randomBytes } from 'node:crypto';
import type { SimulatorClock } from './clock';

export interface TokenGrant<S> {
  subject: S;
  expiresAt: number;
}

/** Builds the token text from what was granted; the registry remembers whatever it returns. */
type TokenFormat = (issued: { issuedAt: number; lifetimeSeconds: number; nonce: string }) => string;

const base64urlJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Adobe IMS access tokens are JWTs whose `created_at` and `expires_in`
 * claims are strings of milliseconds. The signature is random: the simulator
 * recognises its tokens by remembering them, never by verifying one.
 */
export function jwtFormat(claims: Record<string, unknown>): TokenFormat {
  return ({ issuedAt, lifetimeSeconds, nonce }) =>
    [
      base64urlJson({ alg: 'RS256', x5u: 'ims_na1-key-at-1.cer', kid: 'ims_na1-key-at-1', itt: 'at' }),
      base64urlJson({
        id: nonce,
        type: 'access_token',
        ...claims,
        created_at: String(issuedAt),
        expires_in: String(lifetimeSeconds * 1000),
      }),
      randomBytes(32).toString('base64url'),
    ].join('.');
}

/**
 * Bearer tokens issued by the simulated identity services. Tokens live in
 * memory: after a simulator restart clients see a 401 and renew, as they
 * would after a real token revocation.
 */
export class TokenRegistry {
  private readonly grants = new Map<string, TokenGrant<unknown>>();

  constructor(
    private readonly clock: SimulatorClock,
    /** Overrides every token's real lifetime (the "tokens expire early" fault). */
    private readonly lifetimeOverrideSeconds: () => number | undefined,
  ) {}

  /** `format` is a prefix for opaque tokens, or a TokenFormat such as `jwtFormat`. */
  issue<S>(
    subject: S,
    lifetimeSeconds: number,
    format: string | TokenFormat = '',
  ): { token: string; expiresIn: number } {
    const nonce = randomBytes(24).toString('base64url');
    const token =
      typeof format === 'string'
        ? `${format}${nonce}`
        : format({ issuedAt: this.clock.now(), lifetimeSeconds, nonce });
    const effective = this.lifetimeOverrideSeconds() ?? lifetimeSeconds;
    this.grants.set(token, { subject, expiresAt: this.clock.now() + effective * 1000 });
    // The client is told the nominal lifetime; an early expiry is the server's surprise.
    return { token, expiresIn: lifetimeSeconds };
  }

  /** The grant behind a live token, or undefined when unknown or expired. */
  check<S>(token: string | undefined): TokenGrant<S> | undefined {
    if (!token) return undefined;
    const grant = this.grants.get(token) as TokenGrant<S> | undefined;
    if (!grant) return undefined;
    if (grant.expiresAt <= this.clock.now()) {
      this.grants.delete(token);
      return undefined;
    }
    return grant;
  }

  /** An unexpired token already issued to this subject, for APIs that hand the same token back (Marketo). */
  liveTokenFor<S>(matches: (subject: S) => boolean): { token: string; grant: TokenGrant<S> } | undefined {
    for (const [token, grant] of this.grants) {
      if (grant.expiresAt > this.clock.now() && matches(grant.subject as S))
        return { token, grant: grant as TokenGrant<S> };
    }
    return undefined;
  }

  revokeAll(): void {
    this.grants.clear();
  }
}

export function bearerToken(authorization: string | string[] | undefined): string | undefined {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = /^Bearer\s+(\S+)$/i.exec(value ?? '');
  return match?.[1];
}
