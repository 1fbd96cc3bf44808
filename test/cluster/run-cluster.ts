/**
 * `npm run test:cluster`: cutover on a real Temporal cluster, as a user who
 * outgrew one machine runs it. Temporal Server on PostgreSQL, history,
 * matching, frontend and worker as separate processes; three cutover worker
 * processes; the simulator on the `large` seed. SFMC and Marketo migrations
 * and one Sales Connect provisioning run while one worker is SIGKILLed, the
 * whole server is SIGKILLed and restarted, and every worker is restarted one
 * after another (a deploy). Then the simulator's state and request log say
 * whether anything was duplicated or lost, whether the call rate stayed under
 * the configured limit across the three workers, and whether the
 * invitations waited out the full delay. Exits non-zero on any failure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execFileSync } from 'node:child_process';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import YAML from 'yaml';
import { BENCH_ENV, benchSecrets, benchWorkerConfig, buildWorker } from '../../bench/bench-setup';
import { checkSimulatorState } from '../../bench/fault-checks';
import { startSalesConnectProvisioning } from '../../src/cli/commands/sales-connect';
import { dataConverterFor } from '../../src/codec/data-converter';
import { parseConfig } from '../../src/config/load';
import { projectRoot } from '../../src/project-root';
import { MIGRATION_RUNS } from '../../src/runs';
import { startMigrationRequest } from '../../src/runs/migration';
import type { LoggedRequest } from '../../src/simulator/core/request-log';
import { DEMO_ORG_ID, DEMO_SALES_CONNECT } from '../../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { freePort } from '../../src/temporal/free-port';
import { progressQuery, type MigrationProgress } from '../../src/workflows/migration/messages';
import type { ProvisioningProgress } from '../../src/workflows/sales-connect/messages';
import { rawSalesConnectConfig } from '../support/cutover-config';
import { ensurePostgres, startPostgres } from './postgres';
import { ClusterProcess } from './processes';
import {
  ensureTemporalServer,
  setUpSchemas,
  startTemporalCluster,
  TEMPORAL_SERVER_VERSION,
} from './temporal-server';

const SANDBOXES = ['prod', 'dev-1', 'dev-2'];
const SFMC_PER_SANDBOX = 80;
const MARKETO_PER_SANDBOX = 30;
/** Experience Platform calls per second cutover is configured to stay under, across all its workers. */
const PLATFORM_LIMIT = 30;
/**
 * The simulator lets more through than cutover's limit, so the request log
 * shows cutover's own pacing: three workers each sending the whole limit
 * would show up as about 1.5 x it, not as 429s.
 */
/** Calls that may go at once after a quiet spell, across all workers: a window may hold the rate's calls plus these. */
const PLATFORM_BURST = 10;
const SIMULATED_PLATFORM_RATE = PLATFORM_LIMIT * 1.5;
const RATE_WINDOW_SECONDS = 10;
/** Marketo's documented quota: 100 calls per 20 s. */
const MARKETO_WINDOW = { calls: 100, seconds: 20 };
const FIRST_RUN_MS = 15_000;
const PROVISIONING_DELAY_SECONDS = 60;
const WORKERS = 3;
const INVITED = Array.from({ length: 10 }, (_, index) => ({
  email: `seller-${String(index + 1).padStart(4, '0')}@demo.example`,
}));
const TASK_QUEUE = 'cutover-cluster';

const started = Date.now();
const say = (line: string) =>
  process.stderr.write(`[cluster ${Math.round((Date.now() - started) / 1000)} s] ${line}\n`);

/** The bench's worker config (cutover's defaults, encrypted payloads), with the cluster's limit and a Sales Connect run. */
function workerConfig(simulator: RunningSimulator, address: string) {
  const bench = benchWorkerConfig(simulator, address, TASK_QUEUE, PLATFORM_LIMIT);
  const { salesConnect, salesforce } = rawSalesConnectConfig(simulator, TASK_QUEUE, {
    provisioningDelay: `${PROVISIONING_DELAY_SECONDS} seconds`,
    users: INVITED,
  });
  return {
    ...bench,
    temporal: { ...bench.temporal, namespace: 'default' },
    adobe: { ...bench.adobe, rateLimit: { requestsPerSecond: PLATFORM_LIMIT, burst: PLATFORM_BURST } },
    salesConnect,
    salesforce,
  };
}

/** The most calls let through in any `seconds`-long window, and when it began, from the simulator's request log. */
function busiestWindow(requests: LoggedRequest[], seconds: number): { calls: number; from: number } {
  const times = requests.map((request) => request.at).sort((a, b) => a - b);
  let busiest = { calls: 0, from: 0 };
  for (let first = 0, last = 0; last < times.length; last += 1) {
    while (times[last]! - times[first]! >= seconds * 1000) first += 1;
    if (last - first + 1 > busiest.calls) busiest = { calls: last - first + 1, from: times[first]! };
  }
  return busiest;
}

function settledShare(progress: MigrationProgress | undefined): number {
  if (!progress?.items.length) return 0;
  const settled = progress.items.filter((item) =>
    ['verified', 'v1-removed', 'skipped'].includes(item.status),
  );
  return settled.length / progress.items.length;
}

async function untilSfmcSettled(handle: WorkflowHandle, share: number): Promise<void> {
  for (;;) {
    const progress = await handle.query(progressQuery).catch(() => undefined);
    if (settledShare(progress) >= share || progress?.phase === 'completed') return;
    await delay(500);
  }
}

async function main(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-cluster-'));
  fs.chmodSync(dir, 0o755);
  say(`logs in ${dir}`);
  const install = ensureTemporalServer(say);
  say(
    install.builtSeconds
      ? `Temporal Server ${TEMPORAL_SERVER_VERSION} built in ${install.builtSeconds} s`
      : `Temporal Server ${TEMPORAL_SERVER_VERSION}: cached build`,
  );
  buildWorker();
  const clusterStarted = Date.now();
  const postgres = await startPostgres(
    ensurePostgres(say),
    path.join(dir, 'pg'),
    await freePort(),
    path.join(dir, 'postgres.log'),
  );
  setUpSchemas(install, postgres);
  const cluster = await startTemporalCluster({ install, postgres, logDir: dir, namespace: 'default' });
  say(
    `PostgreSQL, schemas and four Temporal services up at ${cluster.address} in ${Date.now() - clusterStarted} ms`,
  );

  const simulator = await startSimulator({
    port: 0,
    seed: {
      profile: 'large',
      sandboxes: SANDBOXES.length,
      flowsPerSandbox: SFMC_PER_SANDBOX,
      marketoFlowsPerSandbox: MARKETO_PER_SANDBOX,
    },
    quotas: { platform: { requestsPerSecond: SIMULATED_PLATFORM_RATE }, marketo: {} },
  });
  const admin = (route: string, body: unknown) =>
    fetch(`${simulator.baseUrl}/__admin/${route}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  await admin('flow-service/settings', { runDurationMs: FIRST_RUN_MS });
  await admin(`sales-connect/${DEMO_SALES_CONNECT.instanceId}/settings`, {
    minimumProvisioningDelaySeconds: PROVISIONING_DELAY_SECONDS,
  });
  const initial = simulator.snapshot();

  const raw = workerConfig(simulator, cluster.address);
  const configFile = path.join(dir, 'cutover.yaml');
  fs.writeFileSync(configFile, YAML.stringify(raw));
  const config = parseConfig(raw, configFile);
  const env = { ...process.env, ...BENCH_ENV };
  execFileSync(
    process.execPath,
    [path.join(projectRoot, 'bin', 'cutover.js'), 'search-attributes', '--config', configFile],
    {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const workers = Array.from(
    { length: WORKERS },
    (_, index) =>
      new ClusterProcess(
        `worker-${index + 1}`,
        process.execPath,
        [path.join(projectRoot, 'dist', 'worker.js'), configFile],
        {
          env,
          cwd: projectRoot,
          log: path.join(dir, `worker-${index + 1}.log`),
        },
      ),
  );
  const startWorker = async (worker: ClusterProcess) => {
    worker.start();
    await worker.waitForLog('cutover worker started');
  };
  await Promise.all(workers.map(startWorker));
  say(`${WORKERS} cutover workers started`);

  const connection = await Connection.connect({ address: cluster.address });
  const client = new Client({
    connection,
    namespace: 'default',
    dataConverter: await dataConverterFor(config, benchSecrets()),
  });
  const runsStarted = Date.now();
  const simulatedRunsStarted = simulator.snapshot().clock.now;
  const finishedAt: Record<string, number> = {};
  const timed = <T>(name: string, promise: Promise<T>) =>
    promise.finally(() => (finishedAt[name] = (Date.now() - runsStarted) / 1000));
  const [sfmc, marketo] = await Promise.all(
    MIGRATION_RUNS.map((run) =>
      startMigrationRequest(client, run, run.fromConfig(config), { taskQueue: config.temporal.taskQueue }),
    ),
  );
  const salesConnect = await startSalesConnectProvisioning(client, config);
  const results = Promise.allSettled([
    timed('SFMC', sfmc!.result() as Promise<MigrationProgress>),
    timed('Marketo', marketo!.result() as Promise<MigrationProgress>),
    timed('Sales Connect', salesConnect.result() as Promise<ProvisioningProgress>),
  ]);
  say('SFMC, Marketo and Sales Connect runs started');

  const kills: string[] = [];
  const at = () => `at ${Math.round((Date.now() - runsStarted) / 1000)} s`;
  await untilSfmcSettled(sfmc!, 0.1);
  await cluster.kill();
  say('SIGKILLed all four Temporal Server processes');
  await delay(2_000);
  await cluster.restart();
  kills.push(`Temporal Server SIGKILLed and restarted ${at()}`);
  say('Temporal Server restarted on its database');

  await untilSfmcSettled(sfmc!, 0.35);
  await workers[0]!.kill();
  kills.push(`worker-1 SIGKILLed ${at()}`);
  say('SIGKILLed worker-1');
  await delay(5_000);
  await startWorker(workers[0]!);

  await untilSfmcSettled(sfmc!, 0.6);
  say('rolling restart of every worker (a deploy) ...');
  const deployFrom = at();
  for (const worker of workers) {
    await worker.stop();
    await startWorker(worker);
  }
  kills.push(`${WORKERS} workers restarted one after another, ${deployFrom} to ${at().slice(3)}`);
  say('rolling restart done');

  const [sfmcResult, marketoResult, salesConnectResult] = await results;
  const wall = (Date.now() - runsStarted) / 1000;
  await Promise.all(workers.map((worker) => worker.stop()));
  await connection.close();
  await cluster.stop();
  await postgres.stop();

  const failures: string[] = [];
  const migrationOutcome = (name: string, outcome: PromiseSettledResult<MigrationProgress>) => {
    if (outcome.status === 'rejected')
      return failures.push(`${name} failed: ${(outcome.reason as Error).message}`);
    const notCutOver = outcome.value.items.filter((item) => !['v1-removed', 'skipped'].includes(item.status));
    if (outcome.value.phase !== 'completed' || notCutOver.length)
      failures.push(`${name} ended ${outcome.value.phase} with ${notCutOver.length} dataflows not cut over`);
    return outcome.value.items.filter((item) => item.status === 'v1-removed').length;
  };
  const cutOver = {
    SFMC: migrationOutcome('SFMC', sfmcResult as PromiseSettledResult<MigrationProgress>),
    Marketo: migrationOutcome('Marketo', marketoResult as PromiseSettledResult<MigrationProgress>),
  };
  if (salesConnectResult.status === 'rejected')
    failures.push(`Sales Connect failed: ${(salesConnectResult.reason as Error).message}`);

  const state = checkSimulatorState(initial, simulator.snapshot(), DEMO_ORG_ID);
  if (state.mostV2PerV1 > 1) failures.push(`a V1 object got ${state.mostV2PerV1} V2 objects`);
  if (state.v1DeletedWithoutV2)
    failures.push(`${state.v1DeletedWithoutV2} V1 dataflows deleted without a verified V2`);
  if (state.audiencesWithoutExport)
    failures.push(`${state.audiencesWithoutExport} audiences lost their export`);
  failures.push(...state.details.slice(0, 5));

  const platform = simulator.requests
    .list()
    .filter((request) => ['flowService', 'dataPrep'].includes(request.module));
  const admitted = platform.filter((request) => request.status !== 429);
  const platformWindow = busiestWindow(admitted, RATE_WINDOW_SECONDS);
  const platformBusiest = platformWindow.calls / RATE_WINDOW_SECONDS;
  const throttledShare = (platform.length - admitted.length) / Math.max(1, platform.length);
  if (platformWindow.calls > PLATFORM_LIMIT * RATE_WINDOW_SECONDS + PLATFORM_BURST)
    failures.push(
      `Experience Platform calls reached ${platformBusiest.toFixed(1)}/s over ${RATE_WINDOW_SECONDS} s; the limit is ${PLATFORM_LIMIT}/s`,
    );
  const marketoCalls = simulator.requests
    .list({ module: 'marketo' })
    .filter((request) => request.status !== 429);
  const marketoBusiest = busiestWindow(marketoCalls, MARKETO_WINDOW.seconds).calls;
  if (marketoBusiest > MARKETO_WINDOW.calls)
    failures.push(
      `Marketo answered ${marketoBusiest} calls in ${MARKETO_WINDOW.seconds} s; its quota is ${MARKETO_WINDOW.calls}`,
    );

  const instance = (
    simulator.snapshot().modules.salesConnect as {
      instances: Record<
        string,
        { marketo: { connectedAt: number } | null; sentInvitations: Array<{ email: string; at: number }> }
      >;
    }
  ).instances[DEMO_SALES_CONNECT.instanceId]!;
  const connectedAt = instance.marketo?.connectedAt ?? Infinity;
  const earliestInvite = Math.min(...instance.sentInvitations.map((invitation) => invitation.at));
  const invitedEmails = new Set(instance.sentInvitations.map((invitation) => invitation.email));
  if (instance.sentInvitations.length !== INVITED.length || invitedEmails.size !== INVITED.length)
    failures.push(
      `Sales Connect sent ${instance.sentInvitations.length} invitations to ${invitedEmails.size} people; ${INVITED.length} were asked for`,
    );
  const waitedSeconds = (earliestInvite - connectedAt) / 1000;
  if (!(waitedSeconds >= PROVISIONING_DELAY_SECONDS))
    failures.push(
      `the first invitation went out ${waitedSeconds.toFixed(1)} s after Marketo was connected; the wait is ${PROVISIONING_DELAY_SECONDS} s`,
    );
  if (platform.length >= 20_000)
    failures.push('the simulator request log overflowed; the rate check saw only its tail');
  await simulator.close();

  const figures = {
    temporalServer: `${TEMPORAL_SERVER_VERSION} on PostgreSQL, ${['history', 'matching', 'frontend', 'worker'].join(', ')} as separate processes`,
    serverBuildSeconds: install.builtSeconds || 'cached',
    workers: WORKERS,
    workerPeakRssMb: workers.map((worker) => worker.peakRssMb),
    dataflowsCutOver: cutOver,
    runSeconds: finishedAt,
    wallSeconds: Math.round(wall),
    disruptionsSurvived: kills,
    platformCallsPerSecond: {
      limit: PLATFORM_LIMIT,
      busiest10s: Number(platformBusiest.toFixed(1)),
      busiest10sStartedAtSecond: Math.round((platformWindow.from - simulatedRunsStarted) / 1000),
      mean: Number((admitted.length / Math.max(1, wall)).toFixed(1)),
      answered429: `${(throttledShare * 100).toFixed(2)} %`,
    },
    marketoBusiest20s: `${marketoBusiest} of ${MARKETO_WINDOW.calls}`,
    salesConnect: {
      invited: instance.sentInvitations.length,
      secondsAfterConnecting: Number(waitedSeconds.toFixed(1)),
    },
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
  console.log(JSON.stringify(figures, null, 2));
  for (const failure of failures) console.log(`FAIL: ${failure}`);
  console.log(
    failures.length ? `test:cluster FAILED (${failures.length}); logs in ${dir}` : 'test:cluster passed',
  );
  if (!failures.length) fs.rmSync(dir, { recursive: true, force: true });
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`test:cluster could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
