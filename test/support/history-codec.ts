import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { dataConverterFor } from '../../src/codec/data-converter';
import { codecConfigSchema } from '../../src/config/codec';
import { SecretResolver } from '../../src/config/secrets';

/**
 * The `codec` section the replay corpus is recorded with. Its key is a test
 * key, committed on purpose: recorded payloads are real ciphertext (the
 * replay decodes them as a deployed worker would) and the demo seed's e-mail
 * addresses are not readable in the fixtures. It protects nothing else.
 */
export const HISTORY_FIXTURES_CODEC = {
  keys: [
    {
      id: 'history-fixtures-test-key',
      key: `file:${path.join(__dirname, '../fixtures/histories/test-only-codec.key')}`,
    },
  ],
};

/** The data converter the corpus was written with, to read it back. */
export function historyFixturesDataConverter(): Promise<DataConverter> {
  return dataConverterFor({ codec: codecConfigSchema.parse(HISTORY_FIXTURES_CODEC) }, new SecretResolver());
}
