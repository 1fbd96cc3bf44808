import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

export interface RunAs {
  uid: number;
  gid: number;
}

export interface RunOptions {
  runAs?: RunAs;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to completion and resolves with its stdout; the error carries stdout and stderr. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { ...options.runAs, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message.trim()}\n${stdout}${stderr}`.trim()));
        else resolve(stdout);
      },
    );
  });
}

/** Seconds since `startedAt`, for progress lines. */
export function secondsSince(startedAt: number): string {
  return `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;
}

export function tailOfFile(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface ProcessSpec {
  name: string;
  command: string;
  args: readonly string[];
  logFile: string;
  runAs?: RunAs;
  env?: NodeJS.ProcessEnv;
}

const SIGNALS_THAT_KEEP_IT_ALIVE: readonly NodeJS.Signals[] = ['SIGSTOP', 'SIGCONT', 'SIGTSTP'];
const running = new Set<ChildProcess>();

// A driver that crashes must not leave servers holding ports and data directories.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A long-running child that can be started again after it died, with stdout
 * and stderr appended to one log file across restarts.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<void> = Promise.resolve();
  private lastExit: string | undefined;

  constructor(readonly spec: ProcessSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get logFile(): string {
    return this.spec.logFile;
  }

  get pid(): number | undefined {
    return this.isRunning() ? this.child?.pid : undefined;
  }

  /** How the last run ended (`exit code 1`, `signal SIGKILL`), if it has. */
  get exitReason(): string | undefined {
    return this.isRunning() ? undefined : this.lastExit;
  }

  isRunning(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    if (this.isRunning()) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    const log = fs.openSync(this.spec.logFile, 'a');
    fs.writeSync(log, `\n--- ${new Date().toISOString()} starting ${this.name}\n`);
    const child = spawn(this.spec.command, [...this.spec.args], {
      stdio: ['ignore', log, log],
      env: this.spec.env ?? process.env,
      ...this.spec.runAs,
    });
    fs.closeSync(log);
    this.child = child;
    this.lastExit = undefined;
    running.add(child);
    this.exit = new Promise((resolve) => {
      const settle = (reason: string) => {
        running.delete(child);
        this.lastExit ??= reason;
        resolve();
      };
      child.once('exit', (code, signal) => settle(signal ? `signal ${signal}` : `exit code ${code}`));
      child.once('error', (error) => settle(`spawn failed: ${error.message}`));
    });
  }

  /** Sends `signal`; for signals that end a process, resolves once it has exited. */
  async kill(signal: NodeJS.Signals): Promise<void> {
    if (!this.isRunning()) return;
    this.child?.kill(signal);
    if (!SIGNALS_THAT_KEEP_IT_ALIVE.includes(signal)) await this.exit;
  }

  /** Asks the process to stop with `signal`, and SIGKILLs it after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    if (!this.isRunning()) return;
    this.child?.kill(signal);
    // A stopped (SIGSTOP) process only acts on the signal once it runs again.
    this.child?.kill('SIGCONT');
    const timer = new AbortController();
    const exitedInTime = await Promise.race([
      this.exit.then(() => true),
      delay(graceMs, false, { signal: timer.signal }).catch(() => false),
    ]);
    timer.abort();
    if (!exitedInTime) await this.kill('SIGKILL');
  }
}
