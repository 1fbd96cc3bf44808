import { z } from 'zod';
import type { SimulatorClock } from './clock';
import { faultSettingsSchema, type FaultInjector } from './faults';
import { quotaSettingsSchema, type QuotaEnforcer } from './quotas';
import type { SeedOptions } from './module';
import type { RequestLog } from './request-log';
import type { Router, SimResponse } from './router';
import type { PersistedState } from './state-store';
import type { TokenRegistry } from './tokens';

export interface AdminDependencies {
  snapshot(): PersistedState;
  faults: FaultInjector;
  quotas: QuotaEnforcer;
  clock: SimulatorClock;
  requests: RequestLog;
  tokens: TokenRegistry;
  reseed(seed: SeedOptions): void;
}

export const seedOptionsSchema = z
  .object({
    profile: z.enum(['empty', 'demo', 'large']),
    sandboxes: z.number().int().positive().max(100).optional(),
    flowsPerSandbox: z.number().int().positive().max(10_000).optional(),
    marketoFlowsPerSandbox: z.number().int().min(0).max(10_000).optional(),
  })
  .strict();

const clockChangeSchema = z
  .object({ advanceMs: z.number().int().min(0).optional(), speed: z.number().positive().optional() })
  .strict();

/** The one 400 every admin route answers for a body it cannot use. */
export function invalidAdminRequest(error: z.ZodError): SimResponse {
  return {
    status: 400,
    body: {
      error: 'invalid_admin_request',
      problems: error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`),
    },
  };
}

/** Local-only controls, under /__admin, apart from the emulated APIs. */
export function registerAdminRoutes(router: Router, deps: AdminDependencies): void {
  router.get('/__admin/health', () => ({ status: 200, body: { status: 'ok' } }));
  router.get('/__admin/state', () => ({ status: 200, body: deps.snapshot() }));

  router.get('/__admin/faults', () => ({ status: 200, body: deps.faults.current() }));
  router.put('/__admin/faults', (request) => {
    const parsed = faultSettingsSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalidAdminRequest(parsed.error);
    deps.faults.configure(parsed.data);
    return { status: 200, body: deps.faults.current() };
  });
  router.delete('/__admin/faults', () => {
    deps.faults.configure({});
    return { status: 204 };
  });
  router.get('/__admin/stats', () => ({ status: 200, body: deps.faults.stats }));

  router.get('/__admin/quotas', () => ({
    status: 200,
    body: { settings: deps.quotas.current(), stats: deps.quotas.stats },
  }));
  router.put('/__admin/quotas', (request) => {
    const parsed = quotaSettingsSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalidAdminRequest(parsed.error);
    deps.quotas.configure(parsed.data);
    return { status: 200, body: deps.quotas.current() };
  });

  router.get('/__admin/requests', (request) => ({
    status: 200,
    body: deps.requests.list({
      module: request.query.get('module') ?? undefined,
      method: request.query.get('method') ?? undefined,
      pathContains: request.query.get('pathContains') ?? undefined,
    }),
  }));

  router.post('/__admin/clock', (request) => {
    const parsed = clockChangeSchema.safeParse(request.body ?? {});
    if (!parsed.success) return invalidAdminRequest(parsed.error);
    if (parsed.data.speed) deps.clock.setSpeed(parsed.data.speed);
    if (parsed.data.advanceMs) deps.clock.advance(parsed.data.advanceMs);
    return { status: 200, body: { now: deps.clock.now(), speed: deps.clock.currentSpeed } };
  });
  router.get('/__admin/clock', () => ({
    status: 200,
    body: { now: deps.clock.now(), speed: deps.clock.currentSpeed },
  }));

  router.post('/__admin/tokens/revoke', () => {
    deps.tokens.revokeAll();
    return { status: 204 };
  });

  router.post('/__admin/reset', (request) => {
    const parsed = seedOptionsSchema.safeParse(request.body ?? { profile: 'empty' });
    if (!parsed.success) return invalidAdminRequest(parsed.error);
    deps.reseed(parsed.data);
    deps.requests.clear();
    return { status: 200, body: { seeded: parsed.data } };
  });
}
