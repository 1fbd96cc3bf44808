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
  if (!result.success) throw new ConfigError(file, describeIssues(result.error));
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
