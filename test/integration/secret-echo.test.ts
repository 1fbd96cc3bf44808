/**
 * An IMS that echoes the token request back, secret and all, written as
 * Python's json.dumps writes it (non-ASCII as \uXXXX) inside its error
 * description. The run fails on it; the secret reaches nothing stored or
 * printed: not the stored history (payloads and failure messages are
 * encrypted), not the history read with the key (the message was scrubbed),
 * not `cutover status`, not a log line.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { payloadCodecFor } from '../../src/codec/data-converter';
import { parseConfig } from '../../src/config/load';
import { SecretResolver } from '../../src/config/secrets';
import { formatLogEntry } from '../../src/observability/logger';
import { sfmcRun } from '../../src/runs';
import { startMigrationRequest } from '../../src/runs/migration';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { TEST_SECRETS, rawSimulatorConfig } from '../support/cutover-config';
import { runCli } from '../support/cli';
import { startCorruptingProxy, type CorruptingProxy } from '../support/corrupting-proxy';
import { cutoverTestClient, cutoverTestWorker } from '../support/cutover-worker';
import { findSecrets, historyTexts } from '../support/history';
import { useTemporalEnvironment } from '../support/temporal-env';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();
/** Survives every escape a remote may add unchanged: no text may hold it. */
const MARKER = `k${crypto.randomBytes(9).toString('hex')}`;
/** Non-ASCII, quotes, a newline and a backslash around the marker. */
const SECRET = `s€c "q" ü\n${MARKER}\\end`;
const ENV = {
  ...TEST_SECRETS,
  ECHO_ADOBE_SECRET: SECRET,
  ECHO_CODEC_KEY: crypto.randomBytes(32).toString('base64'),
};
let simulator: RunningSimulator;
let proxy: CorruptingProxy;
let configFile: string;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  proxy = await startCorruptingProxy(simulator.baseUrl);
  proxy.corrupt([
    {
      pathMatches: /\/ims\/token\/v3$/,
      status: 400,
      body: '{"error":"invalid_request","error_description":"could not use {request}"}',
      echoRequest: 'python-json',
    },
  ]);
});
afterAll(async () => {
  await proxy.close();
  await simulator.close();
});

function echoConfig(taskQueue: string) {
  const raw = rawSimulatorConfig(simulator, taskQueue);
  const config = {
    ...raw,
    temporal: { ...raw.temporal, address: env().address, namespace: env().namespace },
    adobe: { ...raw.adobe, clientSecret: 'env:ECHO_ADOBE_SECRET', imsUrl: `${proxy.baseUrl}/ims` },
    codec: { keys: [{ id: 'echo', key: 'env:ECHO_CODEC_KEY' }] },
  };
  configFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-echo-')), 'cutover.yaml');
  fs.writeFileSync(configFile, YAML.stringify(config));
  return parseConfig(config, configFile);
}

/** Every history of the run, its sandbox children included, as stored. */
async function storedHistories(client: Client, workflowId: string) {
  const histories: temporal.api.history.v1.IHistory[] = [];
  const pending = [workflowId];
  while (pending.length) {
    const history = await client.workflow.getHandle(pending.shift()!).fetchHistory();
    histories.push(history);
    for (const event of history.events ?? []) {
      const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
      if (child) pending.push(child);
    }
  }
  return histories;
}

/** The history with every payload put through the codec, as the UI shows it through the codec server. */
async function decrypted(
  history: temporal.api.history.v1.IHistory,
  decode: (payloads: Payload[]) => Promise<Payload[]>,
): Promise<temporal.api.history.v1.IHistory> {
  const copy = structuredClone(history);
  const visit = async (value: unknown): Promise<void> => {
    if (!value || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      const payload = child as Payload | undefined;
      if (
        payload &&
        typeof payload === 'object' &&
        payload.data instanceof Uint8Array &&
        'metadata' in payload
      )
        (value as Record<string, unknown>)[key] = (await decode([payload]))[0];
      else await visit(child);
    }
  };
  await visit(copy);
  return copy;
}

const leaks = (texts: string[]) => [
  ...findSecrets(texts, [SECRET]),
  ...texts.filter((text) => text.includes(MARKER)).map((text) => text.slice(0, 160)),
];

describe('a secret echoed back by a remote, escaped as Python writes JSON', () => {
  it('fails the run and reaches no stored history, decoded history, status output or log line', async () => {
    for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
    const taskQueue = uniqueTaskQueue('secret-echo');
    const config = echoConfig(taskQueue);
    const secrets = new SecretResolver(ENV);
    const codecClient = await cutoverTestClient(env(), config, secrets);
    const worker = await cutoverTestWorker(env(), config, secrets);
    const request = sfmcRun.fromConfig(config);
    const workflowId = `${request.workflowId}/${taskQueue}`;
    const { failure, status } = await worker.runUntil(async () => {
      const handle = await startMigrationRequest(codecClient, sfmcRun, request, { taskQueue, workflowId });
      const ended = await handle.result().then(
        () => undefined,
        (error: Error) => error,
      );
      // With the worker up: `status` asks the closed run for its progress.
      return {
        failure: ended,
        status: await runCli(['status', '--config', configFile, '--workflow-id', workflowId]),
      };
    });
    expect(failure, 'the run fails on the echoing IMS').toBeDefined();

    const stored = await storedHistories(env().client, workflowId);
    const attempts = stored.flatMap((history) =>
      (history.events ?? []).flatMap((event) => event.activityTaskStartedEventAttributes?.attempt ?? []),
    );
    expect(attempts.length).toBeGreaterThan(0);
    expect(
      attempts.filter((attempt) => attempt > 1),
      'a refusal retrying cannot change is not retried',
    ).toEqual([]);
    expect(leaks(stored.flatMap(historyTexts)), 'in the stored history').toEqual([]);

    const codec = await payloadCodecFor(config, secrets);
    const readable = await Promise.all(stored.map((history) => decrypted(history, (p) => codec.decode(p))));
    const texts = readable.flatMap(historyTexts);
    expect(
      texts.some((text) => text.includes('adobe-ims POST /ims/token/v3 failed (bad-request, HTTP 400')),
      'the failure, readable with the key',
    ).toBe(true);
    expect(leaks(texts), 'in the history read with the key').toEqual([]);
    expect(texts.some((text) => text.includes('[redacted]'))).toBe(true);

    vi.unstubAllEnvs();
    expect(`${status.out}\n${status.err}`).toMatch(/adobe-ims POST \/ims\/token\/v3 failed \(bad-request/);
    expect(leaks([status.out, status.err]), 'in status').toEqual([]);
  });

  it('leaves no secret in a log line whose error holds the escaped echo', () => {
    const pythonEscaped = JSON.stringify(SECRET).replace(
      /[\u007f-\uffff]/g,
      (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    const line = formatLogEntry({
      level: 'WARN',
      message: 'Activity failed',
      timestampNanos: 0n,
      meta: { error: new Error(`invalid_request: could not use {"client_secret": ${pythonEscaped}}`) },
    });
    expect(line).toContain('[redacted]');
    expect(leaks([line])).toEqual([]);
  });
});
