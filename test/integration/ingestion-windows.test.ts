/**
 * How scheduled ingestion walks a backlog of windows, each scripted exactly:
 * a failed window stops its flow there and is the next run's first window,
 * `maxWindowsPerRun` caps a run, a retried start reuses its run, and the
 * overlap policy skips a start while a run is still going. Runs are started
 * through the CLI (`ingestion schedule create|trigger|backfill`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { parseConfig } from '../../src/config/load';
import type { CutoverConfig } from '../../src/config/schema';
import { windowEndAt } from '../../src/domain/ingestion/windows';
import { scheduleIdOf } from '../../src/workflows/ingestion/messages';
import type { IngestionProgress } from '../../src/workflows/ingestion/messages';
import { TEST_SECRETS, adminPut, rawSimulatorConfig } from '../support/cutover-config';
import { runCli } from '../support/cli';
import { cutoverTestWorker } from '../support/cutover-worker';
import { expectCleanHistory } from '../support/history-checks';
import { committedCreates, flowServiceState } from '../support/simulator-state';
import { collect, demoAdobeClients, useFreshDemoSimulator } from '../support/simulator';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();
const simulator = useFreshDemoSimulator();
const HOUR = 3600;

beforeEach(() => {
  for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
});
afterEach(() => vi.unstubAllEnvs());

interface Setup {
  name: string;
  flowId: string;
  config: CutoverConfig;
  file: string;
  worker: Worker;
}

/** A paused hourly schedule over the demo's Subscriber dataflow, written to a config file the CLI reads. */
async function setUp(prefix: string, schedule: Record<string, unknown> = {}): Promise<Setup> {
  const taskQueue = uniqueTaskQueue(prefix);
  const flowId = flowServiceState(simulator(), 'prod').flows.find(
    (flow) => flow.name === 'SFMC Subscriber to AEP',
  )!.id;
  const name = `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
  const base = rawSimulatorConfig(simulator(), taskQueue);
  const raw = {
    ...base,
    temporal: { ...base.temporal, address: env().address },
    ingestion: {
      schedules: [
        {
          name,
          flows: { sandbox: 'prod', flowIds: [flowId] },
          interval: '1 hour',
          paused: true,
          ...schedule,
        },
      ],
    },
  };
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-ingestion-')), 'cutover.yaml');
  fs.writeFileSync(file, YAML.stringify(raw));
  const config = parseConfig(raw, file);
  return { name, flowId, config, file, worker: await cutoverTestWorker(env(), config) };
}

/** The flow's last successful on-demand window ends `hoursBehind` hours before the current one closes. */
async function ingestedUpTo(flowId: string, hoursBehind: number): Promise<number> {
  const end = windowEndAt(Math.floor(Date.now() / 1000), HOUR) - hoursBehind * HOUR;
  await demoAdobeClients(simulator(), 'prod').flowService.createRun({
    flowId,
    params: { startTime: end, windowStartTime: end - HOUR, windowEndTime: end },
  });
  return end;
}

/** On-demand runs of the flow, oldest first: window and outcome. */
function windowRuns(flowId: string) {
  return flowServiceState(simulator(), 'prod')
    .runs.filter(
      (run) => run.flowId === flowId && (run.params as { windowStartTime?: number })?.windowStartTime,
    )
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((run) => ({
      start: (run.params as { windowStartTime: number }).windowStartTime,
      outcome: (run._plan as { outcome: string }).outcome,
    }));
}

async function cli(setup: Setup, ...argv: string[]) {
  const result = await runCli(['ingestion', ...argv, '--config', setup.file]);
  expect(result.err, argv.join(' ')).toBe('');
  expect(result.code, argv.join(' ')).toBe(0);
  return result.out;
}

/** Triggers the schedule through the CLI and waits for the run it started. */
async function triggerAndWait(
  setup: Setup,
): Promise<{ workflowId: string; outcome: IngestionProgress | Error }> {
  const schedule = env().client.schedule.getHandle(scheduleIdOf(setup.name));
  const before = (await schedule.describe()).info.recentActions.length;
  await cli(setup, 'schedule', 'trigger', '--name', setup.name);
  const action = await waitFor(async () => (await schedule.describe()).info.recentActions[before], {
    what: 'the triggered run',
  });
  const { workflowId } = action.action.workflow;
  const outcome = await env()
    .client.workflow.getHandle<() => Promise<IngestionProgress>>(workflowId)
    .result()
    .catch((error: Error) => error);
  return { workflowId, outcome };
}

describe('ingestion of a backlog of windows', () => {
  it('stops a flow at a failed window inside the backlog, and the next run starts from that window', async () => {
    // At most two windows a run: the windows a run takes do not move if an hour turns while the test runs.
    const setup = await setUp('backlog', { attemptsPerWindow: 2, maxWindowsPerRun: 2 });
    const from = await ingestedUpTo(setup.flowId, 3);
    await setup.worker.runUntil(async () => {
      expect(await cli(setup, 'schedule', 'create', '--name', setup.name)).toContain(
        scheduleIdOf(setup.name),
      );
      // The first window of the backlog succeeds, then both attempts at the second one fail.
      await adminPut(simulator(), `/__admin/flow-service/flows/${setup.flowId}/fail-next-runs`, {
        count: 2,
        skip: 1,
      });
      const first = await triggerAndWait(setup);
      expect(first.outcome).toBeInstanceOf(Error);
      expect(windowRuns(setup.flowId).slice(1)).toEqual([
        { start: from, outcome: 'success' },
        { start: from + HOUR, outcome: 'failed' },
        { start: from + HOUR, outcome: 'failed' },
      ]);
      await expectCleanHistory(env().client, first.workflowId);
      // describe tells where the latest run stands: counts, and the window that stopped the flow, why.
      const described = await cli(setup, 'schedule', 'describe', '--name', setup.name);
      expect(described).toContain(
        `latest run ${first.workflowId}: failed: 1 of 2 window(s) ingested over 1 dataflow(s)`,
      );
      expect(described).toMatch(
        new RegExp(
          `  failed: prod SFMC Subscriber to AEP ${new Date((from + HOUR) * 1000).toISOString()} after 2 attempt\\(s\\): run \\S+ failed: CONNECTOR-2001-500`,
        ),
      );

      const second = await triggerAndWait(setup);
      expect((second.outcome as IngestionProgress).status).toBe('success');
      expect(windowRuns(setup.flowId).slice(4)).toEqual([
        { start: from + HOUR, outcome: 'success' },
        { start: from + 2 * HOUR, outcome: 'success' },
      ]);
    });
    await env().client.schedule.getHandle(scheduleIdOf(setup.name)).delete();
  });

  it('ingests at most maxWindowsPerRun windows per run, oldest first, and leaves the rest to the next run', async () => {
    const setup = await setUp('max-windows', { maxWindowsPerRun: 2 });
    const from = await ingestedUpTo(setup.flowId, 5);
    await setup.worker.runUntil(async () => {
      await cli(setup, 'schedule', 'create', '--name', setup.name);
      const first = await triggerAndWait(setup);
      expect((first.outcome as IngestionProgress).windows).toMatchObject({ planned: 2, succeeded: 2 });
      expect(windowRuns(setup.flowId).slice(1)).toEqual([
        { start: from, outcome: 'success' },
        { start: from + HOUR, outcome: 'success' },
      ]);
      const second = await triggerAndWait(setup);
      expect((second.outcome as IngestionProgress).windows).toMatchObject({ planned: 2, succeeded: 2 });
      expect(windowRuns(setup.flowId).slice(3)).toEqual([
        { start: from + 2 * HOUR, outcome: 'success' },
        { start: from + 3 * HOUR, outcome: 'success' },
      ]);
    });
    await env().client.schedule.getHandle(scheduleIdOf(setup.name)).delete();
  });

  it('reuses the run a start lost the answer of, even while the runs list lags behind', async () => {
    const setup = await setUp('lost-start', { maxWindowsPerRun: 2 });
    const from = await ingestedUpTo(setup.flowId, 2);
    simulator().faults.configure({
      listVisibilityDelayMs: 1_500,
      script: [{ kind: 'drop-after-commit', method: 'POST', pathMatches: '/flowservice/runs$' }],
    });
    const before = committedCreates(simulator(), '/flowservice/runs');
    // The run recording what was ingested so far must be visible to the run about to start.
    await waitFor(
      async () =>
        (await collect(demoAdobeClients(simulator(), 'prod').flowService.listRuns(setup.flowId))).some(
          (run) => run.params?.windowEndTime === from,
        ),
      { what: 'the ingested run to show in lists' },
    );
    await setup.worker.runUntil(async () => {
      await cli(setup, 'schedule', 'create', '--name', setup.name);
      const run = await triggerAndWait(setup);
      expect((run.outcome as IngestionProgress).status).toBe('success');
    });
    simulator().faults.configure({});
    // Two windows, two runs: the lost answer's run was found again, not started twice.
    expect(committedCreates(simulator(), '/flowservice/runs') - before).toBe(2);
    expect(windowRuns(setup.flowId).slice(1)).toEqual([
      { start: from, outcome: 'success' },
      { start: from + HOUR, outcome: 'success' },
    ]);
    await env().client.schedule.getHandle(scheduleIdOf(setup.name)).delete();
  });

  it('backfills a period through the CLI, window by window', async () => {
    const setup = await setUp('cli-backfill');
    await setup.worker.runUntil(async () => {
      await cli(setup, 'schedule', 'create', '--name', setup.name);
      const out = await cli(
        setup,
        'schedule',
        'backfill',
        '--name',
        setup.name,
        '--from',
        '2026-11-01T00:00:00Z',
        '--to',
        '2026-11-01T03:00:00Z',
      );
      // The CLI follows the backfill to its end.
      const workflowId = /Backfill (\S+) started/.exec(out)?.[1];
      expect(workflowId, out).toBe(
        `${scheduleIdOf(setup.name)}/backfill/2026-11-01T00:00:00.000Z/2026-11-01T03:00:00.000Z`,
      );
      await expectCleanHistory(env().client, workflowId!);
    });
    const start = Date.parse('2026-11-01T00:00:00Z') / 1000;
    expect(windowRuns(setup.flowId)).toEqual(
      [0, 1, 2].map((hour) => ({ start: start + hour * HOUR, outcome: 'success' })),
    );
    await env().client.schedule.getHandle(scheduleIdOf(setup.name)).delete();
  });
});

describe('the overlap policy at run time', () => {
  it('skips a scheduled start while the previous run is still ingesting', async () => {
    await adminPut(simulator(), '/__admin/flow-service/settings', { runDurationMs: 8_000 });
    const setup = await setUp('overlap', { interval: '2 seconds', paused: false });
    const schedule = env().client.schedule.getHandle(scheduleIdOf(setup.name));
    await setup.worker.runUntil(async () => {
      await cli(setup, 'schedule', 'create', '--name', setup.name);
      const skipped = await waitFor(
        async () => {
          const { info } = await schedule.describe();
          return info.numActionsSkippedOverlap >= 2 ? info : undefined;
        },
        { timeoutMs: 30_000, what: 'two starts skipped by the overlap policy' },
      );
      expect(skipped.runningActions.length).toBeLessThanOrEqual(1);
      await schedule.pause('test done');
    });
    // Never two runs of the flow at once: each on-demand run started after the one before finished.
    const runs = flowServiceState(simulator(), 'prod')
      .runs.filter(
        (run) => run.flowId === setup.flowId && (run.params as { windowStartTime?: number })?.windowStartTime,
      )
      .map((run) => run._plan as { startedAt: number; completesAt: number })
      .sort((a, b) => a.startedAt - b.startedAt);
    for (let index = 1; index < runs.length; index += 1)
      expect(runs[index]!.startedAt).toBeGreaterThanOrEqual(runs[index - 1]!.completesAt);
    await schedule.delete();
  });
});
