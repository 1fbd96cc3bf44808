import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, inject } from 'vitest';
import { explainSdkDownloadFailure, resolveTemporalBinary, sdkExecutable } from '../../src/temporal/binaries';

/** A client and native connection on the suite's shared dev server. */
export function devServerEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({
    address: inject('temporalAddress'),
    namespace: inject('temporalNamespace'),
  });
}

/** A private time-skipping test server, started from the resolved binary. */
export async function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const binary = resolveTemporalBinary('testServer');
  try {
    return await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: sdkExecutable(binary) },
    });
  } catch (error) {
    throw explainSdkDownloadFailure('testServer', binary, error);
  }
}

/**
 * Creates the environment before the file's tests and tears it down after;
 * the returned accessor is valid inside tests.
 */
export function useTemporalEnvironment(
  create: () => Promise<TestWorkflowEnvironment> = devServerEnvironment,
): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  beforeAll(async () => {
    env = await create();
  });
  afterAll(async () => {
    await env?.teardown();
  });
  return () => {
    if (!env) throw new Error('The Temporal test environment is only available inside tests.');
    return env;
  };
}
