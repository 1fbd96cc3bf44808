import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runDoctor } from '../../src/cli/commands/doctor';
import { parseConfig } from '../../src/config/load';
import { Redactor, SecretResolver } from '../../src/config/secrets';
import { projectRoot } from '../../src/project-root';
import { freePort } from '../../src/temporal/free-port';
import { createCutoverWorker } from '../../src/worker';
import { findSecrets } from '../support/history';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue } from '../support/worker';
import { doctorWorkflow } from '../../src/workflows/doctor';

function configFor(taskQueue: string, worker: Record<string, unknown> = {}) {
  return {
    temporal: { taskQueue },
    worker: { logLevel: 'INFO', ...worker },
    adobe: {
      orgId: 'BOOTSTRAP1@AdobeOrg',
      clientId: 'client',
      clientSecret: 'env:BOOTSTRAP_ADOBE_SECRET',
      scopes: ['openid'],
      sandboxes: [{ name: 'prod' }],
    },
    marketo: { munchkinId: '123-ABC-456', clientId: 'm', clientSecret: 'env:BOOTSTRAP_MISSING_SECRET' },
  };
}

describe('the cutover worker', () => {
  const env = useTemporalEnvironment();

  it('answers the doctor workflow with which secret references resolve, never their values', async () => {
    const taskQueue = uniqueTaskQueue('bootstrap-doctor');
    const config = parseConfig(configFor(taskQueue, { maxTaskQueueActivitiesPerSecond: 7 }), 'test.yaml');
    const worker = await createCutoverWorker({
      config,
      connection: env().nativeConnection,
      namespace: env().namespace ?? 'default',
      secrets: new SecretResolver({ BOOTSTRAP_ADOBE_SECRET: 'adobe-value-1' }, new Redactor()),
    });
    expect(worker.options.maxTaskQueueActivitiesPerSecond).toBe(7);
    expect(worker.options.shutdownGraceTimeMs).toBe(30_000);

    const inspection = await worker.runUntil(runDoctor(env().client, taskQueue));
    expect(inspection.configuredIntegrations).toEqual(['adobe', 'marketo']);
    expect(inspection.secrets).toEqual([
      {
        field: 'adobe.clientSecret',
        reference: 'environment variable BOOTSTRAP_ADOBE_SECRET',
        resolvable: true,
      },
      expect.objectContaining({ field: 'marketo.clientSecret', resolvable: false }),
    ]);
    expect(JSON.stringify(inspection)).not.toContain('adobe-value-1');
  });

  it('lets an in-flight activity finish when shut down, within the grace time', async () => {
    const taskQueue = uniqueTaskQueue('bootstrap-drain');
    const config = parseConfig(configFor(taskQueue, { shutdownGraceTime: '20s' }), 'test.yaml');
    let started = false;
    const worker = await createCutoverWorker({
      config,
      connection: env().nativeConnection,
      namespace: env().namespace ?? 'default',
      activities: {
        async inspectWorker() {
          started = true;
          // A second of work that observes cancellation, as real activities do.
          await Context.current().sleep(1_000);
          return {
            hostname: 'h',
            pid: 1,
            nodeVersion: 'v',
            taskQueue,
            configuredIntegrations: [],
            secrets: [],
          };
        },
      },
    });
    const running = worker.run();
    const handle = await env().client.workflow.start(doctorWorkflow, {
      taskQueue,
      workflowId: `drain-${taskQueue}`,
    });
    await waitFor(() => started, { what: 'the activity to start' });

    worker.shutdown();
    await running;

    const history = await handle.fetchHistory();
    const completed = history.events?.filter((event) => event.activityTaskCompletedEventAttributes);
    const failed = history.events?.filter((event) => event.activityTaskFailedEventAttributes);
    expect(completed).toHaveLength(1);
    expect(failed).toHaveLength(0);
    await handle.terminate('test cleanup');
  });

  it('runs as a process: JSON logs, Prometheus metrics, and a clean drain on SIGTERM', async () => {
    const taskQueue = uniqueTaskQueue('bootstrap-process');
    const metricsPort = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-worker-'));
    const configFile = path.join(dir, 'cutover.yaml');
    fs.writeFileSync(
      configFile,
      YAML.stringify(configFor(taskQueue, { metricsAddress: `127.0.0.1:${metricsPort}` })),
    );

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(projectRoot, 'src', 'worker.ts'), configFile],
      {
        cwd: projectRoot,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: env().address,
          BOOTSTRAP_ADOBE_SECRET: 'process-secret-value',
          BOOTSTRAP_MISSING_SECRET: 'another-secret-value',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => stderr.includes('"message":"cutover worker started"'), {
        timeoutMs: 45_000,
        what: `the worker to start; stderr so far:\n${stderr}`,
      });
      const inspection = await runDoctor(env().client, taskQueue);
      expect(inspection.secrets.every((check) => check.resolvable)).toBe(true);

      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/temporal_activity_execution_latency|temporal_workflow_completed/);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const records = stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { message: string });
    expect(records.map((record) => record.message)).toContain('cutover worker drained and stopped');
    expect(findSecrets([stderr], ['process-secret-value']), 'the secret, in any spelling').toEqual([]);
  });
});
