import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/project-root';
import { resolveTemporalBinary } from '../../src/temporal/binaries';
import { preferredOrFreePort } from '../../src/temporal/free-port';
import type { RunningPostgres } from './postgres';
import { ClusterProcess } from './processes';

/**
 * The Temporal Server the cluster runs, built from its Go module. 1.31 and
 * later need a module the Go proxy reachable here does not serve. The compose
 * deployment pins the same version (its structural test compares them).
 */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
/** The Go toolchain the build asks for; Go downloads it through the module proxy when the installed one is older. */
const GO_TOOLCHAIN = 'go1.27.3';
const INSTALL_DIR = path.join(projectRoot, '.tools', 'temporal-server', TEMPORAL_SERVER_VERSION);
const DEPLOY_DIR = path.join(projectRoot, 'deploy', 'temporal');
/** What the cluster shares with the compose deployment (its structural test checks compose uses them too). */
export const SHARED_WITH_COMPOSE = {
  schemaScript: 'setup-postgres-schema.sh',
  namespaceScript: 'create-namespace.sh',
  dynamicConfig: 'dynamicconfig/cutover-sql.yaml',
} as const;
/** Started in this order; each is its own process, found by the others through the membership ring. */
export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;

const execFileAsync = promisify(execFile);

export interface TemporalInstall {
  server: string;
  sqlTool: string;
  schemaDir: string;
  /** Seconds the build took; 0 when the cached one was used. */
  builtSeconds: number;
}

/** Temporal Server and its SQL tool, built once into `.tools/temporal-server/<version>` with its schemas. */
export function ensureTemporalServer(say: (line: string) => void): TemporalInstall {
  const install = {
    server: path.join(INSTALL_DIR, 'bin', 'server'),
    sqlTool: path.join(INSTALL_DIR, 'bin', 'sql'),
    schemaDir: path.join(INSTALL_DIR, 'schema'),
  };
  if ([install.server, install.sqlTool, install.schemaDir].every((file) => fs.existsSync(file)))
    return { ...install, builtSeconds: 0 };
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'Building Temporal Server needs Go (https://go.dev/dl/, or `apt-get install golang`); install it and run this again.',
    );
  }
  const started = Date.now();
  const env = { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN, GOBIN: path.join(INSTALL_DIR, 'bin') };
  for (const command of ['server', 'tools/sql']) {
    say(`building go.temporal.io/server/cmd/${command}@v${TEMPORAL_SERVER_VERSION} (minutes, once) ...`);
    execFileSync('go', ['install', `go.temporal.io/server/cmd/${command}@v${TEMPORAL_SERVER_VERSION}`], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const moduleCache = execFileSync('go', ['env', 'GOMODCACHE'], { env }).toString().trim();
  fs.cpSync(
    path.join(moduleCache, `go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}`, 'schema'),
    install.schemaDir,
    {
      recursive: true,
    },
  );
  // The module cache's files are read-only; the copy need not be.
  execFileSync('chmod', ['-R', 'u+w', install.schemaDir]);
  return { ...install, builtSeconds: Math.round((Date.now() - started) / 1000) };
}

/** Runs the compose deployment's own schema script against this PostgreSQL, with the built SQL tool. */
export function setUpSchemas(install: TemporalInstall, postgres: RunningPostgres): void {
  execFileSync('sh', [path.join(DEPLOY_DIR, SHARED_WITH_COMPOSE.schemaScript)], {
    env: {
      ...process.env,
      TEMPORAL_SQL_TOOL: install.sqlTool,
      TEMPORAL_SCHEMA_DIR: install.schemaDir,
      POSTGRES_SEEDS: '127.0.0.1',
      DB_PORT: String(postgres.port),
      POSTGRES_USER: postgres.user,
      POSTGRES_PWD: postgres.password,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

export interface RunningTemporalCluster {
  address: string;
  namespace: string;
  /** SIGKILLs every service process at once: the whole server crashes. */
  kill(): Promise<void>;
  /** Starts every service again on the same database and ports, and waits until the frontend answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function portsFor(): Promise<Record<string, string>> {
  const names = ['FRONTEND', 'FRONTEND_HTTP', 'HISTORY', 'MATCHING', 'WORKER'].flatMap((name) =>
    name === 'FRONTEND_HTTP' ? [name] : [name, `${name}_MEMBERSHIP`],
  );
  const taken: number[] = [];
  // Below the OS's ephemeral range: the membership table keeps ports as a smallint.
  while (taken.length < names.length) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.includes(candidate) && (await preferredOrFreePort(candidate)) === candidate)
      taken.push(candidate);
  }
  return Object.fromEntries(names.map((name, index) => [`TEMPORAL_${name}_PORT`, String(taken[index])]));
}

/** Resolves once `port` accepts connections, which a service does only after its start-up wrote what it shares; fails as soon as it exits. */
async function untilListening(port: number, service: ClusterProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!service.running) throw new Error(`while the cluster started, ${service.exitReport()}`);
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (Date.now() > deadline)
      throw new Error(`${service.name} did not listen on ${port} within ${timeoutMs} ms`);
    await delay(250);
  }
}

/** Runs a `temporal` CLI command until it succeeds; gives up at the deadline, or as soon as a service has exited. */
async function untilAnswered(
  temporalCli: string,
  args: string[],
  services: ClusterProcess[],
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exited = services.find((service) => !service.running);
    if (exited) throw new Error(`while the cluster started, ${exited.exitReport()}`);
    try {
      await execFileAsync(temporalCli, args);
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(
          `\`temporal ${args.join(' ')}\` kept failing for ${timeoutMs} ms: ${(error as Error).message}`,
        );
      await delay(500);
    }
  }
}

/**
 * Temporal Server on PostgreSQL as four processes (history, matching,
 * frontend, worker) from the project's server config, with the compose
 * deployment's dynamic config and namespace script.
 */
export async function startTemporalCluster(options: {
  install: TemporalInstall;
  postgres: RunningPostgres;
  logDir: string;
  namespace: string;
}): Promise<RunningTemporalCluster> {
  const { install, postgres, logDir, namespace } = options;
  const temporalCli = resolveTemporalBinary('cli');
  if (temporalCli.type !== 'existing-path')
    throw new Error('Run `npm run setup:temporal` first: the cluster needs the temporal CLI.');
  const ports = await portsFor();
  const address = `127.0.0.1:${ports.TEMPORAL_FRONTEND_PORT}`;
  const env = {
    ...ports,
    POSTGRES_PORT: String(postgres.port),
    POSTGRES_USER: postgres.user,
    POSTGRES_PWD: postgres.password,
    TEMPORAL_DYNAMIC_CONFIG_FILE: path.join(DEPLOY_DIR, SHARED_WITH_COMPOSE.dynamicConfig),
  };
  const services = TEMPORAL_SERVICES.map(
    (service) =>
      new ClusterProcess(
        `temporal-${service}`,
        install.server,
        [
          '--root',
          projectRoot,
          '--config',
          path.relative(projectRoot, path.join(DEPLOY_DIR, 'config')),
          '--env',
          'cutover-postgres',
          '--allow-no-auth',
          'start',
          '--service',
          service,
        ],
        { env, log: path.join(logDir, `temporal-${service}.log`) },
      ),
  );
  const startAll = async () => {
    // The first one alone: on a fresh database every service writes the cluster's metadata record
    // when none is there, and the loser of that race exits ("version mismatch, expected 0 but got 1").
    // History listens only once that record is written; the others then find it and leave it be.
    const [history, ...others] = services;
    history!.start();
    await untilListening(Number(ports.TEMPORAL_HISTORY_PORT), history!);
    for (const service of others) service.start();
    await untilAnswered(temporalCli.path, ['operator', 'cluster', 'health', '--address', address], services);
  };
  await startAll();
  execFileSync('sh', [path.join(DEPLOY_DIR, SHARED_WITH_COMPOSE.namespaceScript)], {
    env: {
      ...process.env,
      PATH: `${path.dirname(temporalCli.path)}:${process.env.PATH}`,
      TEMPORAL_ADDRESS: address,
      NAMESPACE: namespace,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 120_000,
  });
  // The frontend's namespace registry refreshes on its own clock: until then the new namespace is "not found".
  await untilAnswered(
    temporalCli.path,
    ['operator', 'search-attribute', 'list', '--address', address, '--namespace', namespace],
    services,
  );
  return {
    address,
    namespace,
    kill: async () => {
      await Promise.all(services.map((service) => service.kill()));
    },
    restart: startAll,
    stop: async () => {
      await Promise.all(services.map((service) => service.stop(15_000)));
    },
  };
}
