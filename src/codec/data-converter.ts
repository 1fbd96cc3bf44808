import path from 'node:path';
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { keyRingFrom } from '../config/codec';
import type { CutoverConfig } from '../config/schema';
import type { SecretSource } from '../config/secrets';
import { AesGcmCodec } from './aes-gcm-codec';
import { CodecChain, LargePayloadCompression } from './compression-codec';

/**
 * The codec of a config: large payloads compressed, then everything encrypted
 * with the current codec key (read with any configured one). Without a codec
 * section, compression alone: small payloads stay Temporal's plain JSON.
 */
export async function payloadCodecFor(
  config: Pick<CutoverConfig, 'codec'>,
  secrets: SecretSource,
): Promise<PayloadCodec> {
  const compression = new LargePayloadCompression();
  if (!config.codec) return compression;
  return new CodecChain([compression, new AesGcmCodec(await keyRingFrom(config.codec, secrets))]);
}

/** The module whose failure converter every worker, workflow bundle and client uses (see failure-converter.ts). */
export const FAILURE_CONVERTER_PATH = path.join(__dirname, `failure-converter${path.extname(__filename)}`);

/** The data converter every client and worker of this config uses. */
export async function dataConverterFor(
  config: Pick<CutoverConfig, 'codec'>,
  secrets: SecretSource,
): Promise<DataConverter> {
  return {
    payloadCodecs: [await payloadCodecFor(config, secrets)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}
