import { createDecipheriv, randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import {
  AesGcmCodec,
  AUTH_TAG_BYTES,
  ENCRYPTED_ENCODING,
  IV_BYTES,
  KEY_ID_METADATA_KEY,
  PayloadDecryptionError,
  UnknownKeyIdError,
} from '../../src/codec/aes-gcm-codec';
import {
  codecConfigSchema,
  codecServerSettingsFrom,
  CodecKeyError,
  keyRingFrom,
  type KeyRing,
} from '../../src/config/codec';
import type { SecretRef } from '../../src/config/secret-ref';
import type { SecretSource } from '../../src/config/secrets';

const SECRET = 'migration-plan-for-acme-do-not-leak';
const keyA = { id: 'key-a', key: randomBytes(32) };
const keyB = { id: 'key-b', key: randomBytes(32) };
const ring = (current: KeyRing['current'], ...old: KeyRing['old']): KeyRing => ({ current, old });
const text = (bytes: Uint8Array | null | undefined) =>
  Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const original = (): Payload => defaultPayloadConverter.toPayload({ plan: SECRET, items: [1, 2, 3] });

/** A SecretSource over a fixed table, so tests need neither the environment nor files. */
const secretsOf = (values: Record<string, string>): SecretSource => ({
  resolve: async (ref: SecretRef) => {
    const value = values[ref];
    if (value === undefined) throw new Error(`no secret for ${ref}`);
    return value;
  },
});

describe('AesGcmCodec', () => {
  it('round-trips payloads, metadata included', async () => {
    const codec = new AesGcmCodec(ring(keyA));
    const payloads = [
      original(),
      defaultPayloadConverter.toPayload(undefined),
      defaultPayloadConverter.toPayload('x'),
    ];

    const decoded = await codec.decode(await codec.encode(payloads));

    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([
      { plan: SECRET, items: [1, 2, 3] },
      undefined,
      'x',
    ]);
    expect(decoded.map(({ metadata }) => Object.keys(metadata ?? {}))).toEqual(
      payloads.map(({ metadata }) => Object.keys(metadata ?? {})),
    );
  });

  it('hides the data and the original encoding, naming only the encryption and the key id', async () => {
    const plain = original();
    const typed: Payload = {
      ...plain,
      metadata: { ...plain.metadata, messageType: Buffer.from('acme.SecretPlan') },
    };
    const [encoded] = await new AesGcmCodec(ring(keyA)).encode([typed]);

    expect(Object.fromEntries(Object.entries(encoded!.metadata ?? {}).map(([k, v]) => [k, text(v)]))).toEqual(
      {
        encoding: ENCRYPTED_ENCODING,
        [KEY_ID_METADATA_KEY]: 'key-a',
      },
    );
    const data = Buffer.from(encoded!.data!);
    expect(data.includes(SECRET)).toBe(false);
    expect(data.includes('json/plain')).toBe(false);
    expect(data.includes('acme.SecretPlan')).toBe(false);
    expect(data.includes(keyA.key)).toBe(false);
  });

  it('writes IV | ciphertext | tag over the serialised Payload, with a fresh IV each time', async () => {
    const payload = original();
    const codec = new AesGcmCodec(ring(keyA));
    const [first, second] = await codec.encode([payload, payload]);
    const data = Buffer.from(first!.data!);
    const serialised = temporal.api.common.v1.Payload.encode(payload).finish();

    expect(data.length).toBe(IV_BYTES + serialised.length + AUTH_TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', keyA.key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - AUTH_TAG_BYTES));
    const plaintext = Buffer.concat([
      decipher.update(data.subarray(IV_BYTES, data.length - AUTH_TAG_BYTES)),
      decipher.final(),
    ]);
    expect(plaintext.equals(Buffer.from(serialised))).toBe(true);
    expect(Buffer.from(second!.data!).subarray(0, IV_BYTES).equals(data.subarray(0, IV_BYTES))).toBe(false);
  });

  it('decodes with whichever key the payload names, and encodes with the current one', async () => {
    const [underA] = await new AesGcmCodec(ring(keyA)).encode([original()]);
    const rotated = new AesGcmCodec(ring(keyB, keyA));

    const [decoded] = await rotated.decode([underA!]);
    const [underB] = await rotated.encode([original()]);

    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ plan: SECRET, items: [1, 2, 3] });
    expect(text(underB!.metadata?.[KEY_ID_METADATA_KEY])).toBe('key-b');
  });

  it('names the unknown key id and what to configure, never the keys', async () => {
    const [underA] = await new AesGcmCodec(ring(keyA)).encode([original()]);

    const error = (await new AesGcmCodec(ring(keyB))
      .decode([underA!])
      .catch((caught: unknown) => caught)) as Error;

    expect(error).toBeInstanceOf(UnknownKeyIdError);
    expect((error as UnknownKeyIdError).keyId).toBe('key-a');
    expect(error.message).toBe(
      'The payload was encrypted with key id "key-a", which is not in this codec\'s key ring (it holds: key-b). ' +
        'Add a key with id "key-a" to codec.keys (leave codec.currentKeyId on the key new payloads should use).',
    );
    for (const key of [keyA.key, keyB.key]) {
      expect(error.message).not.toContain(key.toString('base64'));
      expect(error.message).not.toContain(key.toString('hex'));
    }
  });

  it('passes payloads without the encrypted encoding through decode unchanged', async () => {
    const plain = original();
    const noMetadata: Payload = { data: Buffer.from('raw') };

    const decoded = await new AesGcmCodec(ring(keyA)).decode([plain, noMetadata]);

    expect(decoded[0]).toBe(plain);
    expect(decoded[1]).toBe(noMetadata);
  });

  it('refuses a tampered, truncated or wrongly keyed payload', async () => {
    const codec = new AesGcmCodec(ring(keyA));
    const [encoded] = await codec.encode([original()]);
    const data = Buffer.from(encoded!.data!);
    const withData = (bytes: Buffer): Payload => ({ metadata: encoded!.metadata, data: bytes });
    const flipped = (index: number) => {
      const copy = Buffer.from(data);
      copy[index] = copy[index]! ^ 0x01;
      return withData(copy);
    };

    for (const tampered of [flipped(IV_BYTES + 3), flipped(0), flipped(data.length - 1)])
      await expect(codec.decode([tampered])).rejects.toThrow(
        new PayloadDecryptionError(
          'The payload encrypted with key "key-a" failed authentication: it was altered, or the key configured as "key-a" is not the one it was written with.',
        ),
      );
    await expect(codec.decode([withData(data.subarray(0, IV_BYTES + 10))])).rejects.toThrow(/truncated/);
    const impostor = new AesGcmCodec(ring({ id: 'key-a', key: randomBytes(32) }));
    await expect(impostor.decode([encoded!])).rejects.toThrow(/failed authentication/);
    await expect(
      codec.decode([{ metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING) }, data }]),
    ).rejects.toThrow(`has no ${KEY_ID_METADATA_KEY} metadata`);
  });

  it('refuses a key ring with a key of the wrong size or an id given twice', () => {
    expect(() => new AesGcmCodec(ring({ id: 'short', key: randomBytes(16) }))).toThrow(
      'Codec key "short" has 16 bytes; AES-256 needs exactly 32.',
    );
    expect(() => new AesGcmCodec(ring(keyA, { id: 'key-a', key: randomBytes(32) }))).toThrow(
      'Codec key id "key-a" is given twice with different keys',
    );
  });
});

describe('codec config section', () => {
  const parse = (section: unknown) => codecConfigSchema.parse(section);
  const problems = (section: unknown) =>
    codecConfigSchema
      .safeParse(section)
      .error?.issues.map(({ path, message }) => `${path.join('.')}: ${message}`);

  it('defaults the current key to the first and the server to loopback:8888 for the dev UI', () => {
    expect(parse({ keys: [{ id: 'k1', key: 'env:CODEC_K1' }] })).toEqual({
      keys: [{ id: 'k1', key: 'env:CODEC_K1' }],
      server: {
        host: '127.0.0.1',
        port: 8888,
        corsOrigins: ['http://127.0.0.1:8233', 'http://localhost:8233'],
      },
    });
  });

  it('refuses key values, duplicate ids, an unknown current key and wildcard origins', () => {
    expect(problems({ keys: [] })).toEqual([
      'keys: list at least one key as { id, key: env:NAME or file:PATH } (generate one with: openssl rand -base64 32)',
    ]);
    expect(problems({ keys: [{ id: 'k1', key: keyA.key.toString('base64') }] })?.[0]).toMatch(
      /^keys\.0\.key: expected a secret reference/,
    );
    expect(
      problems({
        keys: [
          { id: 'k1', key: 'env:A' },
          { id: 'k1', key: 'env:B' },
        ],
      }),
    ).toEqual([
      'keys.1.id: key id "k1" is listed twice (also at [0]); payloads name their key by id, so each id must be unique',
    ]);
    expect(problems({ keys: [{ id: 'k1', key: 'env:A' }], currentKeyId: 'k2' })).toEqual([
      'currentKeyId: currentKeyId "k2" is not one of the key ids (k1); add it to keys or name one of those',
    ]);
    expect(problems({ keys: [{ id: 'k1', key: 'env:A' }], server: { corsOrigins: ['*'] } })?.[0]).toMatch(
      /^server\.corsOrigins\.0: a wildcard origin cannot be used with credentials/,
    );
    expect(problems({ keys: [{ id: 'two words', key: 'env:A' }] })?.[0]).toMatch(
      /^keys\.0\.id: expected a key id/,
    );
  });

  it('builds the key ring from resolved base64 keys, current first', async () => {
    const section = parse({
      keys: [
        { id: 'old', key: 'env:OLD' },
        { id: 'new', key: 'file:/run/secrets/new' },
      ],
      currentKeyId: 'new',
    });

    const built = await keyRingFrom(
      section,
      secretsOf({
        'env:OLD': keyA.key.toString('base64'),
        'file:/run/secrets/new': keyB.key.toString('base64'),
      }),
    );

    expect(built).toEqual({ current: { id: 'new', key: keyB.key }, old: [{ id: 'old', key: keyA.key }] });
  });

  it('encrypts with the first key listed when no currentKeyId is given', async () => {
    const section = parse({
      keys: [
        { id: 'new', key: 'env:NEW' },
        { id: 'old', key: 'env:OLD' },
      ],
    });
    const built = await keyRingFrom(
      section,
      secretsOf({ 'env:NEW': keyB.key.toString('base64'), 'env:OLD': keyA.key.toString('base64') }),
    );
    expect(built.current.id).toBe('new');
    expect(built.old.map((key) => key.id)).toEqual(['old']);
  });

  it('says which key is wrong and how, never what it holds', async () => {
    const build = async (value: string) =>
      (await keyRingFrom(
        parse({ keys: [{ id: 'k1', key: 'env:K1' }] }),
        secretsOf({ 'env:K1': value }),
      ).catch((caught: unknown) => caught)) as Error;
    const cases = {
      'not base64!': 'The codec key "k1" (environment variable K1) is not base64',
      [randomBytes(16).toString('base64')]:
        'The codec key "k1" (environment variable K1) decodes to 16 bytes, but AES-256 needs exactly 32',
      [keyA.key.toString('hex')]:
        'The codec key "k1" (environment variable K1) looks like hex; give it as base64',
    };

    for (const [value, message] of Object.entries(cases)) {
      const error = await build(value);
      expect(error).toBeInstanceOf(CodecKeyError);
      expect(error.message).toContain(message);
      expect(error.message).not.toContain(value);
    }
  });

  it('resolves the server token for startCodecServer', async () => {
    const section = parse({
      keys: [{ id: 'k1', key: 'env:K1' }],
      server: { port: 9999, token: 'env:TOKEN' },
    });

    expect(await codecServerSettingsFrom(section, secretsOf({ 'env:TOKEN': 'tok-123' }))).toEqual({
      host: '127.0.0.1',
      port: 9999,
      corsOrigins: ['http://127.0.0.1:8233', 'http://localhost:8233'],
      token: 'tok-123',
    });
  });
});
