import type { SimulatorContext } from '../core/module';

/** Marketo access tokens live an hour. */
export const TOKEN_LIFETIME_SECONDS = 3600;
const FORGET_EXPIRED_AFTER_MS = 24 * 3600 * 1000;

interface MarketoTokenSubject {
  api: 'marketo';
  munchkinId: string;
  clientId: string;
  /** When the token dies as far as `expires_in` told the client. */
  nominalExpiresAt: number;
}

function isMarketoSubject(subject: unknown): subject is MarketoTokenSubject {
  return typeof subject === 'object' && subject !== null && (subject as { api?: unknown }).api === 'marketo';
}

export type TokenCheck = { valid: true } | { valid: false; code: '601' | '602' };

/**
 * Issues and checks tokens on top of the shared TokenRegistry, adding the two
 * things Marketo does differently: the same token is handed back until it
 * expires, and an expired token (602) is told apart from an unknown one (601).
 */
export class MarketoAccessTokens {
  /** When each token issued here actually dies, which the registry forgets once it has. */
  private readonly deaths = new Map<string, number>();

  constructor(private readonly context: Pick<SimulatorContext, 'clock' | 'tokens'>) {}

  grant(munchkinId: string, clientId: string): { token: string; expiresIn: number } {
    const now = this.context.clock.now();
    const live = this.context.tokens.liveTokenFor<unknown>(
      (subject) =>
        isMarketoSubject(subject) &&
        subject.munchkinId === munchkinId &&
        subject.clientId === clientId &&
        subject.nominalExpiresAt > now,
    );
    if (live && isMarketoSubject(live.grant.subject)) {
      return { token: live.token, expiresIn: Math.floor((live.grant.subject.nominalExpiresAt - now) / 1000) };
    }
    this.forgetLongExpired(now);
    const subject: MarketoTokenSubject = {
      api: 'marketo',
      munchkinId,
      clientId,
      nominalExpiresAt: now + TOKEN_LIFETIME_SECONDS * 1000,
    };
    const issued = this.context.tokens.issue(subject, TOKEN_LIFETIME_SECONDS);
    const grant = this.context.tokens.check(issued.token);
    this.deaths.set(issued.token, grant?.expiresAt ?? now);
    return issued;
  }

  check(token: string | undefined, munchkinId: string): TokenCheck {
    if (!token) return { valid: false, code: '601' };
    const grant = this.context.tokens.check<unknown>(token);
    if (grant) {
      return isMarketoSubject(grant.subject) && grant.subject.munchkinId === munchkinId
        ? { valid: true }
        : { valid: false, code: '601' };
    }
    const diedAt = this.deaths.get(token);
    return diedAt !== undefined && diedAt <= this.context.clock.now()
      ? { valid: false, code: '602' }
      : { valid: false, code: '601' };
  }

  private forgetLongExpired(now: number): void {
    for (const [token, diedAt] of this.deaths) {
      if (diedAt < now - FORGET_EXPIRED_AFTER_MS) this.deaths.delete(token);
    }
  }
}
