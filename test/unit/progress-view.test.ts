/**
 * A long run reads well: one line per sandbox with its counts, its pace and
 * the time left, redrawn in a terminal, and plain lines (only when something
 * changed, at most every ten seconds) in a pipe or a CI log.
 */
import { describe, expect, it } from 'vitest';
import { Pace, progressView, sandboxLine, standingsOf } from '../../src/cli/progress-view';
import type { ItemStatus, MigrationProgress } from '../../src/workflows/migration/messages';

function progressWith(
  phase: MigrationProgress['phase'],
  sandboxes: Record<string, Partial<Record<ItemStatus, number>>>,
) {
  const items = Object.entries(sandboxes).flatMap(([sandbox, counts]) =>
    Object.entries(counts).flatMap(([status, count]) =>
      Array.from({ length: count }, (_, index) => ({
        sandbox,
        v1FlowId: `${sandbox}-${status}-${index}`,
        name: 'flow',
        status: status as ItemStatus,
      })),
    ),
  );
  return { phase, items, awaitingApproval: [] } as MigrationProgress;
}

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return {
    written,
    stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream,
  };
}

describe('the progress of a long run', () => {
  it('counts each sandbox apart, settled being everything but planned and migrating', () => {
    const [prod, dev] = standingsOf(
      progressWith('migrating', {
        prod: { planned: 2, migrating: 3, verified: 4, failed: 1 },
        dev: { skipped: 2 },
      }),
    );
    expect(prod).toMatchObject({ sandbox: 'prod', total: 10, settled: 5 });
    expect(dev).toMatchObject({ sandbox: 'dev', total: 2, settled: 2 });
  });

  it('gives items per minute and the time left from the pace since it first saw the sandbox', () => {
    let now = 0;
    const pace = new Pace(() => now);
    const at = (settled: number) => ({ sandbox: 'prod', total: 1000, settled, counts: new Map() });
    expect(pace.observe(at(100))).toEqual({});
    now = 2 * 60_000;
    // 200 more in two minutes: 100 a minute, 700 left, seven minutes.
    expect(pace.observe(at(300))).toEqual({ perMinute: 100, leftMs: 7 * 60_000 });
  });

  it('says it all in one line: settled of total, counts, pace, time left', () => {
    const [standing] = standingsOf(
      progressWith('migrating', { prod: { migrating: 600, verified: 380, failed: 20 } }),
    );
    expect(sandboxLine(standing!, { perMinute: 41, leftMs: 14.6 * 60_000 })).toBe(
      '400/1000 settled · 600 migrating, 380 verified, 20 failed · 41/min · ~15 min left',
    );
    expect(sandboxLine(standing!, {})).toBe('400/1000 settled · 600 migrating, 380 verified, 20 failed');
  });

  it('writes plain lines off a terminal: a sandbox again only when it changed and ten seconds have passed', () => {
    let now = Date.UTC(2026, 0, 1, 12);
    const { stream, written } = fakeStream(false);
    const view = progressView(
      (progress) => progress.phase,
      stream,
      () => now,
    );
    view.update(progressWith('migrating', { prod: { migrating: 10 } }));
    view.update(progressWith('migrating', { prod: { migrating: 10 } }));
    now += 1_000;
    view.update(progressWith('migrating', { prod: { migrating: 9, verified: 1 } }));
    now += 10_000;
    view.update(progressWith('migrating', { prod: { migrating: 9, verified: 1 } }));
    view.update(progressWith('removing-v1', { prod: { 'v1-removed': 10 } }));
    expect(written).toEqual([
      '[12:00:00] phase: migrating\n',
      '[12:00:00] prod: 0/10 settled · 10 migrating\n',
      '[12:00:11] prod: 1/10 settled · 9 migrating, 1 verified · 5.5/min · ~2 min left\n',
      '[12:00:11] phase: removing-v1\n',
      '[12:00:11] prod: 10/10 settled · 10 v1-removed · 55/min\n',
    ]);
    expect(written.join('')).not.toContain('\u001b[');
  });

  it('redraws in place in a terminal, one line per sandbox under the phase', () => {
    const { stream, written } = fakeStream(true);
    Object.assign(stream, {
      columns: 160,
      cursorTo: () => true,
      moveCursor: () => true,
      clearLine: () => true,
      clearScreenDown: () => true,
    });
    const view = progressView((progress) => progress.phase, stream);
    view.update(progressWith('migrating', { prod: { migrating: 2, verified: 2 }, dev: { verified: 1 } }));
    view.stop();
    const screen = written.join('');
    expect(screen).toContain('migrating');
    expect(screen).toMatch(/prod\s+.*2\/4 settled · 2 migrating, 2 verified/);
    expect(screen).toMatch(/dev\s+.*1\/1 settled · 1 verified/);
  });
});
