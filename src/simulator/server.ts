import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { registerAdminRoutes } from './core/admin';
import { adminRefusal } from './core/admin-guard';
import { SimulatorClock } from './core/clock';
import { FaultInjector, type FaultSettingsInput } from './core/faults';
import { QuotaEnforcer, type QuotaSettingsInput } from './core/quotas';
import { readBody, writeResponse } from './core/http-io';
import type { SeedOptions, SimulatorContext, SimulatorModule } from './core/module';
import { RequestLog } from './core/request-log';
import { Router, type SimRequest } from './core/router';
import { StateFile, stateVersion, type PersistedState } from './core/state-store';
import { TokenRegistry } from './core/tokens';
import { allSimulatorModules } from './modules';

export interface SimulatorOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Used when no state file exists yet (or none is given). */
  seed?: SeedOptions;
  /** Persist state here; a restart with the same file continues where it stopped. */
  stateFile?: string;
  /** Simulated seconds per real second (runs progress and tokens age this much faster). */
  speed?: number;
  faults?: FaultSettingsInput;
  /** The APIs' own request quotas (Marketo's documented ones, a rate for Experience Platform); none by default. */
  quotas?: QuotaSettingsInput;
  modules?: ReadonlyArray<SimulatorModule<unknown>>;
  /** When set, the admin API also needs `authorization: Bearer <adminToken>`. */
  adminToken?: string;
}

export interface RunningSimulator {
  baseUrl: string;
  port: number;
  clock: SimulatorClock;
  faults: FaultInjector;
  quotas: QuotaEnforcer;
  requests: RequestLog;
  /** One line per emulated API: the base URL a client is pointed at. */
  baseUrls: Record<string, string>;
  /** Every emulated route, by module. */
  routes: Array<{ module: string; method: string; pattern: string }>;
  snapshot(): PersistedState;
  close(): Promise<void>;
}

type ModuleStates = Record<string, unknown>;

function seededStates(modules: ReadonlyArray<SimulatorModule<unknown>>, seed: SeedOptions): ModuleStates {
  return Object.fromEntries(
    modules.map((module) => {
      const state = module.initialState();
      module.seed(state, seed);
      return [module.name, state];
    }),
  );
}

/**
 * One HTTP server, one port, for every emulated API (each under the path
 * prefix that stands for its real host) plus the local-only /__admin API.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const modules = options.modules ?? allSimulatorModules;
  const host = options.host ?? '127.0.0.1';
  const faults = new FaultInjector();
  faults.configure(options.faults ?? {});
  const quotas = new QuotaEnforcer();
  quotas.configure(options.quotas ?? {});
  const requests = new RequestLog();

  let states: ModuleStates;
  let clock: SimulatorClock;
  const snapshot = (): PersistedState => ({
    version: stateVersion() as 1,
    savedAt: new Date().toISOString(),
    clock: { now: clock.now(), speed: clock.currentSpeed },
    modules: states,
  });
  const stateFile = options.stateFile ? new StateFile(options.stateFile, snapshot) : undefined;
  const restored = stateFile?.load();
  if (restored) {
    states = { ...seededStates(modules, { profile: 'empty' }), ...restored.modules };
    clock = new SimulatorClock(options.speed ?? restored.clock.speed, restored.clock.now);
  } else {
    states = seededStates(modules, options.seed ?? { profile: 'empty' });
    clock = new SimulatorClock(options.speed ?? 1);
  }

  const tokens = new TokenRegistry(clock, () => faults.tokenLifetimeSeconds);
  let baseUrl = '';
  const context: SimulatorContext = {
    clock,
    tokens,
    listVisibilityDelayMs: () => faults.listVisibilityDelayMs,
    baseUrl: () => baseUrl,
    changed: () => stateFile?.scheduleSave(),
    newId: () => randomUUID(),
  };

  const moduleRouters = modules.map((module) => {
    const router = new Router();
    module.register(router, () => states[module.name], context);
    return { module, router };
  });
  const adminRouter = new Router();
  for (const module of modules) module.registerAdmin?.(adminRouter, () => states[module.name], context);
  registerAdminRoutes(adminRouter, {
    snapshot,
    faults,
    quotas,
    clock,
    requests,
    tokens,
    reseed: (seed) => {
      states = seededStates(modules, seed);
      tokens.revokeAll();
      stateFile?.saveNow();
    },
  });

  const server = http.createServer((incoming, outgoing) => {
    void (async () => {
      const url = new URL(incoming.url ?? '/', 'http://simulator');
      const method = (incoming.method ?? 'GET').toUpperCase();
      const owner = url.pathname.startsWith('/__admin')
        ? undefined
        : moduleRouters.find(
            ({ module }) => url.pathname === module.prefix || url.pathname.startsWith(`${module.prefix}/`),
          );
      const router = owner?.router ?? adminRouter;
      const match = router.match(method, url.pathname);
      const parsed = await readBody(incoming);
      const request: SimRequest = {
        method,
        path: url.pathname,
        params: match && 'handler' in match ? match.params : {},
        query: url.searchParams,
        headers: incoming.headers,
        body: parsed.body,
      };
      const route = match && 'pattern' in match ? match.pattern : undefined;
      const sandbox = owner?.module.sandboxOf?.(request);
      if (!owner) {
        const refusal = adminRefusal(method, incoming.headers, options.adminToken);
        if (refusal) {
          writeResponse(outgoing, refusal);
          return;
        }
      }
      const log = (status: number, dropped = false) =>
        requests.record({
          at: clock.now(),
          module: owner?.module.name ?? 'admin',
          method,
          path: url.pathname,
          route,
          query: url.searchParams,
          status,
          dropped,
        });

      if (owner) {
        if (faults.latencyMs) await delay(faults.latencyMs);
        const tenant = owner.module.tenantOf(request);
        const decision = faults.beforeHandling(owner.module.name, tenant, method, url.pathname, sandbox);
        if (decision.type === 'reset') {
          // Nothing handled, nothing answered: the client sees its connection reset.
          log(0);
          outgoing.socket?.resetAndDestroy();
          outgoing.destroy();
          return;
        }
        if (decision.type === 'respond') {
          const result = owner.module.faultResponse(decision.kind, decision.retryAfterSeconds);
          log(result.status);
          writeResponse(outgoing, result);
          return;
        }
        const admission = quotas.admit(owner.module.name, tenant);
        if (admission.type === 'respond') {
          const result = owner.module.faultResponse(admission.kind, admission.retryAfterSeconds);
          log(result.status);
          writeResponse(outgoing, result);
          return;
        }
        outgoing.once('close', admission.release);
        if (faults.concurrentEdit(owner.module.name, method, url.pathname, sandbox)) {
          owner.module.simulateConcurrentEdit?.(states[owner.module.name] as never, url.pathname);
        }
      }
      if (!match) {
        log(404);
        writeResponse(outgoing, {
          status: 404,
          body: { error: 'not_found', message: `No route for ${method} ${url.pathname}` },
        });
        return;
      }
      if (!('handler' in match)) {
        log(405);
        writeResponse(outgoing, {
          status: 405,
          headers: { allow: match.allowed.join(', ') },
          body: { error: 'method_not_allowed' },
        });
        return;
      }
      if (parsed.error && owner) {
        log(400);
        writeResponse(outgoing, { status: 400, body: { error: 'bad_request', message: parsed.error } });
        return;
      }
      const result = await match.handler(request);
      if (
        owner &&
        result.status < 400 &&
        faults.dropAfterCommit(owner.module.name, method, url.pathname, Boolean(match.options.write), sandbox)
      ) {
        log(result.status, true);
        outgoing.destroy();
        return;
      }
      log(result.status);
      writeResponse(outgoing, result);
    })().catch((error: unknown) => {
      if (outgoing.headersSent || outgoing.destroyed) return;
      try {
        writeResponse(outgoing, {
          status: 500,
          body: { error: 'simulator_error', message: (error as Error).message },
        });
      } catch {
        outgoing.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4010, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  stateFile?.saveNow();

  return {
    baseUrl,
    port,
    clock,
    faults,
    quotas,
    requests,
    baseUrls: Object.assign({}, ...modules.map((module) => module.describeBaseUrls(baseUrl))) as Record<
      string,
      string
    >,
    routes: moduleRouters.flatMap(({ module, router }) =>
      router.describe().map((route) => ({ module: module.name, ...route })),
    ),
    snapshot,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      stateFile?.saveNow();
    },
  };
}
