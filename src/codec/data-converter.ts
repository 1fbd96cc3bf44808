import type { DataConverter } from '@temporalio/common';
import type { CutoverConfig } from '../config/schema';
import { keyRingFrom } from '../config/codec';
import type { SecretSource } from '../config/secrets';
import { AesGcmCodec } from './aes-gcm-codec';

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
  return { payloadCodecs: [new AesGcmCodec(await keyRingFrom(config.codec, secrets))] };
}
