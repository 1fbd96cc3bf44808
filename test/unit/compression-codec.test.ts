import { randomBytes } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { AesGcmCodec, ENCRYPTED_ENCODING } from '../../src/codec/aes-gcm-codec';
import {
  COMPRESS_FROM_BYTES,
  COMPRESSED_ENCODING,
  CodecChain,
  LargePayloadCompression,
  PayloadDecompressionError,
} from '../../src/codec/compression-codec';

const encodingOf = (payload: Payload) => Buffer.from(payload.metadata?.encoding ?? []).toString();
const largeProgress = () =>
  defaultPayloadConverter.toPayload({
    items: Array.from({ length: 10_000 }, (_, index) => ({
      v1FlowId: `flow-${index}`,
      status: 'v1-removed',
    })),
  });

describe('LargePayloadCompression', () => {
  const codec = new LargePayloadCompression();

  it('leaves payloads under the threshold as they are, readable in the UI', async () => {
    const small = defaultPayloadConverter.toPayload({ plan: 'x'.repeat(COMPRESS_FROM_BYTES - 100) });
    const [encoded] = await codec.encode([small]);
    expect(encoded).toBe(small);
  });

  it('compresses a large payload, metadata included, and restores it exactly', async () => {
    const original = largeProgress();
    const [encoded] = await codec.encode([original]);

    expect(encodingOf(encoded!)).toBe(COMPRESSED_ENCODING);
    expect(encoded!.data!.length).toBeLessThan(original.data!.length / 5);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(
      defaultPayloadConverter.fromPayload(original),
    );
    expect(Object.keys(decoded!.metadata ?? {})).toEqual(Object.keys(original.metadata ?? {}));
  });

  it("writes the Go SDK's layout: zlib over the payload's protobuf encoding", async () => {
    const original = largeProgress();
    const [encoded] = await codec.encode([original]);
    const inner = temporal.api.common.v1.Payload.decode(inflateSync(encoded!.data!));
    expect(Buffer.from(inner.data).equals(Buffer.from(original.data!))).toBe(true);

    const fromGo = {
      metadata: { encoding: Buffer.from(COMPRESSED_ENCODING) },
      data: deflateSync(temporal.api.common.v1.Payload.encode(original).finish()),
    };
    const [decoded] = await codec.decode([fromGo]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(
      defaultPayloadConverter.fromPayload(original),
    );
  });

  it('keeps a large payload that does not compress as it is', async () => {
    const noise = {
      metadata: { encoding: Buffer.from('binary/plain') },
      data: randomBytes(COMPRESS_FROM_BYTES * 2),
    };
    const [encoded] = await codec.encode([noise]);
    expect(encoded).toBe(noise);
  });

  it('names a compressed payload that was truncated', async () => {
    const [encoded] = await codec.encode([largeProgress()]);
    const truncated = { ...encoded!, data: encoded!.data!.subarray(0, 100) };
    await expect(codec.decode([truncated])).rejects.toThrow(PayloadDecompressionError);
    await expect(codec.decode([truncated])).rejects.toThrow(/binary\/zlib.*truncated or altered/);
  });
});

describe('CodecChain', () => {
  it('compresses, then encrypts; decodes in reverse', async () => {
    const aes = new AesGcmCodec({ current: { id: 'k', key: randomBytes(32) }, old: [] });
    const chain = new CodecChain([new LargePayloadCompression(), aes]);
    const original = largeProgress();

    const [encoded] = await chain.encode([original]);
    expect(encodingOf(encoded!)).toBe(ENCRYPTED_ENCODING);
    expect(encoded!.data!.length).toBeLessThan(original.data!.length / 5);
    const [decrypted] = await aes.decode([encoded!]);
    expect(encodingOf(decrypted!)).toBe(COMPRESSED_ENCODING);
    const [decoded] = await chain.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(
      defaultPayloadConverter.fromPayload(original),
    );
  });
});
