/**
 * The simulator's fault injector: faults aimed at one Experience Platform
 * sandbox, connections reset without an answer, and 503s in each API's own
 * error shape. Rates are 0 or 1 here: what a test relies on is scripted, never
 * a random draw.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FaultInjector, faultSettingsSchema } from '../../src/simulator/core/faults';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';

const FLOWS = '/platform/data/foundation/flowservice/flows';

describe('faults aimed at sandboxes', () => {
  it('restricts every fault to the listed sandboxes, and never hits a request of no sandbox', () => {
    const faults = new FaultInjector();
    faults.configure({ sandboxes: ['dev'], serverErrorRate: 1 });
    expect(faults.beforeHandling('flowService', 'org', 'GET', FLOWS, 'dev')).toMatchObject({
      type: 'respond',
      kind: 'server-error',
    });
    expect(faults.beforeHandling('flowService', 'org', 'GET', FLOWS, 'prod')).toEqual({ type: 'pass' });
    expect(faults.beforeHandling('ims', 'client', 'POST', '/ims/token/v3', undefined)).toEqual({
      type: 'pass',
    });
  });

  it('matches a scripted rule only in its sandboxes, counting its skips there alone', () => {
    const faults = new FaultInjector();
    faults.configure({
      script: [{ kind: 'forbidden', sandboxes: ['dev'], method: 'POST', skip: 1, count: 2 }],
    });
    const post = (sandbox?: string) => faults.beforeHandling('flowService', 'org', 'POST', FLOWS, sandbox);
    expect(post('prod')).toEqual({ type: 'pass' });
    expect(post(undefined)).toEqual({ type: 'pass' });
    // The first POST in dev is let through, the next two are refused, then the rule is used up.
    expect(post('dev')).toEqual({ type: 'pass' });
    expect(post('prod')).toEqual({ type: 'pass' });
    expect(post('dev')).toMatchObject({ type: 'respond', kind: 'forbidden' });
    expect(post('dev')).toMatchObject({ type: 'respond', kind: 'forbidden' });
    expect(post('dev')).toEqual({ type: 'pass' });
    expect(faults.current().script).toEqual([]);
  });

  it('applies the sandbox filter to drops after commit and concurrent edits too', () => {
    const faults = new FaultInjector();
    faults.configure({
      script: [
        { kind: 'drop-after-commit', sandboxes: ['dev'] },
        { kind: 'concurrent-edit', sandboxes: ['dev'] },
      ],
    });
    expect(faults.dropAfterCommit('flowService', 'POST', FLOWS, true, 'prod')).toBe(false);
    expect(faults.concurrentEdit('flowService', 'PATCH', `${FLOWS}/x`, 'prod')).toBe(false);
    expect(faults.dropAfterCommit('flowService', 'POST', FLOWS, true, 'dev')).toBe(true);
    expect(faults.concurrentEdit('flowService', 'PATCH', `${FLOWS}/x`, 'dev')).toBe(true);
  });

  it('refuses a sandbox list that is empty or not of names, and rates outside 0..1', () => {
    for (const bad of [
      { sandboxes: [] },
      { sandboxes: [''] },
      { sandboxes: 'dev' },
      { script: [{ kind: 'forbidden', sandboxes: [] }] },
      { script: [{ kind: 'forbidden', sandboxes: [3] }] },
      { connectionResetRate: 1.5 },
      { connectionResetRate: -0.1 },
      { unavailableRate: 2 },
      { unavailableRate: '0.5' },
    ])
      expect(faultSettingsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    expect(
      faultSettingsSchema.safeParse({
        sandboxes: ['prod', 'dev-1'],
        connectionResetRate: 0,
        unavailableRate: 1,
        script: [{ kind: 'unavailable', sandboxes: ['dev-1'] }, { kind: 'connection-reset' }],
      }).success,
    ).toBe(true);
  });
});

describe('connection resets and unavailability', () => {
  it('resets at rate 1, never at rate 0, and counts each', () => {
    const faults = new FaultInjector();
    faults.configure({ connectionResetRate: 1 });
    expect(faults.beforeHandling('sfmc', 't', 'GET', '/x')).toEqual({ type: 'reset' });
    faults.configure({ connectionResetRate: 0, unavailableRate: 0 });
    expect(faults.beforeHandling('sfmc', 't', 'GET', '/x')).toEqual({ type: 'pass' });
    faults.configure({ unavailableRate: 1 });
    expect(faults.beforeHandling('sfmc', 't', 'GET', '/x')).toEqual({
      type: 'respond',
      kind: 'unavailable',
      retryAfterSeconds: 1,
    });
    expect(faults.stats.sfmc).toMatchObject({ requests: 3, connectionResets: 1, unavailable: 1 });
  });

  let simulator: RunningSimulator | undefined;
  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });

  it('destroys the connection without an answer, and nothing is handled', async () => {
    simulator = await startSimulator({
      port: 0,
      seed: { profile: 'demo' },
      faults: { connectionResetRate: 1, modules: ['ims'] },
    });
    const failure = await fetch(`${simulator.baseUrl}/ims/token/v3`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    }).then(
      () => undefined,
      (error: unknown) => error as Error & { cause?: { code?: string } },
    );
    expect(failure?.message).toBe('fetch failed');
    expect(failure?.cause?.code).toBe('ECONNRESET');
    expect(simulator.faults.stats.ims).toMatchObject({ connectionResets: 1 });
    expect(simulator.requests.list({ module: 'ims' }).map((entry) => entry.status)).toEqual([0]);
  });

  it('answers 503 in each API’s own shape', async () => {
    simulator = await startSimulator({ port: 0, seed: { profile: 'demo' }, faults: { unavailableRate: 1 } });
    const platform = await fetch(`${simulator.baseUrl}${FLOWS}`, { headers: { 'x-sandbox-name': 'dev' } });
    expect(platform.status).toBe(503);
    expect(await platform.json()).toMatchObject({
      type: 'https://ns.adobe.com/aep/errors/FLOW-1103-503',
      title: 'Service unavailable',
      status: 503,
    });
    const sfmc = await fetch(
      `${simulator.baseUrl}/sfmc/mcdemo0000000000000000000000/rest/data/v1/customobjects`,
    );
    expect(sfmc.status).toBe(503);
    expect(await sfmc.json()).toEqual({ message: 'Service Unavailable', errorcode: 0, documentation: '' });
    const ims = await fetch(`${simulator.baseUrl}/ims/token/v3`, { method: 'POST' });
    expect(ims.status).toBe(503);
    expect(await ims.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'Service temporarily unavailable',
    });
  });

  it('refuses only the addressed sandbox when a scripted fault names it', async () => {
    simulator = await startSimulator({
      port: 0,
      seed: { profile: 'demo' },
      faults: { script: [{ kind: 'forbidden', sandboxes: ['dev'], count: 5 }] },
    });
    const list = (sandbox: string) =>
      fetch(`${simulator!.baseUrl}${FLOWS}`, { headers: { 'x-sandbox-name': sandbox } });
    // prod reaches the gateway, which wants a token; dev is refused before it.
    expect((await list('prod')).status).toBe(401);
    const dev = await list('dev');
    expect(dev.status).toBe(403);
    expect(await dev.json()).toMatchObject({ type: 'https://ns.adobe.com/aep/errors/FLOW-2120-403' });
  });
});
