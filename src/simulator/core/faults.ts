import { z } from 'zod';
import type { FaultResponseKind, SimulatorModuleName } from './module';
import { TokenBuckets } from './token-buckets';

const moduleNameSchema = z.enum(['ims', 'flowService', 'dataPrep', 'sfmc', 'marketo', 'salesConnect']);

/** Experience Platform sandbox names, as the `x-sandbox-name` header carries them. */
const sandboxesSchema = z.array(z.string().min(1)).min(1);

const scriptedFaultSchema = z
  .object({
    kind: z.enum([
      'server-error',
      'rate-limited',
      'forbidden',
      'drop-after-commit',
      'concurrent-edit',
      'unavailable',
      'connection-reset',
    ]),
    count: z.number().int().positive().default(1),
    method: z.string().toUpperCase().optional(),
    /** Only requests of these sandboxes; a request of no sandbox (IMS, SFMC, Marketo, Sales Connect) never matches. */
    sandboxes: sandboxesSchema.optional(),
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
    /**
     * Restrict every fault below to requests of these Experience Platform
     * sandboxes (`x-sandbox-name`); requests of no sandbox are left alone.
     */
    sandboxes: sandboxesSchema.optional(),
    rateLimit: z
      .object({ requestsPerSecond: z.number().positive(), burst: z.number().int().positive().optional() })
      .strict()
      .optional(),
    latencyMs: z.number().int().min(0).optional(),
    serverErrorRate: z.number().min(0).max(1).optional(),
    /** Share of requests whose connection is reset without an answer, before they are handled. */
    connectionResetRate: z.number().min(0).max(1).optional(),
    /** Share of requests answered 503 Service Unavailable (in the module's own error shape), before they are handled. */
    unavailableRate: z.number().min(0).max(1).optional(),
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
  connectionResets: number;
  unavailable: number;
}

/** `reset`: destroy the connection without a word, as a peer that resets it (ECONNRESET for the client). */
export type FaultDecision =
  | { type: 'pass' }
  | { type: 'reset' }
  | { type: 'respond'; kind: FaultResponseKind; retryAfterSeconds: number };

/** Whether a request of `sandbox` (none for APIs outside Experience Platform) is in the list; any request when there is no list. */
function inSandboxes(sandboxes: string[] | undefined, sandbox: string | undefined): boolean {
  return !sandboxes || (sandbox !== undefined && sandboxes.includes(sandbox));
}

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

  private applies(module: SimulatorModuleName, sandbox: string | undefined): boolean {
    return (
      (!this.settings.modules || this.settings.modules.includes(module)) &&
      inSandboxes(this.settings.sandboxes, sandbox)
    );
  }

  private statsFor(module: SimulatorModuleName): FaultStats {
    return (this.stats[module] ??= {
      requests: 0,
      rateLimited: 0,
      serverErrors: 0,
      droppedAfterCommit: 0,
      connectionResets: 0,
      unavailable: 0,
    });
  }

  /** Whether a random draw falls under the rate; no draw when the rate is unset, so seeded sequences stay as they were. */
  private draw(rate: number | undefined): boolean {
    return rate !== undefined && rate > 0 && this.random() < rate;
  }

  private takeScripted(kind: string, method: string, path: string, sandbox: string | undefined): boolean {
    const script = this.settings.script;
    const index = script?.findIndex(
      (rule) =>
        rule.kind === kind &&
        inSandboxes(rule.sandboxes, sandbox) &&
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

  /**
   * Before the handler runs: rate limits, refusals, resets, unavailability and
   * injected server errors. `sandbox`: the Experience Platform sandbox the
   * request addresses, none for other APIs.
   */
  beforeHandling(
    module: SimulatorModuleName,
    tenant: string,
    method: string,
    path: string,
    sandbox?: string,
  ): FaultDecision {
    const stats = this.statsFor(module);
    stats.requests += 1;
    if (!this.applies(module, sandbox)) return { type: 'pass' };

    const wait = this.rateLimitWaitSeconds(`${module}:${tenant}`);
    if (wait > 0 || this.takeScripted('rate-limited', method, path, sandbox)) {
      stats.rateLimited += 1;
      return { type: 'respond', kind: 'rate-limited', retryAfterSeconds: Math.max(1, wait) };
    }
    if (this.takeScripted('forbidden', method, path, sandbox)) {
      return { type: 'respond', kind: 'forbidden', retryAfterSeconds: 0 };
    }
    if (
      this.takeScripted('connection-reset', method, path, sandbox) ||
      this.draw(this.settings.connectionResetRate)
    ) {
      stats.connectionResets += 1;
      return { type: 'reset' };
    }
    if (this.takeScripted('unavailable', method, path, sandbox) || this.draw(this.settings.unavailableRate)) {
      stats.unavailable += 1;
      return { type: 'respond', kind: 'unavailable', retryAfterSeconds: 1 };
    }
    if (
      this.takeScripted('server-error', method, path, sandbox) ||
      this.random() < (this.settings.serverErrorRate ?? 0)
    ) {
      stats.serverErrors += 1;
      return { type: 'respond', kind: 'server-error', retryAfterSeconds: 1 };
    }
    return { type: 'pass' };
  }

  /** Whether another client should change the addressed object just before this request (a scripted race). */
  concurrentEdit(module: SimulatorModuleName, method: string, path: string, sandbox?: string): boolean {
    return this.applies(module, sandbox) && this.takeScripted('concurrent-edit', method, path, sandbox);
  }

  /**
   * After a request was handled (a write committed): whether to drop the
   * answer on the floor. The random rate concerns writes only; a scripted
   * drop hits exactly the request it names, a read included.
   */
  dropAfterCommit(
    module: SimulatorModuleName,
    method: string,
    path: string,
    write: boolean,
    sandbox?: string,
  ): boolean {
    if (!this.applies(module, sandbox)) return false;
    const drop =
      this.takeScripted('drop-after-commit', method, path, sandbox) ||
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
