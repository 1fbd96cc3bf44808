import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** A long-running process of the cluster, its output appended to a log file, that can be killed and started again. */
export class ClusterProcess {
  private child: ChildProcess | undefined;
  private starts = 0;
  private peakRssKb = 0;
  private sampler: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly options: { env?: NodeJS.ProcessEnv; cwd?: string; log: string },
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null);
  }

  start(): this {
    const out = fs.openSync(this.options.log, 'a');
    this.starts += 1;
    fs.appendFileSync(
      this.options.log,
      `\n--- ${this.name} start #${this.starts} at ${new Date().toISOString()}\n`,
    );
    this.child = spawn(this.command, this.args, {
      cwd: this.options.cwd,
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', out, out],
    });
    fs.closeSync(out);
    this.sampler ??= setInterval(() => this.sampleRss(), 1_000).unref();
    return this;
  }

  /** The most resident memory any of its starts held, in MB (Linux; 0 elsewhere). */
  get peakRssMb(): number {
    return Math.round(this.peakRssKb / 1024);
  }

  private sampleRss(): void {
    if (!this.running) return;
    try {
      const status = fs.readFileSync(`/proc/${this.child!.pid}/status`, 'utf8');
      this.peakRssKb = Math.max(this.peakRssKb, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {
      // Gone between the check and the read, or no /proc.
    }
  }

  /** SIGKILL: no drain, no goodbye, as a crashed machine leaves it. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** SIGTERM, as a deploy stops it; SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 45_000): Promise<void> {
    await Promise.race([this.signal('SIGTERM'), delay(graceMs)]);
    await this.kill();
  }

  /** Sends `signal` and resolves once the process has exited; at once when it is not running. */
  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  /** Why it exited, as its log's last error says it, and where the log is: for a failure message CI prints. */
  exitReport(): string {
    const log = fs.readFileSync(this.options.log, 'utf8');
    const lines = log.slice(log.lastIndexOf(`--- ${this.name} start #`)).split('\n');
    const reasons = lines.flatMap((line) => {
      if (line.startsWith('Unable to ')) return [line];
      const error = /"level":"(?:error|fatal)".*?"error":"((?:[^"\\]|\\.)*)"/.exec(line);
      return error ? [error[1]!] : [];
    });
    const reason = reasons.at(-1)?.slice(0, 400) ?? 'no error in its log';
    return `${this.name} exited (${reason}); see ${this.options.log}`;
  }

  /** Resolves once the log holds `text` after the latest start; fails if the process exits first. */
  async waitForLog(text: string, timeoutMs = 120_000): Promise<void> {
    const marker = `--- ${this.name} start #${this.starts} at`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const log = fs.readFileSync(this.options.log, 'utf8');
      if (log.slice(log.lastIndexOf(marker)).includes(text)) return;
      if (!this.running) throw new Error(`${this.name} exited before "${text}"; see ${this.options.log}`);
      if (Date.now() > deadline)
        throw new Error(`${this.name} did not log "${text}" within ${timeoutMs} ms; see ${this.options.log}`);
      await delay(250);
    }
  }
}
