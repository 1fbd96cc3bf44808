import fs from 'node:fs/promises';
import { describeSecretRef, type SecretRef } from './secret-ref';

const REDACTED = '[redacted]';
const MIN_REDACTABLE_LENGTH = 4;

/**
 * Every spelling a secret takes on its way out: raw, JSON-escaped, URL
 * component (`%21`…), form-encoded (`+` for a space, as URLSearchParams
 * writes it, and with `!'()~` escaped as PHP and Java write it), and base64
 * (standard and URL-safe), as in a Basic header or a payload.
 */
export function secretSpellings(secret: string): string[] {
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const strictForm = encodeURIComponent(secret)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
  const base64 = Buffer.from(secret).toString('base64');
  return [
    ...new Set([
      secret,
      JSON.stringify(secret).slice(1, -1),
      encodeURIComponent(secret),
      form,
      strictForm,
      base64,
      base64.replace(/=+$/, ''),
      Buffer.from(secret).toString('base64url'),
    ]),
  ];
}

/** Remembers every secret value resolved in this process so text can be scrubbed before it leaves. */
export class Redactor {
  private readonly values = new Set<string>();

  /** Remembers every spelling of the secret (see secretSpellings), longest first when scrubbing. */
  remember(secret: string): void {
    if (secret.length < MIN_REDACTABLE_LENGTH) return;
    for (const spelling of secretSpellings(secret)) this.values.add(spelling);
  }

  redact(text: string): string {
    let result = text;
    for (const value of [...this.values].sort((a, b) => b.length - a.length))
      result = result.split(value).join(REDACTED);
    return result;
  }
}

export const processRedactor = new Redactor();

export class SecretResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretResolutionError';
  }
}

export interface SecretSource {
  resolve(ref: SecretRef): Promise<string>;
}

/** Resolves `env:` and `file:` references; error messages name the reference, never a value. */
export class SecretResolver implements SecretSource {
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly redactor: Redactor = processRedactor,
  ) {}

  async resolve(ref: SecretRef): Promise<string> {
    const value = ref.startsWith('env:') ? this.fromEnv(ref.slice(4)) : await this.fromFile(ref.slice(5));
    const trimmed = value.trim();
    if (!trimmed) throw new SecretResolutionError(`The secret in ${describeSecretRef(ref)} is empty.`);
    this.redactor.remember(trimmed);
    return trimmed;
  }

  private fromEnv(name: string): string {
    const value = this.env[name];
    if (value === undefined) {
      throw new SecretResolutionError(
        `The secret reference env:${name} points to an environment variable that is not set in the worker's environment. Set ${name} where the worker runs.`,
      );
    }
    return value;
  }

  private async fromFile(file: string): Promise<string> {
    try {
      return await fs.readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new SecretResolutionError(
        `The secret reference file:${file} cannot be read (${code}). Create the file or fix the path.`,
      );
    }
  }
}
