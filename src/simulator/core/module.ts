import type { SimulatorClock } from './clock';
import type { Router, SimRequest, SimResponse } from './router';
import type { TokenRegistry } from './tokens';

export type SimulatorModuleName = 'ims' | 'flowService' | 'dataPrep' | 'sfmc' | 'marketo' | 'salesConnect';

export type SeedProfileName = 'empty' | 'demo' | 'large';

export interface SeedOptions {
  profile: SeedProfileName;
  /** `large` only: how many sandboxes per org and V1 flows of each kind per sandbox. */
  sandboxes?: number;
  flowsPerSandbox?: number;
  /** `large` only: Marketo V1 destination flows per sandbox, when it should differ from `flowsPerSandbox`. */
  marketoFlowsPerSandbox?: number;
}

/** What every module's routes may use; the simulator owns all of it. */
export interface SimulatorContext {
  clock: SimulatorClock;
  tokens: TokenRegistry;
  /** How long a newly created object stays invisible to list endpoints (eventual consistency fault). */
  listVisibilityDelayMs(): number;
  /** Absolute base URL of this simulator, e.g. http://127.0.0.1:4010, for URLs a response hands out. */
  baseUrl(): string;
  /** Marks state as changed so it is persisted. */
  changed(): void;
  newId(): string;
}

/**
 * `forbidden`: the credential may not do this (a scripted 403 on one object, e.g. a V1 dataflow).
 * `concurrency-limited`: too many calls at once (Marketo's 615); APIs without such a limit answer it as rate-limited.
 * `unavailable`: a 503 Service Unavailable, as a service that is down or overloaded answers.
 */
export type FaultResponseKind =
  'rate-limited' | 'concurrency-limited' | 'server-error' | 'forbidden' | 'unavailable';

/**
 * One emulated API. Each module owns a JSON-serialisable slice of the
 * simulator's state (persisted under its name) and the routes of its host,
 * mounted under its path prefix.
 */
export interface SimulatorModule<S> {
  readonly name: SimulatorModuleName;
  /** First path segment(s) standing for the real host, e.g. "/platform". */
  readonly prefix: string;
  initialState(): S;
  seed(state: S, options: SeedOptions): void;
  register(router: Router, state: () => S, context: SimulatorContext): void;
  /** Optional local-only controls under `/__admin/<name>/…` (e.g. require a specific secret). */
  registerAdmin?(router: Router, state: () => S, context: SimulatorContext): void;
  /** Key for per-tenant rate limits (an org, a Marketo instance, an SFMC subdomain). */
  tenantOf(request: SimRequest): string;
  /** The Experience Platform sandbox a request addresses, for faults aimed at one sandbox; APIs without sandboxes leave it out. */
  sandboxOf?(request: SimRequest): string | undefined;
  /** How this API answers an injected fault, in its own error format. */
  faultResponse(kind: FaultResponseKind, retryAfterSeconds: number): SimResponse;
  /** Human-readable base URLs printed at start-up. */
  describeBaseUrls(baseUrl: string): Record<string, string>;
  /** Another client updates the object at `path` (new etag), so the next conditional write meets a real 412. */
  simulateConcurrentEdit?(state: S, path: string): void;
}
