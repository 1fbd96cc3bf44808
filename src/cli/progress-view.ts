import { MultiBar, type SingleBar } from 'cli-progress';
import type { ItemStatus, MigrationProgress } from '../workflows/migration/messages';

/** Statuses an item does not leave on its own: what the pace and the time left count. */
const SETTLED: ReadonlySet<ItemStatus> = new Set([
  'skipped',
  'verified',
  'failed',
  'v1-removed',
  'rolled-back',
]);
const SHOWN: readonly ItemStatus[] = [
  'migrating',
  'verified',
  'v1-removed',
  'failed',
  'rolled-back',
  'skipped',
];
/** A pipe or a CI log gets a sandbox's line again only when it changed, and at most this often. */
const PLAIN_LINE_EVERY_MS = 10_000;

export interface SandboxStanding {
  sandbox: string;
  total: number;
  settled: number;
  counts: Map<ItemStatus, number>;
}

export function standingsOf(progress: MigrationProgress): SandboxStanding[] {
  const bySandbox = new Map<string, SandboxStanding>();
  for (const item of progress.items) {
    const standing = bySandbox.get(item.sandbox) ?? {
      sandbox: item.sandbox,
      total: 0,
      settled: 0,
      counts: new Map(),
    };
    standing.total += 1;
    if (SETTLED.has(item.status)) standing.settled += 1;
    standing.counts.set(item.status, (standing.counts.get(item.status) ?? 0) + 1);
    bySandbox.set(item.sandbox, standing);
  }
  return [...bySandbox.values()];
}

/** Items per minute from the first sight of a sandbox, and the time left at that pace. */
export class Pace {
  private readonly first = new Map<string, { at: number; settled: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  observe(standing: SandboxStanding): { perMinute?: number; leftMs?: number } {
    const now = this.now();
    const first = this.first.get(standing.sandbox);
    if (!first) {
      this.first.set(standing.sandbox, { at: now, settled: standing.settled });
      return {};
    }
    const minutes = (now - first.at) / 60_000;
    const settled = standing.settled - first.settled;
    if (minutes <= 0 || settled <= 0) return {};
    const perMinute = settled / minutes;
    return { perMinute, leftMs: ((standing.total - standing.settled) / perMinute) * 60_000 };
  }
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}

/** One sandbox in a line: settled of total, counts per status, pace, time left. */
export function sandboxLine(
  standing: SandboxStanding,
  pace: { perMinute?: number; leftMs?: number },
): string {
  const counts = SHOWN.flatMap((status) => {
    const count = standing.counts.get(status);
    return count ? [`${count} ${status}`] : [];
  });
  const speed =
    pace.perMinute === undefined
      ? ''
      : ` · ${pace.perMinute.toFixed(pace.perMinute < 10 ? 1 : 0)}/min` +
        (standing.settled < standing.total && pace.leftMs !== undefined
          ? ` · ~${duration(pace.leftMs)} left`
          : '');
  return `${standing.settled}/${standing.total} settled · ${counts.join(', ') || 'planned'}${speed}`;
}

export interface ProgressView {
  update(progress: MigrationProgress): void;
  /** Leaves the last state on screen. */
  stop(): void;
}

/**
 * What `cutover <kind> run` and `status --follow` show while a run goes on:
 * in a terminal, a phase line and one line per sandbox that redraw in place
 * (cli-progress); in a pipe or a CI log, plain lines when something changed.
 */
export function progressView(
  phaseText: (progress: MigrationProgress) => string = (progress) => progress.phase,
  stream: NodeJS.WriteStream = process.stdout,
  now: () => number = Date.now,
): ProgressView {
  return stream.isTTY ? terminalView(phaseText, stream, now) : plainView(phaseText, stream, now);
}

type PhaseText = (progress: MigrationProgress) => string;

function terminalView(phaseText: PhaseText, stream: NodeJS.WriteStream, now: () => number): ProgressView {
  const bars = new MultiBar(
    {
      stream,
      format: '{label} {bar} {line}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
      emptyOnZero: true,
    },
    { format: '', barCompleteChar: '█', barIncompleteChar: '░' },
  );
  const phase = bars.create(0, 0, { label: 'phase', line: '' }, { format: '{label}   {line}' });
  const rows = new Map<string, SingleBar>();
  const pace = new Pace(now);
  let stopped = false;
  return {
    update(progress) {
      if (stopped) return;
      phase.update(0, { label: 'phase', line: phaseText(progress) });
      for (const standing of standingsOf(progress)) {
        const row =
          rows.get(standing.sandbox) ??
          bars.create(standing.total, 0, { label: standing.sandbox.padEnd(10), line: '' });
        rows.set(standing.sandbox, row);
        row.setTotal(standing.total);
        row.update(standing.settled, {
          label: standing.sandbox.padEnd(10),
          line: sandboxLine(standing, pace.observe(standing)),
        });
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bars.stop();
    },
  };
}

function plainView(phaseText: PhaseText, stream: NodeJS.WriteStream, now: () => number): ProgressView {
  const pace = new Pace(now);
  const printed = new Map<string, { line: string; at: number }>();
  const print = (key: string, line: string, force = false) => {
    const last = printed.get(key);
    if (last?.line === line || (!force && last && now() - last.at < PLAIN_LINE_EVERY_MS)) return;
    printed.set(key, { line, at: now() });
    stream.write(`[${new Date(now()).toISOString().slice(11, 19)}] ${key}: ${line}\n`);
  };
  return {
    update(progress) {
      print('phase', phaseText(progress), true);
      for (const standing of standingsOf(progress)) {
        const line = sandboxLine(standing, pace.observe(standing));
        // The last line of a sandbox always gets out: a finished sandbox is news.
        print(standing.sandbox, line, standing.settled === standing.total);
      }
    },
    stop: () => undefined,
  };
}
