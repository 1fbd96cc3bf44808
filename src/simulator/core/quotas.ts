import { z } from 'zod';
import type { FaultResponseKind, SimulatorModuleName } from './module';
import { TokenBuckets } from './token-buckets';

/**
 * The request quotas the remote APIs themselves enforce, per tenant: not a
 * fault but part of their contract, so off unless configured (tests would
 * otherwise wait on them) and set by the benchmarks. Marketo's are documented
 * (100 calls per 20 s and 10 at once per instance: error 606 and 615 in a 200
 * envelope); Experience Platform documents none, so its rate is ours.
 */
export const quotaSettingsSchema = z
  .object({
    /** Flow Service and Data Prep together, per organisation. */
    platform: z
      .object({
        requestsPerSecond: z.number().positive(),
        burst: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    marketo: z
      .object({
        callsPerWindow: z.number().int().positive().default(100),
        windowSeconds: z.number().positive().default(20),
        concurrent: z.number().int().positive().default(10),
      })
      .strict()
      .optional(),
  })
  .strict();

export type QuotaSettings = z.output<typeof quotaSettingsSchema>;
export type QuotaSettingsInput = z.input<typeof quotaSettingsSchema>;

type Family = 'platform' | 'marketo';

const FAMILY: Partial<Record<SimulatorModuleName, Family>> = {
  flowService: 'platform',
  dataPrep: 'platform',
  marketo: 'marketo',
};

export interface QuotaStats {
  /** Requests that reached the API, throttled ones included. */
  requests: number;
  throttled: number;
  /** Requests let through in each wall-clock second since the quota was set, oldest first. */
  admittedPerSecond: number[];
}

export type Admission =
  | { type: 'pass'; release: () => void }
  | { type: 'respond'; kind: FaultResponseKind; retryAfterSeconds: number };

/** Enforces the configured quotas; keeps what it let through per second, for the benchmarks. */
export class QuotaEnforcer {
  private settings: QuotaSettings = {};
  private readonly buckets = new TokenBuckets();
  private readonly windows = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();
  private startedAt = Date.now();
  stats: Partial<Record<Family, QuotaStats>> = {};

  configure(input: QuotaSettingsInput): void {
    this.settings = quotaSettingsSchema.parse(input);
    this.buckets.clear();
    this.windows.clear();
    this.stats = {};
    this.startedAt = Date.now();
  }

  current(): QuotaSettings {
    return structuredClone(this.settings);
  }

  admit(module: SimulatorModuleName, tenant: string, now = Date.now()): Admission {
    const family = FAMILY[module];
    if (!family || !this.settings[family]) return { type: 'pass', release: () => undefined };
    const stats = (this.stats[family] ??= { requests: 0, throttled: 0, admittedPerSecond: [] });
    stats.requests += 1;
    const key = `${family}:${tenant}`;
    const refusal = family === 'platform' ? this.platformRefusal(key, now) : this.marketoRefusal(key, now);
    if (refusal) {
      stats.throttled += 1;
      return refusal;
    }
    const second = Math.max(0, Math.floor((now - this.startedAt) / 1000));
    while (stats.admittedPerSecond.length <= second) stats.admittedPerSecond.push(0);
    stats.admittedPerSecond[second]! += 1;
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    let released = false;
    return {
      type: 'pass',
      release: () => {
        if (released) return;
        released = true;
        this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
      },
    };
  }

  private platformRefusal(key: string, now: number): Admission | undefined {
    const waitSeconds = this.buckets.take(key, this.settings.platform!, now);
    if (waitSeconds === 0) return undefined;
    return { type: 'respond', kind: 'rate-limited', retryAfterSeconds: Math.max(1, waitSeconds) };
  }

  private marketoRefusal(key: string, now: number): Admission | undefined {
    const limit = this.settings.marketo!;
    if ((this.inFlight.get(key) ?? 0) >= limit.concurrent)
      return { type: 'respond', kind: 'concurrency-limited', retryAfterSeconds: 1 };
    const windowMs = limit.windowSeconds * 1000;
    const calls = (this.windows.get(key) ?? []).filter((at) => at > now - windowMs);
    this.windows.set(key, calls);
    if (calls.length >= limit.callsPerWindow) {
      const waitSeconds = Math.ceil((calls[0]! + windowMs - now) / 1000);
      return { type: 'respond', kind: 'rate-limited', retryAfterSeconds: Math.max(1, waitSeconds) };
    }
    calls.push(now);
    return undefined;
  }
}
