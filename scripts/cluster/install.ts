import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/project-root';
import { run, secondsSince } from './processes';

/** The one place the self-hosted Temporal Server version is pinned. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
const TEMPORAL_MODULE = 'go.temporal.io/server';
/** The toolchain the binaries in .tools were built with, so a rebuild gives the same binaries. */
const GO_TOOLCHAIN = 'go1.27.3';

export const TOOLS_DIR = path.join(projectRoot, '.tools');
const SERVER_BIN_DIR = path.join(TOOLS_DIR, 'temporal-server', 'bin');

export interface TemporalServerInstall {
  version: string;
  serverBinary: string;
  sqlToolBinary: string;
  /** The server's Go module source: schemas and sample configs for exactly this version. */
  moduleDir: string;
  temporalSchemaDir: string;
  visibilitySchemaDir: string;
  sampleConfigFile: string;
}

export interface PostgresInstall {
  binDir: string;
  majorVersion: number;
}

function goBinary(): string {
  const candidates = [process.env.GO, '/usr/local/go/bin/go'].filter((c): c is string => Boolean(c));
  return candidates.find((candidate) => fs.existsSync(candidate)) ?? 'go';
}

function goEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, ...extra };
}

async function reportedVersion(binary: string): Promise<string | undefined> {
  if (!fs.existsSync(binary)) return undefined;
  const output = await run(binary, ['--version']).catch(() => '');
  return /version (\S+)/.exec(output)?.[1];
}

async function buildTemporalBinaries(): Promise<void> {
  const startedAt = Date.now();
  console.log(
    `Building Temporal Server ${TEMPORAL_SERVER_VERSION} (server + sql tool) into ${SERVER_BIN_DIR}; ` +
      'this takes about 8 minutes on 2 cores...',
  );
  fs.mkdirSync(SERVER_BIN_DIR, { recursive: true });
  await run(
    goBinary(),
    [
      'install',
      `${TEMPORAL_MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
      `${TEMPORAL_MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
    ],
    { env: goEnv({ GOBIN: SERVER_BIN_DIR }) },
  );
  console.log(`Built Temporal Server ${TEMPORAL_SERVER_VERSION} in ${secondsSince(startedAt)}.`);
}

async function temporalModuleDir(): Promise<string> {
  const modCache = (await run(goBinary(), ['env', 'GOMODCACHE'], { env: goEnv() })).trim();
  const dir = path.join(modCache, `${TEMPORAL_MODULE}@v${TEMPORAL_SERVER_VERSION}`);
  if (fs.existsSync(dir)) return dir;
  // Binaries can outlive a cleaned module cache; the schemas must match them, so fetch that version.
  const downloaded = await run(goBinary(), ['mod', 'download', '-json', `${TEMPORAL_MODULE}@v${TEMPORAL_SERVER_VERSION}`], {
    env: goEnv(),
  });
  return (JSON.parse(downloaded) as { Dir: string }).Dir;
}

/** The pinned Temporal Server and sql tool, built with `go install` when missing or of another version. */
export async function ensureTemporalServer(): Promise<TemporalServerInstall> {
  const serverBinary = path.join(SERVER_BIN_DIR, 'server');
  const sqlToolBinary = path.join(SERVER_BIN_DIR, 'sql');
  const versions = await Promise.all([reportedVersion(serverBinary), reportedVersion(sqlToolBinary)]);
  if (versions.some((version) => version !== TEMPORAL_SERVER_VERSION)) await buildTemporalBinaries();

  const moduleDir = await temporalModuleDir();
  const schemaRoot = path.join(moduleDir, 'schema', 'postgresql', 'v12');
  return {
    version: TEMPORAL_SERVER_VERSION,
    serverBinary,
    sqlToolBinary,
    moduleDir,
    temporalSchemaDir: path.join(schemaRoot, 'temporal', 'versioned'),
    visibilitySchemaDir: path.join(schemaRoot, 'visibility', 'versioned'),
    sampleConfigFile: path.join(moduleDir, 'config', 'development-postgres12.yaml'),
  };
}

const POSTGRES_ROOT = '/usr/lib/postgresql';

function newestPostgres(): PostgresInstall | undefined {
  if (!fs.existsSync(POSTGRES_ROOT)) return undefined;
  const majors = fs
    .readdirSync(POSTGRES_ROOT)
    .map(Number)
    .filter((major) => Number.isInteger(major) && fs.existsSync(path.join(POSTGRES_ROOT, String(major), 'bin', 'postgres')))
    .sort((a, b) => b - a);
  const major = majors[0];
  return major === undefined ? undefined : { majorVersion: major, binDir: path.join(POSTGRES_ROOT, String(major), 'bin') };
}

/** Debian's PostgreSQL server binaries, installed with apt-get when none are present. */
export async function ensurePostgres(): Promise<PostgresInstall> {
  const installed = newestPostgres();
  if (installed) return installed;
  console.log('PostgreSQL not found under /usr/lib/postgresql; running `apt-get install -y postgresql`...');
  const startedAt = Date.now();
  await run('apt-get', ['install', '-y', 'postgresql'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const afterInstall = newestPostgres();
  if (!afterInstall) throw new Error('apt-get install postgresql finished but no server binaries are under /usr/lib/postgresql');
  console.log(`Installed PostgreSQL ${afterInstall.majorVersion} in ${secondsSince(startedAt)}.`);
  return afterInstall;
}
