/**
 * A 10,000-dataflow run's progress is about 2.2 MB of JSON, over Temporal's
 * 2 MB payload limit: the run migrated everything and then could not
 * complete. Every client and worker compresses large payloads, with or
 * without encryption, so the result is stored a fraction of that size.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { ENCRYPTED_ENCODING } from '../../src/codec/aes-gcm-codec';
import { COMPRESSED_ENCODING } from '../../src/codec/compression-codec';
import { dataConverterFor } from '../../src/codec/data-converter';
import { codecConfigSchema } from '../../src/config/codec';
import type { CutoverConfig } from '../../src/config/schema';
import { Redactor, SecretResolver } from '../../src/config/secrets';
import { largeProgressWorkflow } from '../fixtures/harness-workflows';
import { decodePayload } from '../support/history';
import { useTemporalEnvironment } from '../support/temporal-env';
import { uniqueTaskQueue, withWorker } from '../support/worker';

const env = useTemporalEnvironment();
const workflowsPath = path.join(__dirname, '../fixtures/harness-workflows.ts');
const CODEC_KEY = crypto.randomBytes(32).toString('base64');
const secrets = () => new SecretResolver({ LARGE_PAYLOAD_CODEC: CODEC_KEY }, new Redactor());
const TEN_THOUSAND_DATAFLOWS = 10_000;
const LIMIT_BYTES = 2 * 1024 * 1024;

const encodingOf = (payload: Payload) => Buffer.from(payload.metadata?.encoding ?? []).toString();

async function runLargeProgress(codec: Pick<CutoverConfig, 'codec'>) {
  const dataConverter = await dataConverterFor(codec, secrets());
  const taskQueue = uniqueTaskQueue('large-payloads');
  const client = new Client({ connection: env().connection, namespace: env().namespace, dataConverter });
  const workflowId = `large-progress-${taskQueue}`;
  const result = await withWorker(
    {
      connection: env().nativeConnection,
      namespace: env().namespace,
      taskQueue,
      workflowsPath,
      dataConverter,
    },
    () =>
      client.workflow.execute(largeProgressWorkflow, {
        taskQueue,
        workflowId,
        args: [TEN_THOUSAND_DATAFLOWS],
        workflowExecutionTimeout: '1 minute',
      }),
  );
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const completed = history.events?.find((event) => event.workflowExecutionCompletedEventAttributes)
    ?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0];
  return { result, stored: completed! };
}

describe('large payloads', () => {
  it('a 10,000-dataflow progress completes, stored compressed far under the 2 MB limit', async () => {
    const { result, stored } = await runLargeProgress({});

    expect(result.items).toHaveLength(TEN_THOUSAND_DATAFLOWS);
    expect(JSON.stringify(result).length).toBeGreaterThan(LIMIT_BYTES);
    expect(encodingOf(stored)).toBe(COMPRESSED_ENCODING);
    expect(stored.data!.length).toBeLessThan(LIMIT_BYTES / 2);
    // Compression hides nothing: the history's reader inflates it to the same progress.
    expect(decodePayload(stored)).toEqual(result);
  });

  it('with encryption, compresses before encrypting (ciphertext would not compress)', async () => {
    const { result, stored } = await runLargeProgress({
      codec: codecConfigSchema.parse({ keys: [{ id: 'large', key: 'env:LARGE_PAYLOAD_CODEC' }] }),
    });

    expect(result.items).toHaveLength(TEN_THOUSAND_DATAFLOWS);
    expect(encodingOf(stored)).toBe(ENCRYPTED_ENCODING);
    expect(stored.data!.length).toBeLessThan(LIMIT_BYTES / 2);
  });
});
