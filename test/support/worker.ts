import { randomUUID } from 'node:crypto';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../../src/codec/data-converter';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** Bundles a workflows module once per test process; webpack is the slow part of a worker start. */
export function workflowBundle(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: silentBundlerLogger,
    });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

const silentBundlerLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error(message: string, meta?: object) {
    console.error(message, meta);
  },
};

export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

export interface TestWorkerOptions extends Omit<
  WorkerOptions,
  'workflowsPath' | 'workflowBundle' | 'connection'
> {
  connection: NativeConnection;
  workflowsPath: string;
}

export async function createTestWorker({ workflowsPath, ...options }: TestWorkerOptions): Promise<Worker> {
  return Worker.create({ ...options, workflowBundle: await workflowBundle(workflowsPath) });
}

/** Runs a worker for exactly the duration of `body`, then shuts it down and waits for the drain. */
export async function withWorker<T>(
  options: TestWorkerOptions,
  body: (worker: Worker) => Promise<T>,
): Promise<T> {
  const worker = await createTestWorker(options);
  return worker.runUntil(body(worker));
}
