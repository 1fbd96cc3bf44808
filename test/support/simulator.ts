import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { AdobeImsTokenProvider } from '../../src/integrations/adobe-ims/ims-client';
import { DataPrepClient } from '../../src/integrations/data-prep/data-prep-client';
import { FlowServiceClient } from '../../src/integrations/flow-service/flow-service-client';
import type { SimulatorModuleName } from '../../src/simulator/core/module';
import { DEMO_IMS_CLIENT_ID, DEMO_ORG_ID } from '../../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/server';

/** A simulator on a free port for the file's tests, seeded with the demo profile unless told otherwise. */
export function useSimulator(options: SimulatorOptions = {}): () => RunningSimulator {
  let simulator: RunningSimulator | undefined;
  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, seed: { profile: 'demo' }, ...options });
  });
  afterAll(async () => {
    await simulator?.close();
  });
  return () => {
    if (!simulator) throw new Error('The simulator is only available inside tests.');
    return simulator;
  };
}

/** Real Adobe clients pointed at a simulator with the demo credentials. */
export function demoAdobeClients(simulator: RunningSimulator, sandbox = 'prod', fetchImpl?: typeof fetch) {
  const tokens = new AdobeImsTokenProvider(
    {
      imsUrl: `${simulator.baseUrl}/ims`,
      clientId: DEMO_IMS_CLIENT_ID,
      clientSecret: 'simulator-placeholder-secret',
      scopes: ['openid', 'AdobeID'],
    },
    { fetch: fetchImpl },
  );
  const identity = { orgId: DEMO_ORG_ID, apiKey: DEMO_IMS_CLIENT_ID, sandbox };
  const platformUrl = `${simulator.baseUrl}/platform`;
  return {
    tokens,
    flowService: new FlowServiceClient({ platformUrl, identity, tokens, fetch: fetchImpl }),
    dataPrep: new DataPrepClient({ platformUrl, identity, tokens, fetch: fetchImpl }),
  };
}

/** Asserts that the tests exercised every route the given modules serve, over one or several simulators. */
export function expectEveryRouteExercised(
  simulators: RunningSimulator | RunningSimulator[],
  modules: SimulatorModuleName[],
): void {
  const all = Array.isArray(simulators) ? simulators : [simulators];
  expect(all.length, 'simulators started by the tests').toBeGreaterThan(0);
  const exercised = new Set(
    all.flatMap((simulator) => simulator.requests.list().map((entry) => `${entry.method} ${entry.route}`)),
  );
  const missing = all[0]!.routes
    .filter((route) => modules.includes(route.module as SimulatorModuleName))
    .map((route) => `${route.method} ${route.pattern}`)
    .filter((route) => !exercised.has(route));
  expect(missing, 'routes no test exercised').toEqual([]);
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** A freshly seeded demo simulator for every test, with runs that finish at once. */
export function useFreshDemoSimulator(): () => RunningSimulator {
  let simulator: RunningSimulator | undefined;
  beforeEach(async () => {
    simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
    await fetch(`${simulator.baseUrl}/__admin/flow-service/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ runDurationMs: 0 }),
    });
  });
  afterEach(async () => {
    await simulator?.close();
  });
  return () => {
    if (!simulator) throw new Error('The simulator is only available inside tests.');
    return simulator;
  };
}
