import { z } from 'zod';
import { describeSecretRef, secretRefSchema, type SecretRef } from './secret-ref';
import type { SecretSource } from './secrets';

/** AES-256 takes exactly this many bytes of key. */
export const CODEC_KEY_BYTES = 32;

export const DEFAULT_CODEC_SERVER_HOST = '127.0.0.1';
export const DEFAULT_CODEC_SERVER_PORT = 8888;
/** Where `temporal server start-dev` serves the Web UI, under both names a browser may use. */
const DEFAULT_CODEC_CORS_ORIGINS: readonly string[] = ['http://127.0.0.1:8233', 'http://localhost:8233'];

const GENERATE_HINT = 'generate one with: openssl rand -base64 32';

// Every payload carries its key id in plain text, so it must stay a short label, never key material.
const keyIdSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    error:
      'expected a key id of up to 64 letters, digits, ".", "_" or "-" such as 2025-01 (it is written, unencrypted, into every payload)',
  });

// A browser's Origin header has no path and no trailing slash, so anything else would never match.
const originSchema = z
  .string()
  .trim()
  .transform((origin) => origin.replace(/\/+$/, ''))
  .refine((origin) => origin !== '*', {
    error:
      'a wildcard origin cannot be used with credentials (the Web UI forwards the user token); list each UI origin, e.g. http://localhost:8233',
  })
  .refine((origin) => origin === '*' || /^https?:\/\/[^/\s]+$/.test(origin), {
    error: 'expected an origin such as http://localhost:8233 (scheme, host and port only, no path)',
  });

const codecKeySchema = z.object({ id: keyIdSchema, key: secretRefSchema }).strict();

const codecServerConfigSchema = z
  .object({
    host: z.string().trim().min(1).default(DEFAULT_CODEC_SERVER_HOST),
    port: z.number().int().min(1).max(65535).default(DEFAULT_CODEC_SERVER_PORT),
    corsOrigins: z.array(originSchema).default([...DEFAULT_CODEC_CORS_ORIGINS]),
    /** When set, callers must send `Authorization: Bearer <token>`. */
    token: secretRefSchema.optional(),
  })
  .strict();

export const codecConfigSchema = z
  .object({
    /** Every key that may still be needed to read history; ids must stay stable once used. */
    keys: z
      .array(codecKeySchema)
      .min(1, { error: `list at least one key as { id, key: env:NAME or file:PATH } (${GENERATE_HINT})` })
      .superRefine((keys, context) => {
        const first = new Map<string, number>();
        keys.forEach(({ id }, index) => {
          const earlier = first.get(id);
          if (earlier === undefined) first.set(id, index);
          else
            context.addIssue({
              code: 'custom',
              path: [index, 'id'],
              message: `key id "${id}" is listed twice (also at [${earlier}]); payloads name their key by id, so each id must be unique`,
            });
        });
      }),
    /** The key new payloads are encrypted with; the others only decrypt. Defaults to the first key. */
    currentKeyId: keyIdSchema.optional(),
    server: codecServerConfigSchema.prefault({}),
  })
  .strict()
  .superRefine((section, context) => {
    if (section.currentKeyId === undefined || section.keys.some(({ id }) => id === section.currentKeyId))
      return;
    context.addIssue({
      code: 'custom',
      path: ['currentKeyId'],
      message: `currentKeyId "${section.currentKeyId}" is not one of the key ids (${section.keys.map(({ id }) => id).join(', ')}); add it to keys or name one of those`,
    });
  });

export type CodecConfig = z.output<typeof codecConfigSchema>;

/** The key new payloads are encrypted with; the schema has made sure it is one of the keys. */
export const currentKeyIdOf = (section: CodecConfig): string => section.currentKeyId ?? section.keys[0]!.id;

export interface CodecKey {
  readonly id: string;
  /** Exactly CODEC_KEY_BYTES bytes. */
  readonly key: Uint8Array;
}

/** What the codec needs: the key to encrypt with, and every key it may meet when decrypting. */
export interface KeyRing {
  readonly current: CodecKey;
  readonly old: readonly CodecKey[];
}

export class CodecKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecKeyError';
  }
}

// Hex digits are valid base64 too, so a hex key would silently decode to the wrong length without this hint.
const HEX_KEY = new RegExp(`^[0-9a-fA-F]{${CODEC_KEY_BYTES * 2}}$`);

const keyMaterialSchema = z
  .base64({ error: `is not base64 (${GENERATE_HINT})` })
  .transform((value) => Buffer.from(value, 'base64'))
  .refine((bytes) => bytes.length === CODEC_KEY_BYTES, {
    error: (issue) =>
      `decodes to ${(issue.input as Buffer).length} bytes, but AES-256 needs exactly ${CODEC_KEY_BYTES} (${GENERATE_HINT})`,
  });

function decodeKey(id: string, ref: SecretRef, value: string): Buffer {
  const where = `codec key "${id}" (${describeSecretRef(ref)})`;
  if (HEX_KEY.test(value))
    throw new CodecKeyError(`The ${where} looks like hex; give it as base64 instead (${GENERATE_HINT}).`);
  const parsed = keyMaterialSchema.safeParse(value);
  // The issue messages are ours and never quote the input, so they are safe to show.
  if (!parsed.success)
    throw new CodecKeyError(`The ${where} ${parsed.error.issues[0]?.message ?? 'is invalid'}.`);
  return parsed.data;
}

/** Resolves every key of the section and checks it is a 32-byte AES-256 key. */
export async function keyRingFrom(section: CodecConfig, secrets: SecretSource): Promise<KeyRing> {
  const keys = await Promise.all(
    section.keys.map(async ({ id, key }) => ({ id, key: decodeKey(id, key, await secrets.resolve(key)) })),
  );
  const current = keys.find(({ id }) => id === currentKeyIdOf(section))!;
  return { current, old: keys.filter((key) => key !== current) };
}

/** The codec server's settings with its token resolved, ready for startCodecServer. */
export async function codecServerSettingsFrom(
  section: CodecConfig,
  secrets: SecretSource,
): Promise<{ host: string; port: number; corsOrigins: string[]; token?: string }> {
  const { host, port, corsOrigins, token } = section.server;
  return { host, port, corsOrigins, ...(token ? { token: await secrets.resolve(token) } : {}) };
}
