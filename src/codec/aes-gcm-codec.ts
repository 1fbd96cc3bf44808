import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CODEC_KEY_BYTES, type CodecKey, type KeyRing } from '../config/codec';

/** Temporal's name for an encrypted payload's encoding (the UI and the samples use it). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA_KEY = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
/** The length NIST SP 800-38D recommends; any other would cost GCM an extra GHASH and interoperability. */
export const IV_BYTES = 12;
export const AUTH_TAG_BYTES = 16;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const ENCRYPTED_ENCODING_BYTES = utf8.encode(ENCRYPTED_ENCODING);

/** A payload this codec refuses; the message names what to fix and never holds key material. */
export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

export class UnknownKeyIdError extends CodecError {
  constructor(
    readonly keyId: string,
    knownIds: readonly string[],
  ) {
    super(
      `The payload was encrypted with key id "${keyId}", which is not in this codec's key ring (it holds: ${knownIds.join(', ')}). ` +
        `Add a key with id "${keyId}" to codec.keys (leave codec.currentKeyId on the key new payloads should use).`,
    );
    this.name = 'UnknownKeyIdError';
  }
}

export class PayloadDecryptionError extends CodecError {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

/**
 * Encrypts whole payloads with AES-256-GCM.
 *
 * An encoded payload has metadata `encoding: binary/encrypted` and
 * `encryption-key-id: <id>`, and data `IV (12 bytes) | ciphertext | auth tag (16 bytes)`,
 * the layout of Temporal's encryption sample and of WebCrypto's AES-GCM. The
 * plaintext is the original Payload serialised with its protobuf encoding, so
 * its metadata (the encoding, a message type) is hidden as well as its data.
 */
export class AesGcmCodec implements PayloadCodec {
  private readonly current: CodecKey;
  private readonly currentIdBytes: Uint8Array;
  private readonly keys = new Map<string, Uint8Array>();

  constructor(ring: KeyRing) {
    for (const { id, key } of [ring.current, ...ring.old]) {
      if (key.length !== CODEC_KEY_BYTES)
        throw new CodecError(
          `Codec key "${id}" has ${key.length} bytes; AES-256 needs exactly ${CODEC_KEY_BYTES}.`,
        );
      const known = this.keys.get(id);
      if (known && !Buffer.from(known).equals(Buffer.from(key)))
        throw new CodecError(
          `Codec key id "${id}" is given twice with different keys; each id must name one key.`,
        );
      this.keys.set(id, key);
    }
    this.current = ring.current;
    this.currentIdBytes = utf8.encode(ring.current.id);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.key, iv, { authTagLength: AUTH_TAG_BYTES });
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: ENCRYPTED_ENCODING_BYTES,
        [KEY_ID_METADATA_KEY]: this.currentIdBytes,
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
    // History written before encryption was turned on must stay readable.
    if (!encoding || !Buffer.from(encoding).equals(ENCRYPTED_ENCODING_BYTES)) return payload;
    const keyIdBytes = payload.metadata?.[KEY_ID_METADATA_KEY];
    if (!keyIdBytes)
      throw new PayloadDecryptionError(
        `The payload is ${ENCRYPTED_ENCODING} but has no ${KEY_ID_METADATA_KEY} metadata, so no key can be chosen to decrypt it.`,
      );
    const keyId = fromUtf8.decode(keyIdBytes);
    const key = this.keys.get(keyId);
    if (!key) throw new UnknownKeyIdError(keyId, [...this.keys.keys()]);
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + AUTH_TAG_BYTES)
      throw new PayloadDecryptionError(
        `The payload encrypted with key "${keyId}" holds ${data.length} bytes, fewer than an IV and an auth tag (${IV_BYTES + AUTH_TAG_BYTES}); it was truncated.`,
      );
    const decipher = createDecipheriv(ALGORITHM, key, data.subarray(0, IV_BYTES), {
      authTagLength: AUTH_TAG_BYTES,
    });
    decipher.setAuthTag(data.subarray(data.length - AUTH_TAG_BYTES));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - AUTH_TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new PayloadDecryptionError(
        `The payload encrypted with key "${keyId}" failed authentication: it was altered, or the key configured as "${keyId}" is not the one it was written with.`,
      );
    }
    try {
      return temporal.api.common.v1.Payload.decode(plaintext);
    } catch {
      throw new PayloadDecryptionError(
        `The payload encrypted with key "${keyId}" decrypted to bytes that are not a Temporal Payload.`,
      );
    }
  }
}
