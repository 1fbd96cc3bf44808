import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
import { cutoverConfigSchema, type CutoverConfig } from './schema';
import { anchorSecretRef, type SecretRef } from './secret-ref';

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

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = formatPath(issue.path) || '(top level)';
    if (issue.code === 'unrecognized_keys')
      return `${where}: unknown field(s) ${issue.keys.join(', ')}; remove them or check the spelling`;
    return `${where}: ${issue.message}`;
  });
}

function parseText(file: string, text: string): unknown {
  try {
    return file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new ConfigError(file, [
      `not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
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

export function parseConfig(raw: unknown, file: string): CutoverConfig {
  const result = cutoverConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(file, describeIssues(result.error));
  return anchorFileSecrets(result.data, path.dirname(path.resolve(file)));
}

export function loadConfigFile(file: string): CutoverConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(file, [
      `cannot read the file (${code}); pass an existing file with --config or CUTOVER_CONFIG`,
    ]);
  }
  return parseConfig(parseText(file, text), file);
}
