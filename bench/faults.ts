/**
 * The fault matrix at scale: `npm run faults`. For each fault, a fresh
 * simulator (3 sandboxes x 40 SFMC and x 20 Marketo V1 dataflows), a fresh
 * dev server and cutover worker processes migrate SFMC and Marketo at once,
 * with auto-approval; then the simulator's own state is checked:
 *   - most V2 objects made for one V1 object (any kind; 1 is right),
 *   - V1 dataflows deleted without exactly one enabled V2 whose first run succeeded,
 *   - audiences V1 exported that no enabled dataflow exports any more.
 * Outage rows (an API or the Temporal server away for 10-20 minutes) must
 * roll nothing back; the lost-sandbox row must keep that sandbox's V1 and
 * cut the others over. It exits non-zero unless every run completed with no
 * failed item, every count is right, no row rolled back for an outage, and
 * no run took over 3 x the fault-free time (plus its outage).
 *   npm run faults [-- --only "list lag" [--only "down 20 min"]]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import YAML from 'yaml';
import { dataConverterFor } from '../src/codec/data-converter';
import { parseConfig } from '../src/config/load';
import { Redactor, SecretResolver } from '../src/config/secrets';
import { MIGRATION_RUNS, salesConnectRun } from '../src/runs';
import { startMigrationRequest } from '../src/runs/migration';
import { projectRoot } from '../src/project-root';
import type { FaultSettingsInput } from '../src/simulator/core/faults';
import {
  DEMO_IMS_CLIENT_ID,
  DEMO_MARKETO,
  DEMO_ORG_ID,
  DEMO_SALES_CONNECT,
  DEMO_SFMC,
} from '../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../src/simulator/server';
import { freePort } from '../src/temporal/free-port';
import { startDevServer, type RunningDevServer } from '../src/temporal/dev-server';
import {
  approveUpdate,
  progressQuery,
  type ItemProgress,
  type MigrationProgress,
} from '../src/workflows/migration/messages';
import {
  provisioningProgressQuery,
  type ProvisioningProgress,
} from '../src/workflows/sales-connect/messages';
import { checkSimulatorState, type StateCheck } from './fault-checks';

const SANDBOXES = ['prod', 'dev-1', 'dev-2'];
const SECRETS = {
  FAULTS_SECRET: 'faults-matrix-secret',
  // Payloads encrypted as in production: the codec's cost is part of every figure.
  FAULTS_CODEC_KEY: crypto.randomBytes(32).toString('base64'),
};
/** One folder per matrix, so matrices of different rows can run side by side. */
const LOG_DIR = path.join(
  projectRoot,
  '.cutover',
  'faults',
  `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`,
);
const RUN_DURATION_MS = 3_000;
const FAULTED_MODULES = ['ims', 'flowService', 'dataPrep', 'sfmc', 'marketo'] as const;

/** When a disruption starts: a fifth of the SFMC dataflows verified, SFMC's first V2 create, the first V1 deleted, both runs at their approval gate, or the Sales Connect run waiting. */
type Moment =
  'fifth-verified' | 'first-v2-create' | 'first-v1-delete' | 'sales-connect-wait' | 'awaiting-approval';

interface Scenario {
  name: string;
  faults?: FaultSettingsInput;
  /** A fault that lasts a while and then clears, starting this long into the run (or at a moment). */
  burst?: { afterMs?: number; when?: Moment; forMs: number; faults: FaultSettingsInput };
  kill?: 'worker' | 'server';
  /** When the kill happens (a fifth verified by default), and how long a killed server stays down. */
  killWhen?: Moment;
  downMs?: number;
  /** Also provisions Sales Connect users (its ten-minute wait included). */
  salesConnect?: boolean;
  /** A sandbox whose items are expected not to be cut over (rolled back, V1 kept), the others all cut over. */
  lostSandbox?: string;
  /** Every sandbox waits for a person's approval, given once the disruption is over. */
  approveByHand?: boolean;
}

const MINUTE = 60_000;
const PLATFORM_MODULES = ['ims', 'flowService', 'dataPrep'] as const;
/** Every call refused: half dropped without an answer, the rest answered 503 (the simulator draws resets first). */
const UNAVAILABLE = { connectionResetRate: 0.5, unavailableRate: 1 } satisfies FaultSettingsInput;

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
  {
    name: 'Experience Platform down 20 min from the first V2 creates (503 or dropped connections)',
    burst: {
      when: 'first-v2-create',
      forMs: 20 * MINUTE,
      faults: { modules: [...PLATFORM_MODULES], ...UNAVAILABLE },
    },
  },
  {
    name: 'Marketo down 20 min from the start (503 or dropped connections)',
    burst: { afterMs: 0, forMs: 20 * MINUTE, faults: { modules: ['marketo'], ...UNAVAILABLE } },
  },
  {
    name: 'Temporal server down 10 min during V1 deletion',
    kill: 'server',
    killWhen: 'first-v1-delete',
    downMs: 10 * MINUTE,
  },
  {
    name: 'Temporal server down 10 min while both runs wait for approval',
    kill: 'server',
    killWhen: 'awaiting-approval',
    downMs: 10 * MINUTE,
    approveByHand: true,
  },
  {
    name: 'Temporal server down 10 min during the Sales Connect wait',
    kill: 'server',
    killWhen: 'sales-connect-wait',
    downMs: 10 * MINUTE,
    salesConnect: true,
  },
  {
    name: 'sandbox dev-2 loses its permissions after the first V2 creates',
    lostSandbox: 'dev-2',
    burst: {
      when: 'first-v2-create',
      forMs: 60 * MINUTE,
      faults: {
        modules: [...PLATFORM_MODULES],
        script: [{ kind: 'forbidden', count: 1_000_000, sandboxes: ['dev-2'] }],
      },
    },
  },
];

/** How long a scenario keeps an API or the server away: the wall time it may add to the fault-free run. */
function outageMs(scenario: Scenario): number {
  if (scenario.lostSandbox) return 0;
  return scenario.kill === 'server' && scenario.downMs ? scenario.downMs : (scenario.burst?.forMs ?? 0);
}

/** Sales Connect on the simulator's gateway, with Adobe's full ten-minute wait. */
function salesConnectSections(simulator: RunningSimulator) {
  return {
    salesConnect: {
      instanceId: DEMO_SALES_CONNECT.instanceId,
      gateway: { type: 'http', baseUrl: `${simulator.baseUrl}/sales-connect`, simulated: true },
      provisioningDelay: '10 minutes',
      users: [{ email: 'ben.seller@demo.example' }, { email: 'chloe.rep@demo.example', workspace: 'EMEA' }],
    },
    salesforce: { instance: DEMO_SALES_CONNECT.salesforceInstance, isProduction: true },
  };
}

function workerConfig(
  simulator: RunningSimulator,
  address: string,
  taskQueue: string,
  { salesConnect = false, approveByHand = false } = {},
) {
  return {
    ...(salesConnect ? salesConnectSections(simulator) : {}),
    temporal: { address, taskQueue },
    worker: { maxConcurrentActivityTaskExecutions: 100, logLevel: 'WARN' },
    adobe: {
      imsUrl: `${simulator.baseUrl}/ims`,
      platformUrl: `${simulator.baseUrl}/platform`,
      orgId: DEMO_ORG_ID,
      clientId: DEMO_IMS_CLIENT_ID,
      clientSecret: 'env:FAULTS_SECRET',
      scopes: ['openid'],
      sandboxes: SANDBOXES.map((name) => ({ name, autoApprove: !approveByHand })),
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
  /** Items rolled back: none may be in a row whose fault only delays the run. */
  rolledBack: number;
  outageMs: number;
  wallSeconds: number;
  check: StateCheck;
}

type RunProgress = MigrationProgress | ProvisioningProgress;

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
  const raw = workerConfig(simulator, server.address, taskQueue, {
    salesConnect: scenario.salesConnect,
    approveByHand: scenario.approveByHand,
  });
  const configFile = path.join(logs, 'cutover.yaml');
  fs.writeFileSync(configFile, YAML.stringify(raw));
  const config = parseConfig(raw, configFile);
  const workers = [startWorker(configFile, path.join(logs, 'worker-1.log'))];
  // Asked again every few seconds while a scenario keeps the server away, not after grpc's two-minute backoff.
  const connection = await Connection.connect({
    address: server.address,
    channelArgs: { 'grpc.max_reconnect_backoff_ms': 5_000 },
  });
  const dataConverter = await dataConverterFor(config, new SecretResolver(SECRETS, new Redactor()));
  const client = new Client({ connection, dataConverter });

  const faults = { seed: 1_000 + index, modules: [...FAULTED_MODULES], ...scenario.faults };
  simulator.faults.configure(faults);
  const started = Date.now();
  const handles: WorkflowHandle[] = await Promise.all(
    MIGRATION_RUNS.map((run) => startMigrationRequest(client, run, run.fromConfig(config), { taskQueue })),
  );
  if (scenario.salesConnect) {
    const request = salesConnectRun.fromConfig(config);
    handles.push(
      await client.workflow.start(
        salesConnectRun.workflow,
        salesConnectRun.startOptions(request, { taskQueue }),
      ),
    );
  }
  let settled = false;
  const results = Promise.all(
    handles.map((handle) =>
      resultThroughOutages(handle).then(
        (progress) => progress,
        (error: Error) => error,
      ),
    ),
  ).finally(() => (settled = true));
  const runsDone = new AbortController();
  void results.finally(() => runsDone.abort());
  const sleepUnlessDone = (ms: number) =>
    delay(ms, undefined, { signal: runsDone.signal }).catch(() => undefined);

  /** Waits for a moment of the run; false when the runs ended first. */
  async function reached(moment: Moment): Promise<boolean> {
    for (; !settled; await sleepUnlessDone(250)) {
      // SFMC's first V2 source connection (Marketo makes none): both runs are past discovery then.
      if (
        moment === 'first-v2-create' &&
        simulator.requests.list({ method: 'POST', pathContains: '/sourceConnections' }).length
      )
        return true;
      if (
        moment === 'first-v1-delete' &&
        simulator.requests.list({ method: 'DELETE', pathContains: '/flows/' }).length
      )
        return true;
      if (moment === 'awaiting-approval') {
        const phases = await Promise.all(
          handles.slice(0, MIGRATION_RUNS.length).map((handle) =>
            handle.query(progressQuery).then(
              (progress) => progress.phase,
              () => undefined,
            ),
          ),
        );
        if (phases.every((phase) => phase === 'awaiting-approval')) return true;
      }
      if (moment === 'sales-connect-wait') {
        const progress = await handles[2]?.query(provisioningProgressQuery).catch(() => undefined);
        if (progress?.phase === 'waiting') return true;
      }
      if (moment === 'fifth-verified') {
        const progress = await handles[0]!.query(progressQuery).catch(() => undefined);
        const done =
          progress?.items.filter((item) => ['verified', 'v1-removed'].includes(item.status)).length ?? 0;
        if (progress && done >= progress.items.length / 5) return true;
      }
    }
    return false;
  }

  const disruption = (async () => {
    if (scenario.burst) {
      const { burst } = scenario;
      if (burst.when ? await reached(burst.when) : (await sleepUnlessDone(burst.afterMs ?? 0), true)) {
        simulator.faults.configure({ ...faults, ...burst.faults, seed: faults.seed });
        await sleepUnlessDone(burst.forMs);
        simulator.faults.configure(faults);
      }
    }
    if (scenario.kill && (await reached(scenario.killWhen ?? 'fifth-verified'))) {
      if (scenario.kill === 'worker') {
        await killProcess(workers[0]!);
        workers.push(startWorker(configFile, path.join(logs, 'worker-2.log')));
      } else {
        await server.kill();
        await delay(scenario.downMs ?? 1_000);
        server = await startDevServer({ dbFile, port, logFile: path.join(logs, 'server.log') });
      }
    }
    if (scenario.approveByHand)
      for (const handle of handles.slice(0, MIGRATION_RUNS.length)) await approveWhenAsked(handle);
  })();

  // One progress line every 10 s; awaited before the connection closes, so no query outlives it.
  let watching = true;
  const watcher = (async () => {
    for (let tick = 1; watching; tick += 1) {
      await delay(500);
      if (!watching || tick % 20 !== 0) continue;
      const progress = await Promise.all(
        handles
          .slice(0, MIGRATION_RUNS.length)
          .map((handle) => handle.query(progressQuery).catch(() => undefined)),
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
  // A failed run's items are still in its progress, read through the worker.
  const progresses = await Promise.all(
    handles.slice(0, MIGRATION_RUNS.length).map((handle, kind) => {
      const outcome = outcomes[kind];
      return outcome instanceof Error
        ? handle.query(progressQuery).catch(() => undefined)
        : (outcome as MigrationProgress);
    }),
  );
  const provisioning = scenario.salesConnect ? outcomes[MIGRATION_RUNS.length] : undefined;
  simulator.faults.configure({});
  for (const worker of workers) await killProcess(worker);
  await connection.close();
  await server.stop();

  const check = checkSimulatorState(initial, simulator.snapshot(), DEMO_ORG_ID);
  await simulator.close();
  const expectedCutOver = (item: ItemProgress) =>
    item.status !== 'skipped' && item.sandbox !== scenario.lostSandbox;
  const phases = progresses
    .map((progress, kind) => {
      const label = kind === 0 ? 'SFMC' : 'Marketo';
      const outcome = outcomes[kind];
      const closed =
        outcome instanceof Error
          ? `failed (${(outcome.cause as Error | undefined)?.message ?? outcome.message})`
          : progress?.phase;
      if (!progress) return `${label} ${closed}`;
      const cutOver = progress.items.filter((item) => item.status === 'v1-removed').length;
      return `${label} ${closed} ${cutOver}/${progress.items.filter((item) => item.status !== 'skipped').length}`;
    })
    .concat(
      provisioning === undefined
        ? []
        : [
            provisioning instanceof Error
              ? `Sales Connect failed: ${provisioning.message}`
              : `Sales Connect ${(provisioning as ProvisioningProgress).phase} ${(provisioning as ProvisioningProgress).users.filter((user) => user.status === 'invited').length} invited`,
          ],
    )
    .join(', ');
  const items = progresses.flatMap((progress) => progress?.items ?? []);
  const failedItems =
    progresses.filter((progress) => !progress).length +
    items.filter((item) => expectedCutOver(item) && item.status !== 'v1-removed').length +
    (provisioning instanceof Error ||
    (provisioning && (provisioning as ProvisioningProgress).phase !== 'completed')
      ? 1
      : 0);
  // The lost sandbox's items cut over before the loss are fine; the fault must have stopped some.
  const lostItems = items.filter((item) => item.sandbox === scenario.lostSandbox);
  const lostSome =
    !scenario.lostSandbox ||
    lostItems.some((item) => item.status === 'failed' || item.status === 'rolled-back');
  const lostCounts = [...new Set(lostItems.map((item) => item.status))]
    .map((status) => `${lostItems.filter((item) => item.status === status).length} ${status}`)
    .join(', ');
  const rolledBack = items.filter((item) => item.status === 'rolled-back').length;
  return {
    scenario: scenario.name,
    phases: scenario.lostSandbox ? `${phases}; ${scenario.lostSandbox}: ${lostCounts}` : phases,
    failedItems: failedItems + (lostSome ? 0 : 1),
    rolledBack,
    outageMs: outageMs(scenario),
    wallSeconds,
    check,
  };
}

/** Approves every sandbox of a run once it waits for approval, asking again while the server is away. */
async function approveWhenAsked(handle: WorkflowHandle): Promise<void> {
  for (;;) {
    try {
      if ((await handle.describe()).status.name !== 'RUNNING') return;
      if ((await handle.query(progressQuery)).phase === 'awaiting-approval') {
        await handle.executeUpdate(approveUpdate, { args: [{ by: 'faults matrix' }] });
        return;
      }
    } catch {
      // The server is not back yet, or the run not at its gate: ask again.
    }
    await delay(2_000);
  }
}

/** A run's result, asked again while the server is away (a client call fails then), until the run closes. */
async function resultThroughOutages(handle: WorkflowHandle): Promise<RunProgress> {
  for (;;) {
    try {
      return (await handle.result()) as RunProgress;
    } catch (error) {
      if (error instanceof WorkflowFailedError) throw error;
      await delay(5_000);
    }
  }
}

async function main() {
  const { values } = parseArgs({ options: { only: { type: 'string', multiple: true } } });
  const chosen = SCENARIOS.filter(
    (scenario, index) =>
      index === 0 || !values.only?.length || values.only.some((part) => scenario.name.includes(part)),
  );
  fs.mkdirSync(LOG_DIR, { recursive: true });
  const outcomes: Outcome[] = [];
  for (const [index, scenario] of chosen.entries()) {
    process.stderr.write(`faults: ${scenario.name} ...\n`);
    outcomes.push(await runScenario(scenario, index));
  }
  const baseline = outcomes[0]!.wallSeconds;
  const rows = outcomes.map((outcome) => {
    // A row that keeps an API or the server away may take the fault-free time plus that long.
    const allowed = outcome.outageMs / 1000 + baseline * 3;
    const ratio = outcome.wallSeconds / baseline;
    const ok =
      outcome.failedItems === 0 &&
      outcome.check.mostV2PerV1 <= 1 &&
      outcome.check.v1DeletedWithoutV2 === 0 &&
      outcome.check.audiencesWithoutExport === 0 &&
      (outcome.outageMs === 0 || outcome.rolledBack === 0) &&
      outcome.wallSeconds <= allowed;
    return { ...outcome, ratio, ok };
  });
  const wall = (row: (typeof rows)[number]) =>
    row.outageMs
      ? `${row.wallSeconds.toFixed(1)} s = fault-free + outage + ${(row.wallSeconds - baseline - row.outageMs / 1000).toFixed(1)} s`
      : `${row.wallSeconds.toFixed(1)} s (${row.ratio.toFixed(2)} x)`;
  const table = [
    '| fault | finished or rolled back | rolled back | most V2 objects for one V1 | V1 deleted without a verified, approved V2 | audiences without an export | wall time vs fault-free |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.scenario} | ${row.phases}${row.failedItems ? ` (${row.failedItems} not as expected)` : ''} | ${row.rolledBack} | ${row.check.mostV2PerV1} | ${row.check.v1DeletedWithoutV2} | ${row.check.audiencesWithoutExport} | ${wall(row)}${row.ok ? '' : ' FAIL'} |`,
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
