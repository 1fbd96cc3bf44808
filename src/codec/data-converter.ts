import type { DataConverter } from '@temporalio/common';
import { keyRingFrom, type CodecConfig } from '../config/codec';
import type { CutoverConfig } from '../config/schema';
import type { SecretSource } from '../config/secrets';
import { AesGcmCodec } from './aes-gcm-codec';

/** The codec of a config's keys: encrypts with the current one, reads with any. */
export async function payloadCodecFor(section: CodecConfig, secrets: SecretSource): Promise<AesGcmCodec> {
  return new AesGcmCodec(await keyRingFrom(section, secrets));
}

/**
 * The data converter every client and worker of this config uses: payloads
 * encrypted with the current codec key, read with any configured one. Without
 * a codec section, Temporal's default (plain JSON) and nothing else.
 */
export async function dataConverterFor(
  config: Pick<CutoverConfig, 'codec'>,
  secrets: SecretSource,
): Promise<DataConverter | undefined> {
  if (!config.codec) return undefined;
  return { payloadCodecs: [await payloadCodecFor(config.codec, secrets)] };
}
