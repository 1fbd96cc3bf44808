import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ClusterProcess } from './processes';

/** Debian's layout: one folder per major version. */
const DEBIAN_POSTGRES = '/usr/lib/postgresql';
const DATABASE_USER = { name: 'temporal', password: 'temporal' };

export interface RunningPostgres {
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

const asRoot = () => process.getuid?.() === 0;

/** initdb and postgres refuse to run as root: as root, they run as the `postgres` user Debian's package makes. */
function asDatabaseOwner(command: string, args: string[]): [string, string[]] {
  return asRoot() ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function newestBinDir(): string | undefined {
  if (!fs.existsSync(DEBIAN_POSTGRES)) return undefined;
  const versions = fs
    .readdirSync(DEBIAN_POSTGRES)
    .filter((version) => fs.existsSync(path.join(DEBIAN_POSTGRES, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && path.join(DEBIAN_POSTGRES, versions[0], 'bin');
}

/** PostgreSQL's server binaries, installed from Debian when missing (as root). */
export function ensurePostgres(say: (line: string) => void): string {
  const found = newestBinDir();
  if (found) return found;
  if (!asRoot())
    throw new Error(
      "PostgreSQL is not installed. Install it (`sudo apt-get install -y postgresql`, or your platform's package), then run this again.",
    );
  say('installing PostgreSQL from Debian (apt-get install postgresql) ...');
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const installed = newestBinDir();
  if (!installed) throw new Error(`apt-get installed postgresql, but no initdb is under ${DEBIAN_POSTGRES}.`);
  return installed;
}

/**
 * A throwaway PostgreSQL in `dir` on `port`, on loopback only, with the
 * `temporal` role Temporal's SQL tool and server log in as.
 */
export async function startPostgres(
  binDir: string,
  dir: string,
  port: number,
  log: string,
): Promise<RunningPostgres> {
  fs.mkdirSync(dir, { recursive: true });
  if (asRoot()) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const bin = (name: string) => path.join(binDir, name);
  const run = (name: string, args: string[]) => {
    const [command, argv] = asDatabaseOwner(bin(name), args);
    return execFileSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  };
  run('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);
  const [command, argv] = asDatabaseOwner(bin('postgres'), [
    '-D',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'max_connections=300',
    // A test database: durability across an OS crash is not what is tested.
    '-c',
    'fsync=off',
  ]);
  const server = new ClusterProcess('postgres', command, argv, { log }).start();
  await server.waitForLog('database system is ready to accept connections', 60_000);
  run('psql', [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    'postgres',
    '-c',
    `CREATE ROLE ${DATABASE_USER.name} LOGIN CREATEDB PASSWORD '${DATABASE_USER.password}'`,
  ]);
  return {
    port,
    user: DATABASE_USER.name,
    password: DATABASE_USER.password,
    stop: () => server.stop(10_000),
  };
}
