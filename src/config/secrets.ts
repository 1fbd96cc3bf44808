import fs from 'node:fs/promises';
import path from 'node:path';
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
      secret.replace(/ /g, '+'),
      JSON.stringify(secret).slice(1, -1),
      encodeURIComponent(secret),
      form,
      strictForm,
      base64,
      base64.replace(/=+$/, ''),
      Buffer.from(secret).toString('base64url'),
      // UTF-8 read back as Latin-1, as a server that guesses the charset writes it.
      Buffer.from(secret).toString('latin1'),
    ]),
  ];
}

const HTML_NAMED: Record<string, string> = {
  quot: '"',
  amp: '&',
  lt: '<',
  gt: '>',
  apos: "'",
  nbsp: '\u00a0',
};
/** An echo inside an echo inside a JSON body is three; more is no remote we know of. */
const MAX_ESCAPE_LAYERS = 4;
const BACKSLASH_SIMPLE: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };

/** One layer of the escapes a remote may write a value in: JSON and Python (`\u20ac`, `\xe2\x82\xac`, `\"`), HTML entities, percent (any case). */
function unescapeOnce(text: string): string {
  return text
    .replace(/(?:\\x[0-9a-fA-F]{2})+/g, (run) => bytesAsText(run.split('\\x').slice(1)))
    .replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/gs, (all, escape: string) => {
      if (escape.length === 1) return BACKSLASH_SIMPLE[escape] ?? escape;
      if (escape.startsWith('u')) return String.fromCharCode(parseInt(escape.slice(1), 16));
      return codePoint(parseInt(escape.slice(1), 16)) ?? all;
    })
    .replace(/&#x([0-9a-fA-F]+);/g, (all, hex: string) => codePoint(parseInt(hex, 16)) ?? all)
    .replace(/&#(\d+);/g, (all, decimal: string) => codePoint(Number(decimal)) ?? all)
    .replace(/&([a-z]+);/g, (all, name: string) => HTML_NAMED[name] ?? all)
    .replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => bytesAsText(run.split('%').slice(1)));
}

/** Escaped bytes as UTF-8 text when they are UTF-8, as Latin-1 when not (Python writes both as `\xNN`). */
function bytesAsText(hexBytes: string[]): string {
  const bytes = Buffer.from(hexBytes.join(''), 'hex');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function codePoint(value: number): string | undefined {
  return value <= 0x10ffff ? String.fromCodePoint(value) : undefined;
}

/**
 * The text with every escape layer a remote may have added taken off (a
 * value echoed inside an echoed request is escaped twice). Matching on this,
 * as well as on the text, finds a secret in any spelling a remote may produce
 * from the value cutover sent, not only the ones listed in secretSpellings.
 */
export function unescaped(text: string): string {
  let current = text;
  for (let layer = 0; layer < MAX_ESCAPE_LAYERS; layer += 1) {
    const next = unescapeOnce(current);
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** Remembers every secret value resolved in this process so text can be scrubbed before it leaves. */
export class Redactor {
  private readonly values = new Set<string>();

  /** Remembers every spelling of the secret (see secretSpellings), longest first when scrubbing. */
  remember(secret: string): void {
    if (secret.length < MIN_REDACTABLE_LENGTH) return;
    for (const spelling of secretSpellings(secret)) this.values.add(spelling);
    // A secret that itself holds something escape-like reads differently once the escapes are off.
    this.values.add(unescaped(secret));
  }

  /**
   * The text with every remembered secret replaced. Where a secret shows only
   * once the escapes are taken off, the unescaped text is returned, scrubbed:
   * a message then reads differently, and holds no secret in any spelling.
   */
  redact(text: string): string {
    const scrubbed = this.replaceKnown(text);
    // Each layer in turn: a layer may also take off a backslash the secret itself ends with.
    let layer = scrubbed;
    let found = false;
    for (let depth = 0; depth < MAX_ESCAPE_LAYERS; depth += 1) {
      const next = unescapeOnce(layer);
      if (next === layer) break;
      layer = this.replaceKnown(next);
      found ||= layer !== next;
    }
    return found ? layer : scrubbed;
  }

  private replaceKnown(text: string): string {
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

/** Who resolves secret references: each has its own environment and files, so messages say which. */
export type SecretResolverRole = 'cli' | 'worker';

export interface SecretResolverOptions {
  role?: SecretResolverRole;
  /**
   * The folders `file:` references may point into (the config file's folder,
   * plus `secrets.allowFilesIn`); a file anywhere else is refused unread.
   * Undefined allows any file (tests that build their own resolver).
   */
  fileDirectories?: readonly string[];
}

const WHERE: Record<SecretResolverRole, { here: string; fix: string }> = {
  cli: { here: 'this shell (the cutover CLI resolves it for this command)', fix: 'before running cutover' },
  worker: { here: "the worker's environment", fix: 'where the worker runs' },
};

function isInside(file: string, directory: string): boolean {
  const relative = path.relative(directory, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Resolves `env:` and `file:` references; error messages name the reference, never a value. */
export class SecretResolver implements SecretSource {
  constructor(
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly redactor: Redactor = processRedactor,
    private readonly options: SecretResolverOptions = {},
  ) {}

  async resolve(ref: SecretRef): Promise<string> {
    const value = ref.startsWith('env:') ? this.fromEnv(ref.slice(4)) : await this.fromFile(ref.slice(5));
    const trimmed = value.trim();
    if (!trimmed) throw new SecretResolutionError(`The secret in ${describeSecretRef(ref)} is empty.`);
    this.redactor.remember(trimmed);
    return trimmed;
  }

  private get where() {
    return WHERE[this.options.role ?? 'worker'];
  }

  private fromEnv(name: string): string {
    const value = this.env[name];
    if (value === undefined) {
      throw new SecretResolutionError(
        `The secret reference env:${name} points to an environment variable that is not set in ${this.where.here}. Set ${name} ${this.where.fix}.`,
      );
    }
    return value;
  }

  private async fromFile(file: string): Promise<string> {
    let real: string;
    try {
      // The real path, so a symbolic link cannot lead out of the allowed folders.
      real = await fs.realpath(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new SecretResolutionError(
        `The secret reference file:${file} cannot be read in ${this.where.here} (${code}). Create the file or fix the path.`,
      );
    }
    const allowed = this.options.fileDirectories;
    if (allowed && !(await this.allowedFile(real, allowed))) {
      throw new SecretResolutionError(
        `The secret reference file:${file} points outside the config file's folder (${allowed[0] ?? 'none'}), so it was not read. Keep secret files next to the config, or list their folder in secrets.allowFilesIn.`,
      );
    }
    try {
      return await fs.readFile(real, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new SecretResolutionError(
        `The secret reference file:${file} cannot be read in ${this.where.here} (${code}). Fix the file's permissions or the path.`,
      );
    }
  }

  private async allowedFile(real: string, directories: readonly string[]): Promise<boolean> {
    for (const directory of directories) {
      const root = await fs.realpath(directory).catch(() => path.resolve(directory));
      if (isInside(real, root)) return true;
    }
    return false;
  }
}
