import { promisify } from 'node:util';
import { deflate, inflateSync } from 'node:zlib';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CodecError } from './aes-gcm-codec';

/** The Go SDK's name for its zlib codec's encoding: a payload either SDK compressed, the other reads. */
export const COMPRESSED_ENCODING = 'binary/zlib';

/**
 * Payloads from this size up are compressed. Smaller ones stay plain JSON, so
 * a history stays readable in the UI without a codec server; larger ones are
 * a run's whole progress or a sandbox's plan, which grow with the number of
 * dataflows and would otherwise meet Temporal's 2 MB payload limit near
 * 10,000 dataflows.
 */
export const COMPRESS_FROM_BYTES = 128 * 1024;

const utf8 = new TextEncoder();
const COMPRESSED_ENCODING_BYTES = utf8.encode(COMPRESSED_ENCODING);
const deflateAsync = promisify(deflate);

export class PayloadDecompressionError extends CodecError {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecompressionError';
  }
}

function isCompressed(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return Boolean(encoding && Buffer.from(encoding).equals(COMPRESSED_ENCODING_BYTES));
}

/**
 * A compressed payload's original; any other payload as it is. The data is the
 * original Payload in its protobuf encoding, zlib-compressed (the Go SDK's
 * layout), so its metadata is restored as well as its data.
 */
export function decompressedPayload(payload: Payload): Payload {
  if (!isCompressed(payload)) return payload;
  try {
    return temporal.api.common.v1.Payload.decode(inflateSync(payload.data ?? new Uint8Array()));
  } catch {
    throw new PayloadDecompressionError(
      `The payload is ${COMPRESSED_ENCODING} but does not inflate to a Temporal Payload; it was truncated or altered.`,
    );
  }
}

/**
 * Compresses large payloads with zlib; passes the others through. Chained
 * before encryption, since ciphertext does not compress.
 */
export class LargePayloadCompression implements PayloadCodec {
  constructor(private readonly fromBytes = COMPRESS_FROM_BYTES) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map((payload) => this.compress(payload)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map(decompressedPayload);
  }

  private async compress(payload: Payload): Promise<Payload> {
    if ((payload.data?.length ?? 0) < this.fromBytes) return payload;
    const original = temporal.api.common.v1.Payload.encode(payload).finish();
    const data = await deflateAsync(original);
    if (data.length >= original.length) return payload;
    return { metadata: { [METADATA_ENCODING_KEY]: COMPRESSED_ENCODING_BYTES }, data };
  }
}

/** Codecs applied in order when encoding and in reverse when decoding, as a data converter applies its list. */
export class CodecChain implements PayloadCodec {
  constructor(private readonly codecs: readonly PayloadCodec[]) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    let encoded = payloads;
    for (const codec of this.codecs) encoded = await codec.encode(encoded);
    return encoded;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    let decoded = payloads;
    for (const codec of [...this.codecs].reverse()) decoded = await codec.decode(decoded);
    return decoded;
  }
}
