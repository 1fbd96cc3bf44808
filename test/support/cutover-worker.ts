import path from 'node:path';
import { Client } from '@temporalio/client';
import { dataConverterFor } from '../../src/codec/data-converter';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { CutoverConfig } from '../../src/config/schema';
import type { SecretSource } from '../../src/config/secrets';
import { createCutoverWorker } from '../../src/worker';
import { testSecrets } from './cutover-config';
import { workflowBundle } from './worker';

const workflowsPath = path.join(__dirname, '../../src/workflows/index.ts');

/** The production worker (real activities and workflows) on a test server, with the test secrets. */
export async function cutoverTestWorker(
  env: Pick<TestWorkflowEnvironment, 'nativeConnection' | 'namespace'>,
  config: CutoverConfig,
  secrets: SecretSource = testSecrets(),
): Promise<Worker> {
  return createCutoverWorker({
    config,
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    secrets,
    workflowBundle: await workflowBundle(workflowsPath),
  });
}

/** A client of the test server that reads and writes payloads with the config's codec, as the CLI does. */
export async function cutoverTestClient(
  env: Pick<TestWorkflowEnvironment, 'connection' | 'namespace'>,
  config: CutoverConfig,
  secrets: SecretSource,
): Promise<Client> {
  return new Client({
    connection: env.connection,
    namespace: env.namespace,
    dataConverter: await dataConverterFor(config, secrets),
  });
}
