/**
 * A worker that cannot do its job exits, non-zero, within a minute, with one
 * line naming the cause and the setting: a supervisor then restarts it or
 * shows it failed, instead of counting a process that polls nothing as healthy.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { projectRoot } from '../../src/project-root';
import { freePort } from '../../src/temporal/free-port';
import { findSecrets } from '../support/history';
import { useTemporalEnvironment } from '../support/temporal-env';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();
const SECRET = 'fatal-config-secret-value';
let dir: string;
let busyPort: net.Server;
let busyAddress: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-fatal-'));
  busyPort = net.createServer();
  await new Promise<void>((resolve) => busyPort.listen(0, '127.0.0.1', resolve));
  busyAddress = `127.0.0.1:${(busyPort.address() as net.AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => busyPort.close(() => resolve())));

function configFile(change: { temporal?: object; worker?: object }): string {
  const file = path.join(dir, `${uniqueTaskQueue('config')}.yaml`);
  const config = {
    temporal: { taskQueue: uniqueTaskQueue('fatal'), address: env().address, ...change.temporal },
    worker: { logLevel: 'INFO', ...change.worker },
    adobe: {
      orgId: 'FATAL1@AdobeOrg',
      clientId: 'client',
      clientSecret: 'env:FATAL_ADOBE_SECRET',
      scopes: ['openid'],
      sandboxes: [{ name: 'prod' }],
    },
  };
  fs.writeFileSync(file, YAML.stringify(config));
  return file;
}

/** The config file alone says where Temporal is. */
function withoutTemporalVariables(variables: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(variables).filter(([name]) => !name.startsWith('TEMPORAL_')));
}

/** `cutover worker` as a supervisor starts it: its own process, its exit code and what it printed. */
function startWorker(file: string): Promise<{ code: number | null; seconds: number; output: string }> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'src', 'cli', 'main.ts'), 'worker', '--config', file],
    {
      cwd: projectRoot,
      env: { ...withoutTemporalVariables(process.env), FATAL_ADOBE_SECRET: SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(deadline);
      resolve({ code, seconds: (Date.now() - started) / 1000, output });
    }),
  );
}

describe('a worker that cannot work', () => {
  const cases = [
    {
      name: 'a namespace that does not exist',
      file: () => configFile({ temporal: { namespace: 'no-such-namespace' } }),
      code: 2,
      says: /Namespace no-such-namespace does not exist on this Temporal server: set temporal\.namespace/,
    },
    {
      name: 'a metrics port another process holds',
      file: () => configFile({ worker: { metricsAddress: busyAddress } }),
      code: 2,
      says: /worker\.metricsAddress: 127\.0\.0\.1:\d+ is already in use by another process: choose a free port/,
    },
    {
      name: 'a Temporal address nothing answers at',
      file: async () => configFile({ temporal: { address: `127.0.0.1:${await freePort()}` } }),
      code: 1,
      says: /Cannot reach Temporal at 127\.0\.0\.1:\d+ .*set TEMPORAL_ADDRESS \/ temporal\.address/,
    },
    {
      name: 'a TLS certificate file that is missing',
      file: () => configFile({ temporal: { tls: { serverRootCaCert: `file:${dir}/missing-ca.pem` } } }),
      code: 2,
      says: /file:.*missing-ca\.pem cannot be read .*\(ENOENT\)/,
    },
  ];

  it.each(cases.map((entry) => [entry.name, entry] as const))(
    'exits on %s, naming the setting',
    async (_name, entry) => {
      const { code, seconds, output } = await startWorker(await entry.file());
      expect(code, output).toBe(entry.code);
      expect(seconds).toBeLessThan(60);
      expect(output).toMatch(entry.says);
      expect(output, 'a fault of cutover').not.toContain('fault in cutover');
      expect(output, 'a stack frame').not.toMatch(/\n\s+at \S+ \(|\n\s+at (async )?\S+:\d+:\d+/);
      expect(output, 'a raw gRPC answer').not.toMatch(/Status \{ code|details: b"/);
      expect(findSecrets([output], [SECRET]), 'the secret, in any spelling').toEqual([]);
    },
  );
});
