import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { explainSdkDownloadFailure, resolveTemporalBinary, type ResolvedTemporalBinary } from './binaries';
import { freePort } from './free-port';
import { searchAttributeCliArgs } from './register-search-attributes';
import { cutoverSearchAttributes } from '../visibility/search-attributes';

export interface DevServerOptions {
  /** Serve the Web UI (on `uiPort`, or the gRPC port + 1000 when unset). */
  ui?: boolean;
  uiPort?: number;
  port?: number;
  ip?: string;
  namespace?: string;
  /** SQLite file; a fresh temp file when unset, so each start is isolated. */
  dbFile?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  codecEndpoint?: string;
  readinessTimeoutMs?: number;
  /** Where the server's stdout/stderr go; kept in memory for error messages when unset. */
  logFile?: string;
  binary?: ResolvedTemporalBinary;
}

export interface RunningDevServer {
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  dbFile: string | undefined;
  binary: ResolvedTemporalBinary;
  stop(): Promise<void>;
  /** SIGKILLs the server, as a crash would: nothing is flushed or shut down in order. */
  kill(): Promise<void>;
}

const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=off'];
const HEALTH_POLL_MS = 100;

/**
 * Starts `temporal server start-dev` with SQLite in a file (WAL), the project's
 * search attributes, and a readiness wait on the gRPC health service. Falls back
 * to the SDK's downloaded server when no local binary exists.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<RunningDevServer> {
  const binary = options.binary ?? resolveTemporalBinary('cli');
  if (binary.type === 'sdk-download') return startSdkManagedDevServer(binary, options);

  const ip = options.ip ?? '127.0.0.1';
  const port = options.port ?? (await freePort(ip, options.uiPort ? [options.uiPort] : []));
  const namespace = options.namespace ?? 'default';
  const uiPort = options.ui ? (options.uiPort ?? port + 1000) : undefined;
  const ownsDbFile = options.dbFile === undefined;
  const dbFile =
    options.dbFile ?? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-temporal-')), 'temporal.db');

  const args = [
    'server',
    'start-dev',
    '--ip',
    ip,
    '--port',
    String(port),
    '--namespace',
    namespace,
    '--db-filename',
    dbFile,
    '--log-level',
    options.logLevel ?? 'warn',
    ...SQLITE_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]),
    ...searchAttributeCliArgs(),
    ...(uiPort ? ['--ui-port', String(uiPort), '--ui-disable-news-fetch'] : ['--headless']),
    ...(options.codecEndpoint ? ['--ui-codec-endpoint', options.codecEndpoint] : []),
  ];
  const output = options.logFile ? fs.openSync(options.logFile, 'a') : 'pipe';
  const child = spawn(binary.path, args, { stdio: ['ignore', output, output] });
  const recentOutput = captureTail(child);
  const address = `${ip}:${port}`;

  const stop = async () => {
    await stopProcess(child);
    if (ownsDbFile) fs.rmSync(path.dirname(dbFile), { recursive: true, force: true });
  };
  try {
    await waitUntilServing(address, child, options.readinessTimeoutMs ?? 60_000, recentOutput);
  } catch (error) {
    await stop();
    throw error;
  }
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    address,
    namespace,
    uiUrl: uiPort ? `http://${ip}:${uiPort}` : undefined,
    dbFile,
    binary,
    stop,
    kill,
  };
}

function captureTail(child: ChildProcess): () => string {
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => tail.trim();
}

async function waitUntilServing(
  address: string,
  child: ChildProcess,
  timeoutMs: number,
  recentOutput: () => string,
): Promise<void> {
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `exited with ${signal ?? code}`));
  child.once('error', (error) => (exited = `could not start: ${error.message}`));
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`Temporal dev server ${exited}. Output:\n${recentOutput()}`);
    try {
      // A subchannel of its own: one shared with a client that saw the server down waits out that client's backoff.
      const connection = await Connection.connect({
        address,
        connectTimeout: 1_000,
        channelArgs: { 'grpc.use_local_subchannel_pool': 1 },
      });
      try {
        const health = await connection.healthService.check({});
        // 1 = SERVING in grpc.health.v1.
        if (health.status === 1) return;
        lastError = `health status ${health.status}`;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await delay(HEALTH_POLL_MS);
  }
  throw new Error(
    `Temporal dev server at ${address} was not serving after ${timeoutMs} ms (${lastError}). Output:\n${recentOutput()}`,
  );
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const forced = delay(10_000).then(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await Promise.race([exited, forced]);
  await exited;
}

async function startSdkManagedDevServer(
  binary: ResolvedTemporalBinary,
  options: DevServerOptions,
): Promise<RunningDevServer> {
  // Only reached without a local binary; @temporalio/testing is then needed to download one.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        namespace: options.namespace ?? 'default',
        ...(options.port ? { port: options.port } : {}),
        ...(options.ui ? { ui: true, ...(options.uiPort ? { uiPort: options.uiPort } : {}) } : {}),
        ...(options.dbFile ? { dbFilename: options.dbFile } : {}),
        searchAttributes: [...cutoverSearchAttributes],
        extraArgs: SQLITE_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]),
      },
    });
    return {
      address: env.address,
      namespace: env.namespace ?? 'default',
      uiUrl: undefined,
      dbFile: options.dbFile,
      binary,
      stop: () => env.teardown(),
      // The SDK owns this server's process; tearing it down is the hardest stop available.
      kill: () => env.teardown(),
    };
  } catch (error) {
    throw explainSdkDownloadFailure('cli', binary, error);
  }
}
