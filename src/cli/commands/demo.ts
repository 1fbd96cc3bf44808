import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { startCodecServer } from '../../codec/codec-server';
import { payloadCodecFor } from '../../codec/data-converter';
import { codecConfigSchema } from '../../config/codec';
import { loadConfigFile, secretResolverFor } from '../../config/load';
import type { CutoverConfig } from '../../config/schema';
import { projectRoot } from '../../project-root';
import { startSimulator } from '../../simulator/server';
import { startDevServer } from '../../temporal/dev-server';
import { preferredOrFreePort } from '../../temporal/free-port';
import { MIGRATION_RUNS } from '../../runs';
import { syncIngestionSchedules, triggerIngestionSchedule } from '../../runs/ingestion';
import { createCutoverWorker, installRuntime } from '../../worker';
import type { IngestionProgress } from '../../workflows/ingestion/messages';
import { parseCommandArgs, portSchema } from '../args';
import { formatInspection, runDoctor } from './doctor';
import { describeIngestion, desiredIngestionSettings } from './ingestion';
import { followMigration, startMigration } from './migration';
import { followSalesConnectProvisioning, startSalesConnectProvisioning, usersTable } from './sales-connect';
import { progressSummary, progressTable } from './migration-progress';

const DEMO_DIR = path.join(projectRoot, '.cutover', 'demo');
const DEMO_CONFIG = path.join(projectRoot, 'examples', 'cutover.simulator.yaml');

/** The simulator accepts any non-empty secret; real deployments set these in the worker's environment. */
const PLACEHOLDER_SECRETS = [
  'CUTOVER_ADOBE_CLIENT_SECRET',
  'CUTOVER_SFMC_CLIENT_SECRET',
  'CUTOVER_MARKETO_CLIENT_SECRET',
  'CUTOVER_SALES_CONNECT_API_KEY',
];

/** The demo's codec key, made once per checkout beside the demo's other state; read as a file, so no child process inherits it. */
const DEMO_CODEC_KEY_FILE = path.join(DEMO_DIR, 'codec.key');
function ensureDemoCodecKey(): void {
  if (!fs.existsSync(DEMO_CODEC_KEY_FILE))
    fs.writeFileSync(DEMO_CODEC_KEY_FILE, crypto.randomBytes(32).toString('base64'), { mode: 0o600 });
}

/** Long enough to watch the durable wait in the UI, short enough for a demo. */
const DEMO_PROVISIONING_DELAY = '15 seconds';

/** The simulator origin the example config is written for. */
const EXAMPLE_SIMULATOR_ORIGIN = 'http://127.0.0.1:4010';

/** Points every remote-API URL of the example config at the simulator actually running. */
function pointAtSimulator(config: CutoverConfig, simulatorOrigin: string): CutoverConfig {
  return JSON.parse(
    JSON.stringify(config).split(EXAMPLE_SIMULATOR_ORIGIN).join(simulatorOrigin),
  ) as CutoverConfig;
}

const demoArgs = z.object({
  port: portSchema.default(7233),
  'ui-port': portSchema.default(8233),
  'simulator-port': portSchema.default(4010),
  'metrics-port': portSchema.default(9464),
  exit: z.boolean().default(false),
});

/**
 * The embedded default: a Temporal dev server with its Web UI, a cutover
 * worker, and a run through it; stays up for exploring the UI until Ctrl-C
 * unless --exit is given.
 */
export async function demoCommand(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    'demo',
    argv,
    {
      port: { type: 'string' },
      'ui-port': { type: 'string' },
      'simulator-port': { type: 'string' },
      'metrics-port': { type: 'string' },
      exit: { type: 'boolean' },
    },
    demoArgs,
  );
  fs.mkdirSync(DEMO_DIR, { recursive: true });
  const workerLog = fs.createWriteStream(path.join(DEMO_DIR, 'worker.log'), { flags: 'a' });
  const metricsAddress = `127.0.0.1:${await preferredOrFreePort(args['metrics-port'])}`;
  installRuntime({ logLevel: 'INFO', metricsAddress }, (line) => workerLog.write(`${line}\n`));

  for (const name of PLACEHOLDER_SECRETS) process.env[name] ??= 'simulator-placeholder-secret';
  ensureDemoCodecKey();
  // Every demo starts from the demo seed, as its dev server starts empty; the file stays for inspection afterwards.
  const simulatorState = path.join(DEMO_DIR, 'simulator.json');
  fs.rmSync(simulatorState, { force: true });
  const simulator = await startSimulator({
    port: await preferredOrFreePort(args['simulator-port']),
    seed: { profile: 'demo' },
    stateFile: simulatorState,
    // Thirty simulated seconds per second: first runs finish in about a second.
    speed: 30,
  });
  const loaded = pointAtSimulator(loadConfigFile(DEMO_CONFIG), simulator.baseUrl);
  // The demo approves its own cut-over; real runs wait for `cutover approve` unless configured otherwise.
  const config: CutoverConfig = {
    ...loaded,
    adobe: {
      ...loaded.adobe,
      sandboxes: loaded.adobe.sandboxes.map((sandbox) => ({ ...sandbox, autoApprove: true })),
    },
    // Simulated time runs 30x; the simulator's own too-early rule is relaxed to match this short wait.
    ...(loaded.salesConnect
      ? { salesConnect: { ...loaded.salesConnect, provisioningDelay: DEMO_PROVISIONING_DELAY } }
      : {}),
    // Every payload the demo stores is encrypted; the UI reads it through the codec server below.
    codec:
      loaded.codec ??
      codecConfigSchema.parse({ keys: [{ id: 'demo-1', key: `file:${DEMO_CODEC_KEY_FILE}` }] }),
    secrets: { allowFilesIn: [...loaded.secrets.allowFilesIn, DEMO_DIR] },
  };
  await fetch(`${simulator.baseUrl}/__admin/sales-connect/${config.salesConnect?.instanceId}/settings`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ minimumProvisioningDelaySeconds: 300 }),
  });
  console.log(`Simulator of Adobe, SFMC, Marketo and Sales Connect (demo seed) at ${simulator.baseUrl}`);

  // Everything started is stopped in reverse order, whatever fails on the way.
  const cleanups: Array<() => Promise<unknown> | unknown> = [() => simulator.close(), () => workerLog.end()];
  try {
    const startedAt = Date.now();
    const uiPort = await preferredOrFreePort(args['ui-port']);
    const secrets = secretResolverFor(config, 'cli');
    const codec = await payloadCodecFor(config, secrets);
    const dataConverter = { payloadCodecs: [codec] };
    const codecServer = await startCodecServer({
      codec,
      port: 0,
      corsOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`],
    });
    cleanups.unshift(() => codecServer.close());
    const server = await startDevServer({
      ui: true,
      port: await preferredOrFreePort(args.port),
      uiPort,
      codecEndpoint: codecServer.url,
      logFile: path.join(DEMO_DIR, 'temporal.log'),
    });
    cleanups.unshift(() => server.stop());
    console.log(`Temporal dev server ready in ${Date.now() - startedAt} ms at ${server.address}`);

    const nativeConnection = await NativeConnection.connect({ address: server.address });
    cleanups.unshift(() => nativeConnection.close());
    const connection = await Connection.connect({ address: server.address });
    cleanups.unshift(() => connection.close());
    const client = new Client({ connection, namespace: server.namespace, dataConverter });
    console.log(`Payloads encrypted (AES-256-GCM); the UI decodes them through ${codecServer.url}`);

    const worker = await createCutoverWorker({
      config,
      connection: nativeConnection,
      namespace: server.namespace,
      dataConverter,
    });
    const running = worker.run();
    // The worker must drain before its connection closes, also when the run below fails.
    cleanups.unshift(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
    });
    console.log(
      `cutover worker polling task queue "${config.temporal.taskQueue}" (logs: ${path.relative(process.cwd(), path.join(DEMO_DIR, 'worker.log'))}; Prometheus metrics: http://${metricsAddress}/metrics)`,
    );

    const inspection = await Promise.race([
      runDoctor(client, config.temporal.taskQueue),
      running.then(() => {
        throw new Error('The worker stopped before the demo run finished.');
      }),
    ]);
    console.log(`\nDoctor workflow completed:\n${formatInspection(inspection)}\n`);

    const stopped = running.then(() => {
      throw new Error('The worker stopped before the migrations finished.');
    });
    for (const migration of MIGRATION_RUNS) {
      console.log(`${migration.title} migration of the demo organisation (automatic approval):`);
      const handle = await startMigration(client, config, migration);
      const result = await Promise.race([followMigration(client, handle.workflowId), stopped]);
      if (result) console.log(`\n${progressTable(result.items)}\n\n${progressSummary(result)}\n`);
      console.log(
        `  in the UI: ${server.uiUrl}/namespaces/${server.namespace}/workflows/${encodeURIComponent(handle.workflowId)}\n`,
      );
    }
    console.log(
      'Sales Connect provisioning (the wait after connecting Marketo is shortened for the simulator):',
    );
    const provisioning = await startSalesConnectProvisioning(client, config);
    const provisioned = await Promise.race([
      followSalesConnectProvisioning(client, provisioning.workflowId),
      stopped,
    ]);
    if (provisioned) console.log(`\n${usersTable(provisioned.users)}\n`);
    console.log(
      'Scheduled ingestion of the migrated dataflows (`cutover ingestion sync`, then one run now):',
    );
    const synced = await syncIngestionSchedules(
      client,
      config,
      await desiredIngestionSettings(config, client),
    );
    for (const scheduleId of [...synced.created, ...synced.updated, ...synced.unchanged]) {
      const schedule = client.schedule.getHandle(scheduleId);
      await triggerIngestionSchedule(client, scheduleId);
      const ingestion = await Promise.race([firstScheduledRun(client, scheduleId), stopped]);
      console.log(
        `  ${scheduleId}: ${describeIngestion(ingestion)}; next run ${(await schedule.describe()).info.nextActionTimes[0]?.toISOString()}`,
      );
      console.log(
        `  in the UI: ${server.uiUrl}/namespaces/${server.namespace}/schedules/${encodeURIComponent(scheduleId)}\n`,
      );
    }
    console.log(`Temporal UI: ${server.uiUrl}/namespaces/${server.namespace}/workflows`);

    if (args.exit) worker.shutdown();
    else console.log('Running. Press Ctrl-C to stop the worker, the simulator and the dev server.');
    await running;
    return 0;
  } finally {
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch (error) {
        console.error(`demo: cleanup failed: ${(error as Error).message}`);
      }
    }
  }
}

/** The result of the schedule's first workflow, once it has started one. */
async function firstScheduledRun(client: Client, scheduleId: string): Promise<IngestionProgress> {
  const schedule = client.schedule.getHandle(scheduleId);
  for (;;) {
    const [action] = (await schedule.describe()).info.recentActions;
    if (action) {
      const { workflowId, firstExecutionRunId } = action.action.workflow;
      return client.workflow
        .getHandle(workflowId, undefined, { firstExecutionRunId })
        .result() as Promise<IngestionProgress>;
    }
    await delay(250);
  }
}
