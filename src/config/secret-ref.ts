import path from 'node:path';
import { z } from 'zod';

/**
 * A pointer to a secret (`env:NAME` or `file:PATH`), never the secret itself.
 * Workflows carry these; only activities resolve them.
 */
export type SecretRef = string & { readonly __brand: 'SecretRef' };

const SECRET_REF_PATTERN = /^(env:[A-Za-z_][A-Za-z0-9_]*|file:\S.*)$/;

export const secretRefSchema = z
  .string({ error: 'expected a secret reference such as env:ADOBE_CLIENT_SECRET or file:./secrets/adobe' })
  .trim()
  .regex(SECRET_REF_PATTERN, {
    error:
      'expected a secret reference (env:VARIABLE_NAME or file:PATH); secret values themselves are not accepted in config files',
  })
  .transform((value) => value as SecretRef);

/** Makes `file:` references absolute so they resolve the same from any working directory. */
export function anchorSecretRef(ref: SecretRef, baseDir: string): SecretRef {
  if (!ref.startsWith('file:')) return ref;
  return `file:${path.resolve(baseDir, ref.slice('file:'.length))}` as SecretRef;
}

export function describeSecretRef(ref: SecretRef): string {
  return ref.startsWith('env:') ? `environment variable ${ref.slice(4)}` : `file ${ref.slice(5)}`;
}
