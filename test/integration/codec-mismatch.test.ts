/**
 * A CLI whose codec key is not the worker's, or that has none, is told so
 * (exit 2, the setting to fix) by `status`, `approve` and `reject`, instead of
 * "progress needs a running worker" while one runs or a workflow task failed
 * on a decision the worker cannot read; and the run goes on waiting, untouched.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { parseConfig } from '../../src/config/load';
import { SecretResolver } from '../../src/config/secrets';
import { sfmcRun } from '../../src/runs';
import { startMigrationRequest } from '../../src/runs/migration';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { progressQuery } from '../../src/workflows/migration/messages';
import { TEST_SECRETS, adminPut, rawSimulatorConfig } from '../support/cutover-config';
import { runCli } from '../support/cli';
import { expectExplained } from '../support/corpus';
import { cutoverTestClient, cutoverTestWorker } from '../support/cutover-worker';
import { awaitingApproval } from '../support/migration-start';
import { useTemporalEnvironment } from '../support/temporal-env';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();
const ENV = {
  ...TEST_SECRETS,
  MISMATCH_KEY_A: crypto.randomBytes(32).toString('base64'),
  MISMATCH_KEY_B: crypto.randomBytes(32).toString('base64'),
};
let simulator: RunningSimulator;
let dir: string;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  await adminPut(simulator, '/__admin/flow-service/settings', { runDurationMs: 0 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-mismatch-'));
});
afterAll(() => simulator.close());

function rawConfig(taskQueue: string, codec?: object) {
  const raw = rawSimulatorConfig(simulator, taskQueue, [{ name: 'prod', autoApprove: false }]);
  return {
    ...raw,
    temporal: { ...raw.temporal, address: env().address, namespace: env().namespace },
    ...(codec ? { codec } : {}),
  };
}

function configFile(taskQueue: string, codec?: object): string {
  const file = path.join(dir, `${uniqueTaskQueue('config')}.yaml`);
  fs.writeFileSync(file, YAML.stringify(rawConfig(taskQueue, codec)));
  return file;
}

describe('a CLI that cannot read what the worker encrypts', () => {
  it('is told which codec setting to fix by status, approve and reject, and the run waits on untouched', async () => {
    for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
    const taskQueue = uniqueTaskQueue('codec-mismatch');
    const keyA = { keys: [{ id: 'a', key: 'env:MISMATCH_KEY_A' }] };
    const config = parseConfig(rawConfig(taskQueue, keyA), 'worker.yaml');
    const secrets = new SecretResolver(ENV);
    const client = await cutoverTestClient(env(), config, secrets);
    const worker = await cutoverTestWorker(env(), config, secrets);
    const request = sfmcRun.fromConfig(config);
    const workflowId = `${request.workflowId}/${taskQueue}`;
    const outcomes = await worker.runUntil(async () => {
      const handle = await startMigrationRequest(client, sfmcRun, request, { taskQueue, workflowId });
      await awaitingApproval(handle);
      const noCodec = configFile(taskQueue);
      const otherKey = configFile(taskQueue, { keys: [{ id: 'b', key: 'env:MISMATCH_KEY_B' }] });
      const results = [];
      for (const file of [noCodec, otherKey])
        for (const argv of [
          ['status', '--workflow-id', workflowId],
          ['approve', '--workflow-id', workflowId],
          ['reject', '--workflow-id', workflowId, '--reason', 'numbers look off'],
        ])
          results.push({ file, argv, result: await runCli([...argv, '--config', file]) });
      const after = await handle.query(progressQuery);
      await handle.terminate('test done');
      return { results, after, noCodec };
    });
    vi.unstubAllEnvs();

    for (const { file, argv, result } of outcomes.results)
      expectExplained(
        { ...result, err: `${argv[0]}: ${result.err}` },
        {
          code: 2,
          says:
            file === outcomes.noCodec
              ? /The run's payloads are encrypted, and this config has no codec section to read them: add codec\.keys with the worker's key/
              : /encrypted with key id "a", which is not in this codec's key ring \(it holds: b\)\. Add a key with id "a" to codec\.keys/,
        },
        Object.values(ENV),
      );
    expect(outcomes.results).toHaveLength(6);
    expect(outcomes.after.phase, 'the run still waits for a decision').toBe('awaiting-approval');
  });
});
