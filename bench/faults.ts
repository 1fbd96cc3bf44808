/**
 * The fault matrix at scale: `npm run faults`. For each fault, a fresh
 * simulator (3 sandboxes x 40 SFMC and x 20 Marketo V1 dataflows), a fresh
 * dev server and cutover worker processes migrate SFMC and Marketo at once,
 * with auto-approval; then the simulator's own state is checked:
 *   - most V2 objects made for one V1 object (any kind; 1 is right),
 *   - V1 dataflows deleted without exactly one enabled V2 whose first run succeeded,
 *   - audiences V1 exported that no enabled dataflow exports any more.
 * It exits non-zero unless every run completed with no failed item, every
 * count is right, and no run took over 3 x the fault-free time.
 *   npm run faults [-- --only "list lag"]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import YAML from 'yaml';
import { dataConverterFor } from '../src/codec/data-converter';
import { parseConfig } from '../src/config/load';
import { Redactor, SecretResolver } from '../src/config/secrets';
import { MIGRATION_RUNS } from '../src/runs';
import { startMigrationRequest } from '../src/runs/migration';
import { projectRoot } from '../src/project-root';
import type { FaultSettingsInput } from '../src/simulator/core/faults';
import {
  DEMO_IMS_CLIENT_ID,
  DEMO_MARKETO,
  DEMO_ORG_ID,
  DEMO_SFMC,
} from '../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../src/simulator/server';
import { freePort } from '../src/temporal/free-port';
import { startDevServer, type RunningDevServer } from '../src/temporal/dev-server';
import { progressQuery, type MigrationProgress } from '../src/workflows/migration/messages';
import { checkSimulatorState, type StateCheck } from './fault-checks';

const SANDBOXES = ['prod', 'dev-1', 'dev-2'];
const SECRETS = {
  FAULTS_SECRET: 'faults-matrix-secret',
  // Payloads encrypted as in production: the codec's cost is part of every figure.
  FAULTS_CODEC_KEY: crypto.randomBytes(32).toString('base64'),
};
const LOG_DIR = path.join(projectRoot, '.cutover', 'faults');
const RUN_DURATION_MS = 3_000;
const FAULTED_MODULES = ['ims', 'flowService', 'dataPrep', 'sfmc', 'marketo'] as const;

interface Scenario {
  name: string;
  faults?: FaultSettingsInput;
  /** A fault that lasts a while and then clears, starting this long into the run. */
  burst?: { afterMs: number; forMs: number; faults: FaultSettingsInput };
  kill?: 'worker' | 'server';
}

const SCENARIOS: Scenario[] = [
  { name: 'none' },
  { name: '30 % of answers dropped after commit', faults: { dropAfterCommitRate: 0.3 } },
  {
    name: '429 storm (5 requests/s for 20 s)',
    burst: { afterMs: 3_000, forMs: 20_000, faults: { rateLimit: { requestsPerSecond: 5, burst: 5 } } },
  },
  { name: '20 % 5xx', faults: { serverErrorRate: 0.2 } },
  { name: 'tokens expiring after 3 s', faults: { tokenLifetimeSeconds: 3 } },
  { name: 'lists lagging 3 s behind writes', faults: { listVisibilityDelayMs: 3_000 } },
  {
    name: '30 % dropped answers with 3 s list lag',
    faults: { dropAfterCommitRate: 0.3, listVisibilityDelayMs: 3_000 },
  },
  { name: 'worker SIGKILLed mid-run and restarted', kill: 'worker' },
  { name: 'dev server SIGKILLed mid-run and restarted on its database', kill: 'server' },
];

function workerConfig(simulator: RunningSimulator, address: string, taskQueue: string) {
  return {
    temporal: { address, taskQueue },
    worker: { maxConcurrentActivityTaskExecutions: 100, logLevel: 'WARN' },
    adobe: {
      imsUrl: `${simulator.baseUrl}/ims`,
      platformUrl: `${simulator.baseUrl}/platform`,
      orgId: DEMO_ORG_ID,
      clientId: DEMO_IMS_CLIENT_ID,
      clientSecret: 'env:FAULTS_SECRET',
      scopes: ['openid'],
      sandboxes: SANDBOXES.map((name) => ({ name, autoApprove: true })),
      // Longer than any list lag this matrix injects.
      listVisibilityWindow: '5s',
    },
    sfmc: {
      clientId: DEMO_SFMC.clientId,
      clientSecret: 'env:FAULTS_SECRET',
      baseEndpoint: DEMO_SFMC.subdomain,
      authBaseUrl: `${simulator.baseUrl}/sfmc/${DEMO_SFMC.subdomain}/auth`,
      concurrency: 40,
      firstRunTimeout: '10 minutes',
    },
    marketo: {
      munchkinId: DEMO_MARKETO.munchkinId,
      clientId: DEMO_MARKETO.clientId,
      clientSecret: 'env:FAULTS_SECRET',
      baseUrl: `${simulator.baseUrl}/marketo/${DEMO_MARKETO.munchkinId}`,
      concurrency: 20,
      firstActivationTimeout: '10 minutes',
    },
    codec: { keys: [{ id: 'faults', key: 'env:FAULTS_CODEC_KEY' }] },
  };
}

/** A cutover worker process (`src/worker.ts`), so a scenario can SIGKILL it. */
function startWorker(configFile: string, log: string): ChildProcess {
  const out = fs.openSync(log, 'a');
  return spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'src', 'worker.ts'), configFile],
    {
      cwd: projectRoot,
      env: { ...process.env, ...SECRETS },
      stdio: ['ignore', out, out],
    },
  );
}

async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

interface Outcome {
  scenario: string;
  phases: string;
  failedItems: number;
  wallSeconds: number;
  check: StateCheck;
}

async function runScenario(scenario: Scenario, index: number): Promise<Outcome> {
  const slug = scenario.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  const logs = path.join(LOG_DIR, `${index}-${slug}`);
  // A fresh folder: a leftover SQLite file (or its -wal) from an earlier matrix would not start.
  fs.rmSync(logs, { recursive: true, force: true });
  fs.mkdirSync(logs, { recursive: true });
  const simulator = await startSimulator({
    port: 0,
    seed: { profile: 'large', sandboxes: SANDBOXES.length, flowsPerSandbox: 40, marketoFlowsPerSandbox: 20 },
  });
  await fetch(`${simulator.baseUrl}/__admin/flow-service/settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ runDurationMs: RUN_DURATION_MS }),
  });
  const initial = simulator.snapshot();
  const dbFile = path.join(logs, 'temporal.db');
  const port = await freePort('127.0.0.1');
  let server: RunningDevServer = await startDevServer({
    dbFile,
    port,
    logFile: path.join(logs, 'server.log'),
  });
  const taskQueue = `faults-${index}`;
  const raw = workerConfig(simulator, server.address, taskQueue);
  const configFile = path.join(logs, 'cutover.yaml');
  fs.writeFileSync(configFile, YAML.stringify(raw));
  const config = parseConfig(raw, configFile);
  const workers = [startWorker(configFile, path.join(logs, 'worker-1.log'))];
  const connection = await Connection.connect({ address: server.address });
  const dataConverter = await dataConverterFor(config, new SecretResolver(SECRETS, new Redactor()));
  const client = new Client({ connection, dataConverter });

  const faults = { seed: 1_000 + index, modules: [...FAULTED_MODULES], ...scenario.faults };
  simulator.faults.configure(faults);
  const started = Date.now();
  const handles = await Promise.all(
    MIGRATION_RUNS.map((run) => startMigrationRequest(client, run, run.fromConfig(config), { taskQueue })),
  );
  const results = Promise.all(
    handles.map((handle) =>
      handle.result().then(
        (progress: MigrationProgress) => progress,
        (error: Error) => error,
      ),
    ),
  );

  const disruption = (async () => {
    if (scenario.burst) {
      await delay(scenario.burst.afterMs);
      simulator.faults.configure({ ...faults, ...scenario.burst.faults });
      await delay(scenario.burst.forMs);
      simulator.faults.configure(faults);
    }
    if (scenario.kill) {
      // Mid-run: once a fifth of the SFMC dataflows are verified.
      for (;;) {
        const progress = await handles[0]!.query(progressQuery).catch(() => undefined);
        const done =
          progress?.items.filter((item) => ['verified', 'v1-removed'].includes(item.status)).length ?? 0;
        if (progress && done >= progress.items.length / 5) break;
        await delay(250);
      }
      if (scenario.kill === 'worker') {
        await killProcess(workers[0]!);
        workers.push(startWorker(configFile, path.join(logs, 'worker-2.log')));
      } else {
        await server.kill();
        await delay(1_000);
        server = await startDevServer({ dbFile, port, logFile: path.join(logs, 'server.log') });
      }
    }
  })();

  // One progress line every 10 s; awaited before the connection closes, so no query outlives it.
  let watching = true;
  const watcher = (async () => {
    for (let tick = 1; watching; tick += 1) {
      await delay(500);
      if (!watching || tick % 20 !== 0) continue;
      const progress = await Promise.all(
        handles.map((handle) => handle.query(progressQuery).catch(() => undefined)),
      );
      const line = progress
        .map((entry) => {
          if (!entry) return '?';
          const counts = new Map<string, number>();
          for (const item of entry.items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
          return `${entry.phase} ${[...counts].map(([status, count]) => `${count} ${status}`).join(', ')}`;
        })
        .join(' | ');
      process.stderr.write(`  ${Math.round((Date.now() - started) / 1000)} s: ${line}\n`);
    }
  })();
  const outcomes = await results;
  watching = false;
  await watcher;
  const wallSeconds = (Date.now() - started) / 1000;
  await disruption;
  simulator.faults.configure({});
  for (const worker of workers) await killProcess(worker);
  await connection.close();
  await server.stop();

  const check = checkSimulatorState(initial, simulator.snapshot(), DEMO_ORG_ID);
  await simulator.close();
  const phases = outcomes
    .map((outcome, kind) => {
      const label = kind === 0 ? 'SFMC' : 'Marketo';
      if (outcome instanceof Error)
        return `${label} failed: ${(outcome.cause as Error | undefined)?.message ?? outcome.message}`;
      const cutOver = outcome.items.filter((item) => item.status === 'v1-removed').length;
      return `${label} ${outcome.phase} ${cutOver}/${outcome.items.filter((item) => item.status !== 'skipped').length}`;
    })
    .join(', ');
  const failedItems = outcomes.reduce(
    (sum, outcome) =>
      sum +
      (outcome instanceof Error
        ? 1
        : outcome.items.filter((item) => !['v1-removed', 'skipped'].includes(item.status)).length),
    0,
  );
  return { scenario: scenario.name, phases, failedItems, wallSeconds, check };
}

async function main() {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const chosen = SCENARIOS.filter(
    (scenario, index) => index === 0 || !values.only || scenario.name.includes(values.only),
  );
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const outcomes: Outcome[] = [];
  for (const [index, scenario] of chosen.entries()) {
    process.stderr.write(`faults: ${scenario.name} ...\n`);
    outcomes.push(await runScenario(scenario, index));
  }
  const baseline = outcomes[0]!.wallSeconds;
  const rows = outcomes.map((outcome) => {
    const ratio = outcome.wallSeconds / baseline;
    const ok =
      outcome.failedItems === 0 &&
      outcome.check.mostV2PerV1 <= 1 &&
      outcome.check.v1DeletedWithoutV2 === 0 &&
      outcome.check.audiencesWithoutExport === 0 &&
      ratio <= 3;
    return { ...outcome, ratio, ok };
  });
  const table = [
    '| fault | finished or rolled back | most V2 objects for one V1 | V1 deleted without a verified, approved V2 | audiences without an export | wall time vs fault-free |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.scenario} | ${row.phases}${row.failedItems ? ` (${row.failedItems} not cut over)` : ''} | ${row.check.mostV2PerV1} | ${row.check.v1DeletedWithoutV2} | ${row.check.audiencesWithoutExport} | ${row.wallSeconds.toFixed(1)} s (${row.ratio.toFixed(2)} x)${row.ok ? '' : ' FAIL'} |`,
    ),
  ].join('\n');
  console.log(table);
  for (const row of rows)
    for (const detail of row.check.details.slice(0, 5)) console.log(`  ${row.scenario}: ${detail}`);
  process.exitCode = rows.every((row) => row.ok) ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
