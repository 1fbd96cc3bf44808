/**
 * With a codec key configured, every payload Temporal stores is AES-256-GCM
 * ciphertext: a history read without the key holds no e-mail address and no
 * secret, replays through the codec, and a run started under one key
 * finishes under the next.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dataConverterFor } from '../../src/codec/data-converter';
import { parseConfig } from '../../src/config/load';
import type { CutoverConfig } from '../../src/config/schema';
import { salesConnectRun } from '../../src/runs';
import { DEMO_SALES_CONNECT } from '../../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { Redactor, SecretResolver } from '../../src/config/secrets';
import { TEST_SECRETS, adminPut, rawSalesConnectConfig } from '../support/cutover-config';
import { cutoverTestWorker } from '../support/cutover-worker';
import { findSecrets, historyTexts } from '../support/history';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue, workflowBundle } from '../support/worker';

const env = useTemporalEnvironment();
const KEYS = {
  CUTOVER_TEST_CODEC_A: crypto.randomBytes(32).toString('base64'),
  CUTOVER_TEST_CODEC_B: crypto.randomBytes(32).toString('base64'),
};
const secrets = () => new SecretResolver({ ...TEST_SECRETS, ...KEYS }, new Redactor());
const USERS = [{ email: 'ben.seller@demo.example' }, { email: 'chloe.rep@demo.example', workspace: 'EMEA' }];
let simulator: RunningSimulator;

beforeEach(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  await adminPut(simulator, `/__admin/sales-connect/${DEMO_SALES_CONNECT.instanceId}/settings`, {
    minimumProvisioningDelaySeconds: 2,
  });
  for (const [name, value] of Object.entries({ ...TEST_SECRETS, ...KEYS })) vi.stubEnv(name, value);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await simulator.close();
});

type Ring = Array<{ id: string; key: string }>;
const KEY_A = { id: 'a', key: 'env:CUTOVER_TEST_CODEC_A' };
const KEY_B = { id: 'b', key: 'env:CUTOVER_TEST_CODEC_B' };

function configWith(taskQueue: string, keys: Ring, provisioningDelay = '2 seconds'): CutoverConfig {
  const raw = rawSalesConnectConfig(simulator, taskQueue, { users: USERS, provisioningDelay });
  return parseConfig({ ...raw, codec: { keys } }, 'codec-test.yaml');
}

async function codecClient(config: CutoverConfig): Promise<Client> {
  return new Client({
    connection: env().connection,
    namespace: env().namespace,
    dataConverter: await dataConverterFor(config, secrets()),
  });
}

async function startProvisioning(config: CutoverConfig, client: Client) {
  const request = salesConnectRun.fromConfig(config);
  return salesConnectRun.start(client, request, {
    taskQueue: config.temporal.taskQueue,
    workflowId: `${request.workflowId}/${config.temporal.taskQueue}`,
  });
}

describe('the payload codec', () => {
  it('stores only ciphertext: no e-mail, organisation id or secret in any payload, and the history replays through it', async () => {
    const config = configWith(uniqueTaskQueue('codec'), [KEY_A]);
    const client = await codecClient(config);
    const worker = await cutoverTestWorker(env(), config, secrets());
    const { handle, currentDetails } = await worker.runUntil(async () => {
      const started = await startProvisioning(config, client);
      await started.result();
      // A query needs a worker: the run's current details, as the UI asks for them.
      const metadata = await started.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      return { handle: started, currentDetails: metadata.currentDetails };
    });

    // What the UI shows beside the payloads: search attributes, summaries and the run's current details.
    const description = await handle.describe();
    const visible = [
      JSON.stringify(description.searchAttributes),
      JSON.stringify(description.memo ?? {}),
      (await description.staticSummary()) ?? '',
      (await description.staticDetails()) ?? '',
      currentDetails ?? '',
    ].join('\n');
    expect(currentDetails).toMatch(/\*\*Phase:\*\* completed/);
    for (const user of USERS) expect(visible).not.toContain(user.email);
    expect(findSecrets([visible])).toEqual([]);

    const raw = await env().client.workflow.getHandle(handle.workflowId).fetchHistory();
    const encodings = new Set<string>();
    for (const event of raw.events ?? []) {
      const input = event.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
      const result = event.workflowExecutionCompletedEventAttributes?.result?.payloads ?? [];
      const activity = event.activityTaskCompletedEventAttributes?.result?.payloads ?? [];
      for (const payload of [...input, ...result, ...activity])
        encodings.add(Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString());
    }
    expect([...encodings]).toEqual(['binary/encrypted']);
    const texts = historyTexts(raw);
    for (const user of USERS) expect(texts.filter((text) => text.includes(user.email))).toEqual([]);
    expect(findSecrets(texts)).toEqual([]);
    const payloadTexts = (raw.events ?? []).flatMap((event) =>
      [
        event.workflowExecutionStartedEventAttributes?.input,
        event.workflowExecutionCompletedEventAttributes?.result,
      ]
        .flatMap((payloads) => payloads?.payloads ?? [])
        .map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('latin1')),
    );
    expect(payloadTexts.filter((text) => text.includes(config.adobe.orgId))).toEqual([]);

    await Worker.runReplayHistory(
      {
        workflowBundle: await workflowBundle(path.join(__dirname, '../../src/workflows/index.ts')),
        dataConverter: await dataConverterFor(config, secrets()),
      },
      raw,
      handle.workflowId,
    );
    const decoded = await handle.result();
    expect(decoded.users.map((user) => user.email).sort()).toEqual(USERS.map((user) => user.email).sort());
  });

  it('finishes a run started under key A after the worker moves to key B, keeping A to read', async () => {
    const taskQueue = uniqueTaskQueue('codec-rotation');
    const underA = configWith(taskQueue, [KEY_A], '6 seconds');
    const handle = await (
      await cutoverTestWorker(env(), underA, secrets())
    ).runUntil(async () => {
      const started = await startProvisioning(underA, await codecClient(underA));
      // Into the durable wait: written under A, read back later under B.
      await waitFor(
        async () =>
          (await env().client.workflow.getHandle(started.workflowId).fetchHistory()).events?.some(
            (event) => event.timerStartedEventAttributes,
          ),
        { timeoutMs: 30_000 },
      );
      return started;
    });

    const underB = configWith(taskQueue, [KEY_B, KEY_A], '6 seconds');
    const clientB = await codecClient(underB);
    const result = await (
      await cutoverTestWorker(env(), underB, secrets())
    ).runUntil(clientB.workflow.getHandle<typeof salesConnectRun.workflow>(handle.workflowId).result());
    expect(result.users.filter((user) => user.status === 'invited')).toHaveLength(USERS.length);

    // The input was written under A: a ring without A cannot read it, and says which key it lacks.
    const history = await env().client.workflow.getHandle(handle.workflowId).fetchHistory();
    const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
    const onlyB = (await dataConverterFor(configWith(taskQueue, [KEY_B]), secrets())).payloadCodecs![0]!;
    await expect(onlyB.decode(input)).rejects.toThrow(/"a"/);
  });
});
