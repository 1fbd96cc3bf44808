/**
 * Throughput against the physical limit: `npm run bench`.
 *
 * For each kind (SFMC, Marketo), a fresh simulator holds N V1 dataflows over
 * several sandboxes, enforces Experience Platform's rate R per organisation
 * (and Marketo's documented 100 calls / 20 s, 10 at once), and takes L to
 * finish every first run. One cutover worker process, with the default
 * settings and encrypted payloads, migrates them all on a fresh dev server.
 * Printed: wall time; the lower bound max(L + one item's own path, calls / R)
 * from the calls actually made; their ratio; the share of calls answered 429;
 * the worker's peak RSS in its own process; history events per migrated
 * dataflow; and a sequential baseline (the same clients, one dataflow after
 * another: create, wait for the first run, delete V1) timed on a sample and
 * extrapolated linearly.
 *
 *   npm run bench -- [--kind sfmc|marketo|both] [--flows 1000] [--first-run 60] [--rate 20] [--sample 3] [--worker-heap-mb N]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { dataConverterFor } from '../src/codec/data-converter';
import { parseConfig } from '../src/config/load';
import { projectRoot } from '../src/project-root';
import { marketoRun, sfmcRun } from '../src/runs';
import { startMigrationRequest, type MigrationRunKind } from '../src/runs/migration';
import { startDevServer } from '../src/temporal/dev-server';
import { progressQuery, type MigrationProgress } from '../src/workflows/migration/messages';
import {
  benchSecrets,
  benchWorkerConfig,
  BENCH_ENV,
  buildWorker,
  benchSimulator,
  startWorkerProcess,
  type BenchKind,
} from './bench-setup';
import { historyFigures } from './history-figures';
import { sequentialBaseline } from './sequential-baseline';

const argsSchema = z.object({
  kind: z.enum(['sfmc', 'marketo', 'both']).default('both'),
  flows: z.coerce.number().int().min(10).max(10_000).default(1000),
  'first-run': z.coerce.number().positive().default(60),
  rate: z.coerce.number().positive().default(20),
  sample: z.coerce.number().int().min(1).max(20).default(3),
  /** The worker was built already (`npm run build`), e.g. for benches run side by side. */
  prebuilt: z.boolean().default(false),
  /** Caps the worker's V8 heap (--max-old-space-size), to see what it needs rather than what it takes. */
  'worker-heap-mb': z.coerce.number().int().min(64).optional(),
});

const RUNS: Record<BenchKind, MigrationRunKind> = { sfmc: sfmcRun, marketo: marketoRun };
const LOG_DIR = path.join(projectRoot, '.cutover', 'bench');

async function benchKind(kind: BenchKind, args: z.output<typeof argsSchema>) {
  const firstRunMs = args['first-run'] * 1000;
  const simulator = await benchSimulator(kind, args.flows, args.rate, firstRunMs);
  const server = await startDevServer({ logFile: path.join(LOG_DIR, `${kind}-server.log`) });
  const raw = benchWorkerConfig(simulator, server.address, `bench-${kind}`, args.rate);
  const configFile = path.join(LOG_DIR, `${kind}-cutover.yaml`);
  const config = parseConfig(raw, configFile);
  const worker = await startWorkerProcess(
    raw,
    configFile,
    path.join(LOG_DIR, `${kind}-worker.log`),
    args['worker-heap-mb'],
  );
  // A large run's result and history pages pass gRPC's default 4 MB.
  const connection = await Connection.connect({
    address: server.address,
    channelArgs: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 },
  });
  const client = new Client({ connection, dataConverter: await dataConverterFor(config, benchSecrets()) });
  try {
    const runKind = RUNS[kind];
    const request = runKind.fromConfig(config);
    const started = Date.now();
    const handle = await startMigrationRequest(client, runKind, request, {
      taskQueue: config.temporal.taskQueue,
    });
    const ticker = setInterval(() => {
      void handle
        .query(progressQuery)
        .then((progress: MigrationProgress) =>
          console.error(`  [${kind} ${elapsed(started)}] ${standing(progress)}`),
        )
        .catch(() => undefined);
    }, 15_000);
    const result = await handle.result().finally(() => clearInterval(ticker));
    const wallSeconds = (Date.now() - started) / 1000;
    const peakRssMb = worker.stop();
    const migrated = result.items.filter((item) => item.status === 'v1-removed');
    const quota = simulator.quotas.stats.platform;
    const calls = quota?.requests ?? 0;
    const history = await historyFigures(client, request.workflowId, migrated, firstRunEnds(simulator));
    const baseline = await sequentialBaseline(kind, args, config);
    const ownPathSeconds = Math.max(0, baseline.secondsPerItem - args['first-run']);
    const lowerBound = Math.max(args['first-run'] + ownPathSeconds, calls / args.rate);
    const sequentialSeconds = baseline.secondsPerItem * migrated.length;
    return {
      kind,
      dataflows: result.items.length,
      migrated: migrated.length,
      notMigrated: result.items.length - migrated.length,
      firstRunSeconds: args['first-run'],
      rateLimitPerSecond: args.rate,
      wallSeconds: round(wallSeconds),
      platformCalls: calls,
      lowerBoundSeconds: round(lowerBound),
      wallOverLowerBound: round(wallSeconds / lowerBound, 2),
      callsPerSecond: round(calls / wallSeconds),
      peakCallsInOneSecond: Math.max(0, ...(quota?.admittedPerSecond ?? [])),
      throttledShare: `${round((100 * (quota?.throttled ?? 0)) / Math.max(1, calls), 2)} %`,
      workerPeakRssMb: peakRssMb,
      workerHeapCapMb: args['worker-heap-mb'] ?? 'none',
      ...history,
      sequentialBaseline: {
        sample: baseline.sample,
        secondsPerItem: round(baseline.secondsPerItem),
        [`extrapolatedSecondsFor${migrated.length}`]: round(sequentialSeconds),
        note: 'measured on the sample, extrapolated linearly',
      },
      speedUpOverSequential: round(sequentialSeconds / wallSeconds, 1),
    };
  } finally {
    worker.stop();
    await connection.close();
    await server.stop();
    await simulator.close();
  }
}

/** When each dataflow's first run settled, by the simulator's own plan of it. */
function firstRunEnds(simulator: { snapshot(): { modules: Record<string, unknown> } }) {
  const state = simulator.snapshot().modules.flowService as {
    orgs: Record<
      string,
      {
        sandboxes: Record<
          string,
          { runs: Record<string, { flowId: string; createdAt: number; _plan: { completesAt: number } }> }
        >;
      }
    >;
  };
  const first = new Map<string, { createdAt: number; completesAt: number }>();
  for (const org of Object.values(state.orgs))
    for (const sandbox of Object.values(org.sandboxes))
      for (const run of Object.values(sandbox.runs)) {
        const earlier = first.get(run.flowId);
        if (!earlier || run.createdAt < earlier.createdAt)
          first.set(run.flowId, { createdAt: run.createdAt, completesAt: run._plan.completesAt });
      }
  return (flowId: string) => first.get(flowId)?.completesAt;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const elapsed = (since: number) => `${Math.round((Date.now() - since) / 1000)} s`;

function standing(progress: MigrationProgress): string {
  const counts = new Map<string, number>();
  for (const item of progress.items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
  return `${progress.phase}: ${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')}`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      kind: { type: 'string' },
      flows: { type: 'string' },
      'first-run': { type: 'string' },
      rate: { type: 'string' },
      sample: { type: 'string' },
      'worker-heap-mb': { type: 'string' },
      prebuilt: { type: 'boolean' },
    },
  });
  const args = argsSchema.parse(values);
  Runtime.install({ logger: new DefaultLogger('WARN') });
  fs.mkdirSync(LOG_DIR, { recursive: true });
  Object.assign(process.env, BENCH_ENV);
  if (!args.prebuilt) buildWorker();
  const kinds: BenchKind[] = args.kind === 'both' ? ['sfmc', 'marketo'] : [args.kind];
  const figures = [];
  for (const kind of kinds) {
    console.error(
      `${kind}: ${args.flows} V1 dataflows, first runs take ${args['first-run']} s, R = ${args.rate}/s`,
    );
    figures.push(await benchKind(kind, args));
    console.log(JSON.stringify(figures.at(-1), null, 2));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
