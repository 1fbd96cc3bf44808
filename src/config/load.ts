import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { cutoverConfigSchema, type CutoverConfig } from './schema';
import { anchorSecretRef, type SecretRef } from './secret-ref';
import { SecretResolver, processRedactor, type SecretResolverRole } from './secrets';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid configuration in ${file}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function formatPath(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>(
    (acc, segment) =>
      typeof segment === 'number'
        ? `${acc}[${segment}]`
        : acc
          ? `${acc}.${String(segment)}`
          : String(segment),
    '',
  );
}

/** Words YAML 1.1 read as booleans and YAML 1.2 (this parser, and Temporal's) reads as text. */
const YAML11_BOOLEANS = /^(y|yes|n|no|on|off)$/i;

function valueAt(raw: unknown, segments: readonly PropertyKey[]): unknown {
  return segments.reduce<unknown>(
    (value, segment) => (value as Record<PropertyKey, unknown> | undefined)?.[segment],
    raw,
  );
}

/** What zod says, put the way a person editing the file needs it, for the mistakes a parser hides. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const given = valueAt(raw, issue.path);
  if (issue.code === 'invalid_type' && issue.expected === 'boolean' && typeof given === 'string')
    return YAML11_BOOLEANS.test(given)
      ? `expected true or false, received the text "${given}" (YAML 1.2 reads yes/no/on/off as text): write true or false`
      : `expected true or false, received the text "${given}"`;
  if (issue.code === 'invalid_type' && issue.expected === 'string' && typeof given === 'number')
    return `expected text, received the number ${given}: write it in quotes ("${given}")${/window|timeout|delay|retention|interval/i.test(String(issue.path.at(-1))) ? ', with a unit, e.g. "2s" or "5 minutes"' : ''}`;
  return issue.message;
}

export function describeIssues(error: z.ZodError, raw?: unknown): string[] {
  return error.issues.map((issue) => {
    const where = formatPath(issue.path) || '(top level)';
    if (issue.code === 'unrecognized_keys')
      return `${where}: unknown field(s) ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}; remove them or check the spelling`;
    return `${where}: ${describeIssue(issue, raw)}`;
  });
}

/** The file's text, refused with how to save it when it is not UTF-8 (UTF-16 from Notepad, Latin-1). */
function utf8Text(file: string, bytes: Buffer): string {
  if (
    (bytes[0] === 0xff && bytes[1] === 0xfe) ||
    (bytes[0] === 0xfe && bytes[1] === 0xff) ||
    bytes.includes(0)
  )
    throw new ConfigError(file, [
      'the file is UTF-16 (as Windows Notepad saves "Unicode"): save it as UTF-8',
    ]);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\ufeff/, '');
  } catch {
    const lenient = bytes.toString('utf8');
    const line = lenient.slice(0, lenient.indexOf('\ufffd')).split('\n').length;
    throw new ConfigError(file, [
      `the file is not UTF-8 (line ${line} holds a character saved as Latin-1 or Windows-1252, such as an accented letter): save it as UTF-8`,
    ]);
  }
}

/** Where a JSON parser's "at position N" is, as a person counts it. */
function jsonLineOf(text: string, message: string): string {
  const position = Number(/position (\d+)/.exec(message)?.[1]);
  if (!Number.isFinite(position)) return /line \d+/.test(message) ? '' : ' (line 1)';
  const before = text.slice(0, position).split('\n');
  return ` (line ${before.length}, column ${before.at(-1)!.length + 1})`;
}

function parseText(file: string, text: string): unknown {
  const json = file.endsWith('.json');
  try {
    return json ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!;
    throw new ConfigError(file, [
      json
        ? `not valid JSON${jsonLineOf(text, message)}: ${message}; JSON allows no comments and no trailing commas (a .yaml file allows comments)`
        : `not valid YAML: ${(error as Error).message}`,
    ]);
  }
}

/** Rewrites every `file:` secret reference so it is resolved relative to the config file. */
function anchorFileSecrets<T>(value: T, baseDir: string): T {
  if (typeof value === 'string')
    return (value.startsWith('file:') ? anchorSecretRef(value as unknown as SecretRef, baseDir) : value) as T;
  if (Array.isArray(value)) return value.map((item) => anchorFileSecrets(item, baseDir)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, anchorFileSecrets(v, baseDir)])) as T;
  }
  return value;
}

const SHAPE_HINT =
  'write a YAML mapping with at least an adobe section (orgId, clientId, clientSecret: env:NAME, scopes, sandboxes); see examples/cutover.simulator.yaml';

/** A file that holds nothing, or one value instead of settings, is told what to write, not "expected object". */
function shapeProblem(raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === '') return `the file is empty: ${SHAPE_HINT}`;
  if (Array.isArray(raw)) return `the file holds a list, not settings: ${SHAPE_HINT}`;
  if (typeof raw !== 'object')
    return `the file holds a single ${typeof raw} (${JSON.stringify(raw).slice(0, 40)}), not settings: ${SHAPE_HINT}`;
  return undefined;
}

export function parseConfig(raw: unknown, file: string): CutoverConfig {
  const shape = shapeProblem(raw);
  if (shape) throw new ConfigError(file, [shape]);
  const result = cutoverConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(file, describeIssues(result.error, raw));
  const configDirectory = path.dirname(path.resolve(file));
  const config = anchorFileSecrets(result.data, configDirectory);
  return {
    ...config,
    secrets: {
      allowFilesIn: config.secrets.allowFilesIn.map((folder) => path.resolve(configDirectory, folder)),
    },
    configDirectory,
  };
}

/**
 * The resolver a CLI command or a worker uses for this config: its own
 * environment, and `file:` references confined to the config file's folder
 * and `secrets.allowFilesIn`.
 */
export function secretResolverFor(config: CutoverConfig, role: SecretResolverRole): SecretResolver {
  return new SecretResolver(process.env, processRedactor, {
    role,
    fileDirectories: [config.configDirectory ?? process.cwd(), ...config.secrets.allowFilesIn],
  });
}

export function loadConfigFile(file: string): CutoverConfig {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(file, [
      `cannot read the file (${code}); pass an existing file with --config or CUTOVER_CONFIG`,
    ]);
  }
  return parseConfig(parseText(file, utf8Text(file, bytes)), file);
}
