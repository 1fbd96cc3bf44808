/**
 * A run whose calls keep failing shows it within a minute: `status` lists the
 * step being retried, its attempt and the remote's last answer (read through
 * the codec), although the run's own progress has not moved.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { parseConfig } from '../../src/config/load';
import { sfmcRun } from '../../src/runs';
import { startMigrationRequest } from '../../src/runs/migration';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { TEST_SECRETS, rawSimulatorConfig } from '../support/cutover-config';
import { runCli } from '../support/cli';
import { cutoverTestWorker } from '../support/cutover-worker';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();
let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
});
afterAll(() => simulator.close());

describe('a run whose calls keep failing', () => {
  it('shows the step being retried, its attempt and the last answer in status within a minute', async () => {
    for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
    const taskQueue = uniqueTaskQueue('retrying');
    const raw = rawSimulatorConfig(simulator, taskQueue);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-retrying-')), 'cutover.yaml');
    fs.writeFileSync(
      file,
      YAML.stringify({
        ...raw,
        temporal: { ...raw.temporal, address: env().address, namespace: env().namespace },
      }),
    );
    const config = parseConfig(raw, file);
    // Every connection-spec read answers 503 for as long as the test looks.
    simulator.faults.configure({
      script: [
        { kind: 'server-error', method: 'GET', pathMatches: '/flowservice/connectionSpecs', count: 10_000 },
      ],
    });
    const worker = await cutoverTestWorker(env(), config);
    const request = sfmcRun.fromConfig(config);
    const workflowId = `${request.workflowId}/${taskQueue}`;
    const status = await worker.runUntil(async () => {
      const handle = await startMigrationRequest(env().client, sfmcRun, request, { taskQueue, workflowId });
      const shown = await waitFor(
        async () => {
          const result = await runCli(['status', '--config', file, '--workflow-id', workflowId]);
          return /retrying \w+ \(attempt [2-9]/.test(result.out) ? result : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 2_000, what: 'status to show the step being retried' },
      );
      await handle.terminate('test done');
      return shown;
    });
    simulator.faults.configure({});
    vi.unstubAllEnvs();
    expect(status.out).toMatch(
      /retrying resolveSpecs \(attempt \d+\): flow-service GET \/connectionSpecs\S* failed \(server, HTTP 503/,
    );
  });
});
