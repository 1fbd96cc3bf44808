import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../../src/temporal/free-port';
import { ensurePostgres, type PostgresInstall } from './install';
import { ManagedProcess, run, secondsSince, tailOfFile, type RunAs } from './processes';

const HOST = '127.0.0.1';
const SUPERUSER = 'postgres';
/** The role Temporal connects as, the same as docker-compose.yml's POSTGRES_USER. */
export const TEMPORAL_DB_USER = 'temporal';
/** docker-compose.yml's default for TEMPORAL_DB_PASSWORD. */
const DEFAULT_PASSWORD = 'temporal';

export interface PostgresOptions {
  /** Holds `data/` (initdb'd once, then reused), the socket dir and `postgres.log`. */
  dir: string;
  /** A free port when unset. */
  port?: number;
  password?: string;
  install?: PostgresInstall;
  readinessTimeoutMs?: number;
}

export interface RunningPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  /** postgres://temporal:…@127.0.0.1:port/postgres */
  url: string;
  dataDir: string;
  logFile: string;
  /** Runs SQL as the superuser over the Unix socket; resolves with unaligned, tuples-only output. */
  query(sql: string, database?: string): Promise<string>;
  /** Starts the server again on the same port and data after it stopped or was killed. */
  start(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Fast shutdown: open transactions are rolled back, nothing is lost. */
  stop(): Promise<void>;
}

async function postgresUser(): Promise<RunAs> {
  const [uid, gid] = await Promise.all([run('id', ['-u', SUPERUSER]), run('id', ['-g', SUPERUSER])]);
  return { uid: Number(uid), gid: Number(gid) };
}

function ownedDir(dir: string, owner: RunAs, mode: number): string {
  fs.mkdirSync(dir, { recursive: true, mode });
  fs.chownSync(dir, owner.uid, owner.gid);
  fs.chmodSync(dir, mode);
  return dir;
}

async function initdbOnce(install: PostgresInstall, dataDir: string, owner: RunAs): Promise<boolean> {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return false;
  await run(
    path.join(install.binDir, 'initdb'),
    [
      '--pgdata',
      dataDir,
      '--username',
      SUPERUSER,
      '--encoding',
      'UTF8',
      '--locale',
      'C',
      // Local socket: superuser without password, for setup. TCP (Temporal): password required.
      '--auth-local',
      'trust',
      '--auth-host',
      'scram-sha-256',
    ],
    { runAs: owner },
  );
  return true;
}

function postgresArgs(dataDir: string, socketDir: string, port: number): string[] {
  const settings = {
    listen_addresses: HOST,
    unix_socket_directories: socketDir,
    // Four Temporal processes with their own pools (up to 20 + 10 each) outgrow the default 100.
    max_connections: '300',
    // Durability against OS crashes only; a killed postgres process loses nothing, and tests are faster.
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
  };
  return ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
}

function sqlLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** PostgreSQL as a child process (not daemonised), so it can be SIGKILLed like any other server. */
export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const startedAt = Date.now();
  const install = options.install ?? (await ensurePostgres());
  const owner = await postgresUser();
  // initdb and postgres refuse to run as root; the postgres user must reach and own these dirs.
  const dir = ownedDir(path.resolve(options.dir), owner, 0o755);
  const dataDir = ownedDir(path.join(dir, 'data'), owner, 0o700);
  const socketDir = ownedDir(path.join(dir, 'socket'), owner, 0o755);
  const initialised = await initdbOnce(install, dataDir, owner);

  const port = options.port ?? (await freePort(HOST));
  const password = options.password ?? DEFAULT_PASSWORD;
  const logFile = path.join(dir, 'postgres.log');
  const server = new ManagedProcess({
    name: 'postgres',
    command: path.join(install.binDir, 'postgres'),
    args: postgresArgs(dataDir, socketDir, port),
    logFile,
    runAs: owner,
  });
  const timeoutMs = options.readinessTimeoutMs ?? 30_000;

  const query = (sql: string, database = 'postgres') =>
    run('psql', ['-h', socketDir, '-p', String(port), '-U', SUPERUSER, '-d', database, '-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
  const start = async () => {
    server.start();
    await waitUntilAcceptingConnections(server, port, timeoutMs);
  };

  await start();
  await ensureTemporalRole(query, password);
  console.log(
    `PostgreSQL ${install.majorVersion} on ${HOST}:${port} (${initialised ? 'new' : 'existing'} data in ${dataDir}) ready in ${secondsSince(startedAt)}.`,
  );
  return {
    host: HOST,
    port,
    user: TEMPORAL_DB_USER,
    password,
    url: `postgres://${TEMPORAL_DB_USER}:${encodeURIComponent(password)}@${HOST}:${port}/postgres`,
    dataDir,
    logFile,
    query,
    start,
    kill: (signal) => server.kill(signal),
    stop: () => server.stop('SIGINT'),
  };
}

async function waitUntilAcceptingConnections(server: ManagedProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!server.isRunning()) {
      throw new Error(`postgres exited (${server.exitReason}) before accepting connections:\n${tailOfFile(server.logFile)}`);
    }
    const ready = await run('pg_isready', ['-q', '-h', HOST, '-p', String(port)]).then(
      () => true,
      () => false,
    );
    if (ready) return;
    await delay(200);
  }
  await server.stop('SIGINT');
  throw new Error(`postgres was not accepting connections on port ${port} after ${timeoutMs} ms:\n${tailOfFile(server.logFile)}`);
}

async function ensureTemporalRole(query: RunningPostgres['query'], password: string): Promise<void> {
  const exists = (await query(`SELECT 1 FROM pg_roles WHERE rolname = ${sqlLiteral(TEMPORAL_DB_USER)}`)).trim() === '1';
  const verb = exists ? 'ALTER' : 'CREATE';
  await query(`${verb} ROLE ${TEMPORAL_DB_USER} WITH LOGIN CREATEDB PASSWORD ${sqlLiteral(password)}`);
}
