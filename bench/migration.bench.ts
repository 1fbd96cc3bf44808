/**
 * Scale benchmark: the `large` simulator seed (sandboxes x V1 dataflows of
 * each kind) migrated in one run on a real Temporal dev server with one worker.
 * Reports wall time, throughput and history sizes. Usage:
 *   npm run bench -- [--kind sfmc|marketo] [--sandboxes 10] [--flows-per-sandbox 100] [--concurrency 20]
 * (Marketo: at most 60 flows per sandbox, or Adobe's 100-destinations guardrail blocks the run.)
 */
import { parseArgs } from 'node:util';
import { marketoRun, sfmcRun } from '../src/runs';
import { startMigrationRequest, type MigrationRunKind } from '../src/runs/migration';
import { DEMO_MARKETO, DEMO_SFMC } from '../src/simulator/seeds/demo-catalog';
import { startBench } from './harness';
import type { MigrationProgress } from '../src/workflows/migration/messages';

async function main() {
  const { values } = parseArgs({
    options: {
      sandboxes: { type: 'string' },
      'flows-per-sandbox': { type: 'string' },
      concurrency: { type: 'string' },
      kind: { type: 'string' },
    },
  });
  const kind = values.kind === 'marketo' ? 'marketo' : 'sfmc';
  const sandboxes = Number(values.sandboxes ?? 10);
  const flowsPerSandbox = Number(values['flows-per-sandbox'] ?? (kind === 'marketo' ? 60 : 100));
  const concurrency = Number(values.concurrency ?? 20);
  const names = ['prod', ...Array.from({ length: sandboxes - 1 }, (_, index) => `dev-${index + 1}`)];
  const { simulator, config, client, worker, stop } = await startBench({
    seed: { profile: 'large', sandboxes, flowsPerSandbox },
    runDurationMs: 0,
    taskQueue: 'bench',
    sandboxes: names,
    maxConcurrentActivityTaskExecutions: 100,
    extend: (sim) => ({
      sfmc: {
        clientId: DEMO_SFMC.clientId,
        clientSecret: 'env:BENCH_SECRET',
        baseEndpoint: DEMO_SFMC.subdomain,
        authBaseUrl: `${sim.baseUrl}/sfmc/${DEMO_SFMC.subdomain}/auth`,
        concurrency,
      },
      marketo: {
        munchkinId: DEMO_MARKETO.munchkinId,
        clientId: DEMO_MARKETO.clientId,
        clientSecret: 'env:BENCH_SECRET',
        baseUrl: `${sim.baseUrl}/marketo/${DEMO_MARKETO.munchkinId}`,
        concurrency,
      },
    }),
  });
  const kindOfRun: MigrationRunKind = kind === 'marketo' ? marketoRun : sfmcRun;
  const run = kindOfRun.fromConfig(config);
  const started = Date.now();
  const handle = await startMigrationRequest(client, kindOfRun, run, { taskQueue: 'bench' });
  const result: MigrationProgress = await worker.runUntil(handle.result());
  const seconds = (Date.now() - started) / 1000;
  const parent = await client.workflow.getHandle(run.workflowId).fetchHistory();
  const migrated = result.items.filter((item) => item.status === 'v1-removed');
  const sample = migrated[0]
    ? await client.workflow.getHandle(`${run.workflowId}/${migrated[0].v1FlowId}`).fetchHistory()
    : undefined;
  const counts = new Map<string, number>();
  for (const item of result.items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);

  console.log(
    JSON.stringify(
      {
        kind,
        sandboxes,
        v1Dataflows: result.items.length,
        statuses: Object.fromEntries(counts),
        concurrency,
        wallSeconds: Number(seconds.toFixed(1)),
        migratedPerSecond: Number((migrated.length / seconds).toFixed(1)),
        parentHistoryEvents: parent.events?.length,
        childHistoryEvents: sample?.events?.length,
        parentEventsPerMigratedDataflow: Number(
          ((parent.events?.length ?? 0) / Math.max(1, migrated.length)).toFixed(1),
        ),
        simulatorRequests: simulator.requests.list().length,
      },
      null,
      2,
    ),
  );
  await stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
