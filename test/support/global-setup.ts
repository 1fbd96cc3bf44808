import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../src/temporal/dev-server';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
  }
}

/**
 * One real Temporal dev server for the whole suite: SQLite in a temp file with
 * WAL, the project's search attributes, readiness on cluster health.
 * CUTOVER_TEST_UI=1 serves the Web UI too, to watch the tests run.
 */
export default async function setup(project: TestProject) {
  const startedAt = Date.now();
  const server = await startDevServer({ ui: process.env.CUTOVER_TEST_UI === '1' });
  const readyMs = Date.now() - startedAt;
  console.log(
    `[temporal] dev server ready at ${server.address} in ${readyMs} ms` +
      (server.uiUrl ? `, UI at ${server.uiUrl}` : '') +
      ` (${server.binary.type === 'existing-path' ? `${server.binary.source}: ${server.binary.path}` : 'SDK download'})`,
  );
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
  return async () => {
    await server.stop();
  };
}
