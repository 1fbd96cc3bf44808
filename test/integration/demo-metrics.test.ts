/**
 * The demo's worker exports cutover's own metrics beside the SDK's: scraped
 * after the demo's runs, every kind's items, the invitations and the
 * ingestion windows are there with non-zero values, and no label names an
 * organisation or a person.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/project-root';
import { freePort } from '../../src/temporal/free-port';
import { CUTOVER_METRICS } from '../../src/visibility/metrics';
import { waitFor } from '../support/wait-for';

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of one metric in Prometheus' text format. */
function samplesOf(exposition: string, name: string): Sample[] {
  return exposition.split('\n').flatMap((line) => {
    const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (match?.[1] !== name) return [];
    const labels = Object.fromEntries(
      [...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key!, value!]),
    );
    return [{ labels, value: Number(match[3]) }];
  });
}

const total = (samples: Sample[], labels: Record<string, string>) =>
  samples
    .filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);

describe('the demo worker', () => {
  it('exports cutover metrics with non-zero values after the demo run', async () => {
    const [port, uiPort, simulatorPort, metricsPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const demo = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(projectRoot, 'src', 'cli', 'main.ts'),
        'demo',
        ...['--port', `${port}`, '--ui-port', `${uiPort}`],
        ...['--simulator-port', `${simulatorPort}`, '--metrics-port', `${metricsPort}`],
      ],
      { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => demo.on('exit', resolve));
    try {
      await waitFor(() => output.includes('Press Ctrl-C'), {
        timeoutMs: 150_000,
        what: `the demo to finish its runs; output so far:\n${output}`,
      });
      expect(output).toContain(`Prometheus metrics: http://127.0.0.1:${metricsPort}/metrics`);
      const exposition = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

      const items = samplesOf(exposition, CUTOVER_METRICS.items.name);
      for (const kind of ['sfmc', 'marketo']) {
        expect(total(items, { kind, status: 'verified' }), `${kind} verified`).toBeGreaterThan(0);
        expect(total(items, { kind, status: 'v1-removed' }), `${kind} cut over`).toBeGreaterThan(0);
        expect(total(items, { kind, status: 'failed' }), `${kind} failed`).toBe(0);
      }
      const standing = samplesOf(exposition, CUTOVER_METRICS.runItems.name);
      expect(total(standing, { kind: 'sfmc', status: 'v1-removed' })).toBe(
        total(items, { kind: 'sfmc', status: 'v1-removed' }),
      );
      expect(
        total(samplesOf(exposition, CUTOVER_METRICS.invitations.name), { status: 'invited' }),
      ).toBeGreaterThan(0);
      expect(
        total(samplesOf(exposition, CUTOVER_METRICS.ingestionWindows.name), { status: 'success' }),
      ).toBeGreaterThan(0);

      const labelValues = exposition
        .split('\n')
        .filter((line) => line.startsWith('cutover_'))
        .join('\n');
      expect(labelValues).not.toMatch(/@/);
    } finally {
      demo.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  }, 200_000);
});
