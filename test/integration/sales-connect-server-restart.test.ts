import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSalesConnectProvisioning } from '../../src/cli/commands/sales-connect';
import { parseConfig } from '../../src/config/load';
import { DEMO_SALES_CONNECT } from '../../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { startDevServer, type RunningDevServer } from '../../src/temporal/dev-server';
import { freePort } from '../../src/temporal/free-port';
import {
  provisioningProgressQuery,
  type ProvisioningProgress,
} from '../../src/workflows/sales-connect/messages';
import { adminPut, rawSalesConnectConfig } from '../support/cutover-config';
import { cutoverTestWorker } from '../support/cutover-worker';
import { waitFor } from '../support/wait-for';

let simulator: RunningSimulator;
beforeAll(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  await adminPut(simulator, `/__admin/sales-connect/${DEMO_SALES_CONNECT.instanceId}/settings`, {
    minimumProvisioningDelaySeconds: 0,
  });
});
afterAll(() => simulator.close());

/** A dev server on a fixed port and SQLite file, with a client and a worker over it. */
async function onServer(dbFile: string, port: number) {
  const server: RunningDevServer = await startDevServer({ dbFile, port });
  const native = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const config = parseConfig(
    {
      ...rawSalesConnectConfig(simulator, 'sc-server-restart', {
        provisioningDelay: '8 seconds',
        users: [{ email: 'ben.seller@demo.example' }],
      }),
      temporal: { address: server.address, taskQueue: 'sc-server-restart' },
    },
    'test.yaml',
  );
  const worker = await cutoverTestWorker({ nativeConnection: native, namespace: server.namespace }, config);
  return {
    config,
    client: new Client({ connection, namespace: server.namespace }),
    worker,
    async stop() {
      await connection.close();
      await native.close();
      await server.stop();
    },
  };
}

describe('the provisioning wait across a Temporal server restart (dev server, SQLite)', () => {
  it('is kept by the server: a new server on the same database fires it on time', async () => {
    const dbFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-restart-')), 'temporal.db');
    const port = await freePort('127.0.0.1');

    const first = await onServer(dbFile, port);
    const handle = await startSalesConnectProvisioning(first.client, first.config);
    await first.worker.runUntil(
      waitFor(async () => (await handle.query(provisioningProgressQuery)).phase === 'waiting', {
        timeoutMs: 30_000,
        what: 'the wait',
      }),
    );
    await first.stop();

    const second = await onServer(dbFile, port);
    try {
      const result = (await second.worker.runUntil(
        second.client.workflow.getHandle(handle.workflowId).result(),
      )) as ProvisioningProgress;
      expect(result.users.map((user) => user.status)).toEqual(['invited']);
      const connected = simulator.requests.list({ method: 'PUT', pathContains: '/marketo-connection' })[0]!;
      const invited = simulator.requests.list({ method: 'POST', pathContains: '/invitations' })[0]!;
      expect(invited.at - connected.at).toBeGreaterThanOrEqual(8_000);
      const events = (await second.client.workflow.getHandle(handle.workflowId).fetchHistory()).events ?? [];
      expect(events.filter((event) => event.timerStartedEventAttributes)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  });
});
