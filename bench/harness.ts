import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { dataConverterFor } from '../src/codec/data-converter';
import { parseConfig } from '../src/config/load';
import type { CutoverConfig } from '../src/config/schema';
import { Redactor, SecretResolver } from '../src/config/secrets';
import type { SeedOptions } from '../src/simulator/core/module';
import { DEMO_IMS_CLIENT_ID, DEMO_ORG_ID } from '../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../src/simulator/server';
import { startDevServer } from '../src/temporal/dev-server';
import { createCutoverWorker } from '../src/worker';

export const BENCH_SECRETS = new SecretResolver({ BENCH_SECRET: 'bench-secret' }, new Redactor());

/**
 * What every benchmark runs on: the simulator with a seed and a run duration,
 * a fresh dev server, a client, and one cutover worker over a config whose
 * Adobe section points at the simulator (`extend` adds the rest).
 */
export async function startBench(options: {
  seed: SeedOptions;
  runDurationMs: number;
  taskQueue: string;
  sandboxes: string[];
  maxConcurrentActivityTaskExecutions: number;
  extend?: (simulator: RunningSimulator) => Record<string, unknown>;
  /** Experience Platform's calls per second, enforced by the simulator and kept to by the worker. */
  rate?: number;
}) {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const simulator = await startSimulator({
    port: 0,
    seed: options.seed,
    ...(options.rate ? { quotas: { platform: { requestsPerSecond: options.rate } } } : {}),
  });
  await fetch(`${simulator.baseUrl}/__admin/flow-service/settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ runDurationMs: options.runDurationMs }),
  });
  const server = await startDevServer();
  const config: CutoverConfig = parseConfig(
    {
      temporal: { taskQueue: options.taskQueue },
      worker: {
        maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions,
        logLevel: 'WARN',
      },
      adobe: {
        imsUrl: `${simulator.baseUrl}/ims`,
        platformUrl: `${simulator.baseUrl}/platform`,
        orgId: DEMO_ORG_ID,
        clientId: DEMO_IMS_CLIENT_ID,
        clientSecret: 'env:BENCH_SECRET',
        scopes: ['openid'],
        sandboxes: options.sandboxes.map((name) => ({ name, autoApprove: true })),
        ...(options.rate ? { rateLimit: { requestsPerSecond: options.rate } } : {}),
      },
      ...options.extend?.(simulator),
    },
    'bench',
  );
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, dataConverter: await dataConverterFor(config, BENCH_SECRETS) });
  const worker = await createCutoverWorker({
    config,
    connection: nativeConnection,
    namespace: 'default',
    secrets: BENCH_SECRETS,
  });
  return {
    simulator,
    config,
    client,
    worker,
    async stop() {
      await connection.close();
      await nativeConnection.close();
      await server.stop();
      await simulator.close();
    },
  };
}
