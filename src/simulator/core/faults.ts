import { z } from 'zod';
import type { FaultResponseKind, SimulatorModuleName } from './module';
import { TokenBuckets } from './token-buckets';

const moduleNameSchema = z.enum(['ims', 'flowService', 'dataPrep', 'sfmc', 'marketo', 'salesConnect']);

const scriptedFaultSchema = z
  .object({
    kind: z.enum(['server-error', 'rate-limited', 'forbidden', 'drop-after-commit', 'concurrent-edit']),
    count: z.number().int().positive().default(1),
    method: z.string().toUpperCase().optional(),
    pathContains: z.string().optional(),
    /** A regular expression the whole path must match, e.g. `/flowservice/flows$` (creates, not actions). */
    pathMatches: z
      .string()
      .refine(
        (pattern) => {
          try {
            new RegExp(pattern);
            return true;
          } catch {
            return false;
          }
        },
        { error: 'expected a regular expression' },
      )
      .optional(),
    /** Matching requests to let through before the fault hits (0: the very next one). */
    skip: z.number().int().min(0).default(0),
  })
  .strict();

export const faultSettingsSchema = z
  .object({
    /** Restrict every fault below to these modules; all modules when absent. */
    modules: z.array(moduleNameSchema).optional(),
    rateLimit: z
      .object({ requestsPerSecond: z.number().positive(), burst: z.number().int().positive().optional() })
      .strict()
      .optional(),
    latencyMs: z.number().int().min(0).optional(),
    serverErrorRate: z.number().min(0).max(1).optional(),
    /** Share of writes whose response is dropped after the change was committed. */
    dropAfterCommitRate: z.number().min(0).max(1).optional(),
    /** Every token dies after this many seconds, whatever `expires_in` said. */
    tokenLifetimeSeconds: z.number().positive().optional(),
    /** Created objects stay out of list results this long. */
    listVisibilityDelayMs: z.number().int().min(0).optional(),
    /** Deterministic faults for the next matching requests, consumed in order. */
    script: z.array(scriptedFaultSchema).optional(),
    /** Seed for the random fault rates, so a run can be repeated. */
    seed: z.number().int().optional(),
  })
  .strict();

export type FaultSettings = z.output<typeof faultSettingsSchema>;
export type FaultSettingsInput = z.input<typeof faultSettingsSchema>;

export interface FaultStats {
  requests: number;
  rateLimited: number;
  serverErrors: number;
  droppedAfterCommit: number;
}

export type FaultDecision =
  { type: 'pass' } | { type: 'respond'; kind: FaultResponseKind; retryAfterSeconds: number };

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides, per request, whether the simulator misbehaves and how. */
export class FaultInjector {
  private settings: FaultSettings = {};
  private random: () => number = Math.random;
  private readonly buckets = new TokenBuckets();
  readonly stats: Record<string, FaultStats> = {};

  constructor(private readonly realNow: () => number = Date.now) {}

  configure(input: FaultSettingsInput): void {
    const settings = faultSettingsSchema.parse(input);
    this.settings = settings;
    this.random = settings.seed === undefined ? Math.random : mulberry32(settings.seed);
    this.buckets.clear();
  }

  current(): FaultSettings {
    return structuredClone(this.settings);
  }

  get tokenLifetimeSeconds(): number | undefined {
    return this.settings.tokenLifetimeSeconds;
  }

  get listVisibilityDelayMs(): number {
    return this.settings.listVisibilityDelayMs ?? 0;
  }

  get latencyMs(): number {
    return this.settings.latencyMs ?? 0;
  }

  private applies(module: SimulatorModuleName): boolean {
    return !this.settings.modules || this.settings.modules.includes(module);
  }

  private statsFor(module: SimulatorModuleName): FaultStats {
    return (this.stats[module] ??= { requests: 0, rateLimited: 0, serverErrors: 0, droppedAfterCommit: 0 });
  }

  private takeScripted(kind: string, method: string, path: string): boolean {
    const script = this.settings.script;
    const index = script?.findIndex(
      (rule) =>
        rule.kind === kind &&
        (!rule.method || rule.method === method) &&
        (!rule.pathContains || path.includes(rule.pathContains)) &&
        (!rule.pathMatches || new RegExp(rule.pathMatches).test(path)),
    );
    if (script === undefined || index === undefined || index < 0) return false;
    const rule = script[index]!;
    if (rule.skip > 0) {
      rule.skip -= 1;
      return false;
    }
    rule.count -= 1;
    if (rule.count <= 0) script.splice(index, 1);
    return true;
  }

  /** Before the handler runs: rate limits and injected server errors. */
  beforeHandling(module: SimulatorModuleName, tenant: string, method: string, path: string): FaultDecision {
    const stats = this.statsFor(module);
    stats.requests += 1;
    if (!this.applies(module)) return { type: 'pass' };

    const wait = this.rateLimitWaitSeconds(`${module}:${tenant}`);
    if (wait > 0 || this.takeScripted('rate-limited', method, path)) {
      stats.rateLimited += 1;
      return { type: 'respond', kind: 'rate-limited', retryAfterSeconds: Math.max(1, wait) };
    }
    if (this.takeScripted('forbidden', method, path)) {
      return { type: 'respond', kind: 'forbidden', retryAfterSeconds: 0 };
    }
    if (
      this.takeScripted('server-error', method, path) ||
      this.random() < (this.settings.serverErrorRate ?? 0)
    ) {
      stats.serverErrors += 1;
      return { type: 'respond', kind: 'server-error', retryAfterSeconds: 1 };
    }
    return { type: 'pass' };
  }

  /** Whether another client should change the addressed object just before this request (a scripted race). */
  concurrentEdit(module: SimulatorModuleName, method: string, path: string): boolean {
    return this.applies(module) && this.takeScripted('concurrent-edit', method, path);
  }

  /**
   * After a request was handled (a write committed): whether to drop the
   * answer on the floor. The random rate concerns writes only; a scripted
   * drop hits exactly the request it names, a read included.
   */
  dropAfterCommit(module: SimulatorModuleName, method: string, path: string, write: boolean): boolean {
    if (!this.applies(module)) return false;
    const drop =
      this.takeScripted('drop-after-commit', method, path) ||
      (write && this.random() < (this.settings.dropAfterCommitRate ?? 0));
    if (drop) this.statsFor(module).droppedAfterCommit += 1;
    return drop;
  }

  /** Whole seconds until a request of this tenant would be allowed; 0 when allowed now. */
  private rateLimitWaitSeconds(key: string): number {
    const limit = this.settings.rateLimit;
    return limit ? this.buckets.take(key, limit, this.realNow()) : 0;
  }
}
