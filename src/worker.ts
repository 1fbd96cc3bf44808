import {
  NativeConnection,
  Runtime,
  Worker,
  makeTelemetryFilterString,
  type Logger,
} from '@temporalio/worker';
import { NamespaceNotFoundError, type DataConverter, type Duration } from '@temporalio/common';
import { createActivities, type ActivityDependencies } from './activities';
import { remoteRateLimitsFrom } from './activities/remote-clients';
import { dataConverterFor } from './codec/data-converter';
import { currentKeyIdOf } from './config/codec';
import { loadConfigFile, secretResolverFor } from './config/load';
import type { CutoverConfig, WorkerConfig } from './config/schema';
import type { SecretSource } from './config/secrets';
import { createStructuredLogger } from './observability/logger';
import {
  MetricsPortInUseError,
  TemporalUnreachableError,
  resolveTemporalConnection,
} from './temporal/connection-options';
import { workflowSource } from './temporal/workflow-source';
import { watchActivityWorkers } from './temporal/worker-count';

let runtimeInstalled = false;

/**
 * Must run before anything touches Temporal's native runtime (connections,
 * workers, test environments); later calls are ignored.
 */
export function installRuntime(
  workerConfig: Pick<WorkerConfig, 'logLevel' | 'metricsAddress'>,
  writeLogLine?: (line: string) => void,
): Logger {
  const logger = createStructuredLogger(workerConfig.logLevel, writeLogLine);
  if (runtimeInstalled) return logger;
  try {
    Runtime.install({
      logger,
      telemetryOptions: {
        logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) },
        ...(workerConfig.metricsAddress
          ? { metrics: { prometheus: { bindAddress: workerConfig.metricsAddress } } }
          : {}),
      },
      shutdownSignals: ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR2'],
    });
  } catch (error) {
    // A process that already runs Temporal (a test, an embedding app) keeps its runtime, and its telemetry.
    if (!/already been (installed|instantiated)/.test((error as Error).message)) {
      if (/address.*in use|EADDRINUSE|os error 98/i.test((error as Error).message))
        throw new MetricsPortInUseError(workerConfig.metricsAddress ?? '');
      throw error;
    }
  }
  runtimeInstalled = true;
  return logger;
}

export interface CutoverWorkerOptions {
  config: CutoverConfig;
  connection: NativeConnection;
  namespace: string;
  secrets?: SecretSource;
  /** Replaces the production activities, e.g. to inject clients pointed elsewhere. */
  activities?: object;
  /** A workflow bundle built once and shared, instead of bundling on every start (tests). */
  workflowBundle?: { code: string };
  /** A data converter already built from the config's codec keys, instead of resolving them again (the demo). */
  dataConverter?: DataConverter;
}

export async function createCutoverWorker({
  config,
  connection,
  namespace,
  secrets,
  activities,
  workflowBundle,
  dataConverter: built,
}: CutoverWorkerOptions) {
  const limits = remoteRateLimitsFrom(config);
  const deps: ActivityDependencies = {
    config,
    secrets: secrets ?? secretResolverFor(config, 'worker'),
    metricMeter: Runtime.instance().metricMeter,
    limits,
  };
  const { worker: tuning, temporal } = config;
  const dataConverter = built ?? (await dataConverterFor(config, deps.secrets));
  const worker = await Worker.create({
    connection,
    namespace,
    dataConverter,
    taskQueue: temporal.taskQueue,
    ...(workflowBundle ? { workflowBundle } : workflowSource()),
    activities: activities ?? createActivities(deps),
    maxConcurrentActivityTaskExecutions: tuning.maxConcurrentActivityTaskExecutions,
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTaskExecutions,
    maxCachedWorkflows: tuning.maxCachedWorkflows,
    ...(tuning.maxTaskQueueActivitiesPerSecond
      ? { maxTaskQueueActivitiesPerSecond: tuning.maxTaskQueueActivitiesPerSecond }
      : {}),
    // In-flight activities get this long to finish after SIGINT/SIGTERM before they are cancelled.
    shutdownGraceTime: tuning.shutdownGraceTime as Duration,
  });
  // The remote APIs' limits hold for the organisation: every worker of the task queue takes its share.
  watchActivityWorkers(
    connection,
    { namespace, taskQueue: temporal.taskQueue, identity: worker.options.identity },
    (workers) => limits.shareAmong(workers),
    () => ['STOPPED', 'FAILED'].includes(worker.getState()),
  );
  return worker;
}

const GRPC_NOT_FOUND = 5;

/** A worker polling a namespace that is not there would poll nothing forever, and look healthy doing it. */
async function requireNamespace(connection: NativeConnection, namespace: string): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (error) {
    if ((error as { code?: number }).code === GRPC_NOT_FOUND) throw new NamespaceNotFoundError(namespace);
    throw error;
  }
}

/** Runs a worker until a shutdown signal drains it. */
export async function runWorker(config: CutoverConfig): Promise<void> {
  const logger = installRuntime(config.worker);
  const secrets = secretResolverFor(config, 'worker');
  const settings = await resolveTemporalConnection(config.temporal, secrets);
  const connection = await NativeConnection.connect({
    address: settings.address,
    ...(settings.tls ? { tls: settings.tls } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
  }).catch((error: unknown) => {
    throw new TemporalUnreachableError(settings.address, (error as Error).message);
  });
  try {
    await requireNamespace(connection, settings.namespace);
    const worker = await createCutoverWorker({ config, connection, namespace: settings.namespace, secrets });
    logger.info('cutover worker started', {
      address: settings.address,
      namespace: settings.namespace,
      taskQueue: config.temporal.taskQueue,
      metrics: config.worker.metricsAddress ?? 'off',
      payloads: config.codec ? `encrypted (key ${currentKeyIdOf(config.codec)})` : 'plain JSON',
    });
    await worker.run();
    logger.info('cutover worker drained and stopped');
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  const configPath = process.argv[2] ?? process.env.CUTOVER_CONFIG ?? 'cutover.yaml';
  runWorker(loadConfigFile(configPath)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
