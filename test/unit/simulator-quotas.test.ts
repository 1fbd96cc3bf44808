/**
 * The simulator enforces the remote APIs' own quotas only when asked to:
 * Experience Platform's rate as one token bucket per organisation shared by
 * Flow Service and Data Prep, Marketo's 100 calls per 20 s and 10 at once per
 * instance; it counts what it let through for the benchmarks, and the admin
 * API sets and reports all of it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SimulatorModuleName } from '../../src/simulator/core/module';
import { QuotaEnforcer, quotaSettingsSchema, type Admission } from '../../src/simulator/core/quotas';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';

const T0 = Date.UTC(2025, 0, 1);
const allModules: SimulatorModuleName[] = [
  'ims',
  'flowService',
  'dataPrep',
  'sfmc',
  'marketo',
  'salesConnect',
];

function enforcer(settings: Parameters<QuotaEnforcer['configure']>[0]): QuotaEnforcer {
  const quotas = new QuotaEnforcer();
  quotas.configure(settings);
  return quotas;
}

function passed(admission: Admission): () => void {
  expect(admission.type).toBe('pass');
  return admission.type === 'pass' ? admission.release : () => undefined;
}

/** Admits `count` calls at `now`, releasing none; how many passed. */
function burst(
  quotas: QuotaEnforcer,
  module: SimulatorModuleName,
  tenant: string,
  now: number,
  count: number,
) {
  let passes = 0;
  for (let i = 0; i < count; i++) if (quotas.admit(module, tenant, now).type === 'pass') passes += 1;
  return passes;
}

describe('QuotaEnforcer', () => {
  // The per-second stats count from the moment of configure(), read from Date.now.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('when no quota is configured', () => {
    it('lets every module through, however many calls arrive at once', () => {
      for (const quotas of [new QuotaEnforcer(), enforcer({})])
        for (const module of allModules) expect(burst(quotas, module, 'tenant', T0, 1_000)).toBe(1_000);
    });

    it('keeps no stats', () => {
      const quotas = enforcer({});
      burst(quotas, 'marketo', 'tenant', T0, 10);
      expect(quotas.stats).toEqual({});
    });
  });

  describe('Experience Platform', () => {
    const platform = { platform: { requestsPerSecond: 20 } };

    it('lets a burst of 20 through, refuses the 21st in the same millisecond as rate-limited', () => {
      const quotas = enforcer(platform);
      expect(burst(quotas, 'flowService', 'org-a', T0, 20)).toBe(20);
      const refused = quotas.admit('flowService', 'org-a', T0);
      expect(refused).toMatchObject({ type: 'respond', kind: 'rate-limited' });
      expect(refused.type === 'respond' && refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    });

    it('refills the bucket at the rate: a second later, 20 more pass', () => {
      const quotas = enforcer(platform);
      burst(quotas, 'flowService', 'org-a', T0, 21);
      expect(burst(quotas, 'flowService', 'org-a', T0 + 1_000, 21)).toBe(20);
      expect(burst(quotas, 'flowService', 'org-a', T0 + 1_050, 2)).toBe(1);
    });

    it('counts Flow Service and Data Prep calls against one bucket per organisation', () => {
      const quotas = enforcer(platform);
      expect(burst(quotas, 'flowService', 'org-a', T0, 10)).toBe(10);
      expect(burst(quotas, 'dataPrep', 'org-a', T0, 10)).toBe(10);
      expect(quotas.admit('dataPrep', 'org-a', T0).type).toBe('respond');
      expect(quotas.admit('flowService', 'org-a', T0).type).toBe('respond');
    });

    it('gives another organisation a bucket of its own', () => {
      const quotas = enforcer(platform);
      burst(quotas, 'flowService', 'org-a', T0, 25);
      expect(burst(quotas, 'flowService', 'org-b', T0, 21)).toBe(20);
    });

    it('never holds back modules outside the family, even with the bucket empty', () => {
      const quotas = enforcer(platform);
      burst(quotas, 'flowService', 'anonymous', T0, 25);
      for (const module of ['ims', 'sfmc', 'salesConnect', 'marketo'] as const)
        expect(burst(quotas, module, 'anonymous', T0, 100), module).toBe(100);
    });

    it('sizes the bucket by an explicit burst, and says how long until the next token', () => {
      const quotas = enforcer({ platform: { requestsPerSecond: 0.5, burst: 3 } });
      expect(burst(quotas, 'dataPrep', 'org-a', T0, 4)).toBe(3);
      // At half a token a second, a whole token is two seconds away.
      expect(quotas.admit('dataPrep', 'org-a', T0)).toMatchObject({ retryAfterSeconds: 2 });
      expect(burst(quotas, 'dataPrep', 'org-a', T0 + 2_000, 2)).toBe(1);
    });
  });

  describe('Marketo', () => {
    it('lets 100 calls through per 20 s window and refuses the 101st within it as rate-limited', () => {
      const quotas = enforcer({ marketo: {} });
      for (let i = 0; i < 100; i++) passed(quotas.admit('marketo', 'instance-1', T0 + i * 10))();
      expect(quotas.admit('marketo', 'instance-1', T0 + 1_000)).toMatchObject({
        type: 'respond',
        kind: 'rate-limited',
        retryAfterSeconds: 19,
      });
      expect(quotas.admit('marketo', 'instance-1', T0 + 19_999).type).toBe('respond');
    });

    it('admits the next call once the first has left the window', () => {
      const quotas = enforcer({ marketo: {} });
      for (let i = 0; i < 100; i++) passed(quotas.admit('marketo', 'instance-1', T0 + i * 10))();
      passed(quotas.admit('marketo', 'instance-1', T0 + 20_000))();
      // Only the first call has left; the second, at T0 + 10 ms, still counts.
      expect(quotas.admit('marketo', 'instance-1', T0 + 20_000).type).toBe('respond');
      passed(quotas.admit('marketo', 'instance-1', T0 + 20_010))();
    });

    it('refuses an 11th call in flight as concurrency-limited, and admits the next once one is released', () => {
      const quotas = enforcer({ marketo: {} });
      const releases = Array.from({ length: 10 }, (_, i) =>
        passed(quotas.admit('marketo', 'instance-1', T0 + i)),
      );
      expect(quotas.admit('marketo', 'instance-1', T0 + 10)).toMatchObject({
        type: 'respond',
        kind: 'concurrency-limited',
        retryAfterSeconds: 1,
      });
      releases[0]!();
      passed(quotas.admit('marketo', 'instance-1', T0 + 11));
      expect(quotas.admit('marketo', 'instance-1', T0 + 12)).toMatchObject({ kind: 'concurrency-limited' });
    });

    it('frees one slot only when a release is called twice', () => {
      const quotas = enforcer({ marketo: {} });
      const releases = Array.from({ length: 10 }, (_, i) =>
        passed(quotas.admit('marketo', 'instance-1', T0 + i)),
      );
      releases[3]!();
      releases[3]!();
      passed(quotas.admit('marketo', 'instance-1', T0 + 10));
      expect(quotas.admit('marketo', 'instance-1', T0 + 11)).toMatchObject({ kind: 'concurrency-limited' });
    });

    it('keeps the slots of each instance apart', () => {
      const quotas = enforcer({ marketo: { concurrent: 2 } });
      burst(quotas, 'marketo', 'instance-1', T0, 2);
      expect(quotas.admit('marketo', 'instance-1', T0)).toMatchObject({ kind: 'concurrency-limited' });
      expect(burst(quotas, 'marketo', 'instance-2', T0, 2)).toBe(2);
    });

    it('keeps the window of each instance apart', () => {
      const quotas = enforcer({ marketo: { callsPerWindow: 2 } });
      for (let i = 0; i < 2; i++) passed(quotas.admit('marketo', 'instance-1', T0))();
      expect(quotas.admit('marketo', 'instance-1', T0)).toMatchObject({ kind: 'rate-limited' });
      for (let i = 0; i < 2; i++) passed(quotas.admit('marketo', 'instance-2', T0))();
    });
  });

  describe('stats', () => {
    it('counts requests, throttled ones, and what passed in each second since configure', () => {
      const quotas = enforcer({ platform: { requestsPerSecond: 2 } });
      burst(quotas, 'flowService', 'org-a', T0, 3);
      // 1.5 s refills more than the bucket holds: it stops at its burst of 2.
      burst(quotas, 'dataPrep', 'org-a', T0 + 1_500, 3);
      burst(quotas, 'flowService', 'org-a', T0 + 3_200, 1);
      expect(quotas.stats).toEqual({
        platform: { requests: 7, throttled: 2, admittedPerSecond: [2, 2, 0, 1] },
      });
    });

    it('keeps each family apart, and starts again from zero on configure', () => {
      const quotas = enforcer({ platform: { requestsPerSecond: 1 }, marketo: { concurrent: 1 } });
      burst(quotas, 'flowService', 'org-a', T0, 2);
      burst(quotas, 'marketo', 'instance-1', T0 + 1_000, 2);
      expect(quotas.stats).toEqual({
        platform: { requests: 2, throttled: 1, admittedPerSecond: [1] },
        marketo: { requests: 2, throttled: 1, admittedPerSecond: [0, 1] },
      });

      vi.setSystemTime(T0 + 10_000);
      quotas.configure({ platform: { requestsPerSecond: 1 } });
      expect(quotas.stats).toEqual({});
      burst(quotas, 'flowService', 'org-a', T0 + 10_000, 1);
      expect(quotas.stats).toEqual({ platform: { requests: 1, throttled: 0, admittedPerSecond: [1] } });
    });
  });
});

describe('quotaSettingsSchema', () => {
  it('fills in Marketo’s documented quotas', () => {
    expect(quotaSettingsSchema.parse({ marketo: {} })).toEqual({
      marketo: { callsPerWindow: 100, windowSeconds: 20, concurrent: 10 },
    });
  });

  it.each([
    ['an unknown family', { salesforce: { requestsPerSecond: 1 } }],
    ['an unknown platform key', { platform: { requestsPerSecond: 1, perMinute: 60 } }],
    ['an unknown marketo key', { marketo: { dailyQuota: 50_000 } }],
  ])('rejects %s', (_name, input) => {
    expect(quotaSettingsSchema.safeParse(input).success).toBe(false);
  });

  it.each([
    ['a zero platform rate', { platform: { requestsPerSecond: 0 } }],
    ['a negative platform rate', { platform: { requestsPerSecond: -5 } }],
    ['a zero burst', { platform: { requestsPerSecond: 5, burst: 0 } }],
    ['a zero Marketo window quota', { marketo: { callsPerWindow: 0 } }],
    ['a zero Marketo window', { marketo: { windowSeconds: 0 } }],
    ['a negative Marketo concurrency', { marketo: { concurrent: -1 } }],
  ])('rejects %s', (_name, input) => {
    expect(quotaSettingsSchema.safeParse(input).success).toBe(false);
  });

  it('makes configure throw on settings it rejects, keeping the ones before', () => {
    const quotas = enforcer({ marketo: {} });
    expect(() => quotas.configure({ platform: { requestsPerSecond: 0 } })).toThrow();
    expect(quotas.current()).toEqual({ marketo: { callsPerWindow: 100, windowSeconds: 20, concurrent: 10 } });
  });
});

describe('the simulator’s /__admin/quotas', () => {
  let simulator: RunningSimulator | undefined;
  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });

  it('sets the quotas with PUT and reports settings and stats with GET', async () => {
    simulator = await startSimulator({ port: 0, seed: { profile: 'demo' }, quotas: { marketo: {} } });
    const admin = `${simulator.baseUrl}/__admin/quotas`;
    const json = { 'content-type': 'application/json' };

    expect(await (await fetch(admin)).json()).toEqual({
      settings: { marketo: { callsPerWindow: 100, windowSeconds: 20, concurrent: 10 } },
      stats: {},
    });

    const put = await fetch(admin, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ platform: { requestsPerSecond: 1, burst: 2 } }),
    });
    expect(put.status).toBe(200);
    // A PUT replaces the settings as a whole: Marketo's quota is gone.
    expect(await put.json()).toEqual({ platform: { requestsPerSecond: 1, burst: 2 } });

    // The quota applies to live traffic: the bucket of 2 refuses the third call.
    const flows = `${simulator.baseUrl}/platform/data/foundation/flowservice/flows`;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(flows)).status);
    expect(statuses[2]).toBe(429);

    const report = (await (await fetch(admin)).json()) as {
      settings: unknown;
      stats: { platform?: { requests: number; throttled: number; admittedPerSecond: number[] } };
    };
    expect(report.settings).toEqual({ platform: { requestsPerSecond: 1, burst: 2 } });
    expect(report.stats.platform).toMatchObject({ requests: 3, throttled: 1 });
    expect(report.stats.platform!.admittedPerSecond.reduce((sum, n) => sum + n, 0)).toBe(2);
  });

  it('refuses invalid quotas with 400 and keeps the ones it had', async () => {
    simulator = await startSimulator({ port: 0, seed: { profile: 'demo' }, quotas: { marketo: {} } });
    const admin = `${simulator.baseUrl}/__admin/quotas`;
    const put = await fetch(admin, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: { requestsPerSecond: 0 } }),
    });
    expect(put.status).toBe(400);
    expect(((await (await fetch(admin)).json()) as { settings: unknown }).settings).toEqual({
      marketo: { callsPerWindow: 100, windowSeconds: 20, concurrent: 10 },
    });
  });
});
