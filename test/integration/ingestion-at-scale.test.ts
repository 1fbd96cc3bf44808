/**
 * Ingestion at any scale keeps every history small: a year of hourly windows
 * backfilled over the demo's dataflows, and a scheduled run catching up a day
 * over a thousand dataflows, each complete, in order and gap-free, with no
 * history past Temporal's 10,240-event warning and no payload near its 2 MB
 * limit. On the time-skipping server (no schedules there: the runs are
 * started as a schedule would start them).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import type { CutoverConfig } from '../../src/config/schema';
import { ingestionSettingsFor } from '../../src/runs/ingestion';
import type { RunningSimulator } from '../../src/simulator/server';
import {
  ingestionBackfillWorkflow,
  ingestionGroupWorkflow,
  scheduledIngestionWorkflow,
} from '../../src/workflows/ingestion/ingestion';
import {
  ingestionProgressQuery,
  type IngestionFlow,
  type IngestionProgress,
} from '../../src/workflows/ingestion/messages';
import { adminPut, rawSimulatorConfig } from '../support/cutover-config';
import { cutoverTestWorker } from '../support/cutover-worker';
import { runHistories } from '../support/run-histories';
import { flowServiceState } from '../support/simulator-state';
import { demoAdobeClients, useSimulator } from '../support/simulator';
import { timeSkippingEnvironment, useTemporalEnvironment } from '../support/temporal-env';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment(timeSkippingEnvironment);
const HOUR = 3600;
const HISTORY_WARNING = 10_240;
const ONE_MEGABYTE = 1024 * 1024;

/** A simulator for the file's tests in a describe block, its runs done as soon as they start. */
function useInstantRuns(options: Parameters<typeof useSimulator>[0] = {}) {
  const simulator = useSimulator(options);
  beforeAll(() => adminPut(simulator(), '/__admin/flow-service/settings', { runDurationMs: 0 }));
  return simulator;
}

/** The demo's prod dataflows of these names. */
function demoFlows(simulator: RunningSimulator, names: string[]): IngestionFlow[] {
  const flows = flowServiceState(simulator, 'prod').flows;
  return names.map((name) => ({
    sandbox: 'prod',
    flowId: String(flows.find((candidate) => candidate.name === name)!.id),
    name,
  }));
}

function configFor(simulator: RunningSimulator, taskQueue: string): CutoverConfig {
  const raw = rawSimulatorConfig(simulator, taskQueue);
  return parseConfig(
    {
      ...raw,
      // The simulator enforces no quota here; the client's own pace would make this a test of patience.
      adobe: { ...raw.adobe, rateLimit: { requestsPerSecond: 100_000, burst: 100 } },
      ingestion: {
        schedules: [
          {
            name: 'at-scale',
            flows: { sandbox: 'prod' },
            interval: '1 hour',
            // The simulator answers in this test's own process: a thousand calls at once would starve
            // it on a loaded machine until they time out, which no real rate limit lets happen.
            concurrency: 100,
          },
        ],
      },
    },
    'scale.yaml',
  );
}

/** The successful on-demand windows of each flow, oldest run first. */
function windowsByFlow(simulator: RunningSimulator): Map<string, Array<{ start: number; end: number }>> {
  const byFlow = new Map<string, Array<{ start: number; end: number }>>();
  const runs = flowServiceState(simulator, 'prod').runs.filter(
    (run) => (run.params as { windowStartTime?: number })?.windowStartTime !== undefined,
  );
  for (const run of runs.sort((a, b) => a.createdAt - b.createdAt)) {
    const params = run.params as { windowStartTime: number; windowEndTime: number };
    if ((run._plan as { outcome: string }).outcome !== 'success') continue;
    const windows = byFlow.get(String(run.flowId)) ?? [];
    windows.push({ start: params.windowStartTime, end: params.windowEndTime });
    byFlow.set(String(run.flowId), windows);
  }
  return byFlow;
}

/** Each flow's windows, hour after hour from `from` to `to`, each exactly once. */
function expectContiguous(
  windows: Array<{ start: number; end: number }> | undefined,
  from: number,
  to: number,
) {
  const hours = (to - from) / HOUR;
  expect(windows?.length).toBe(hours);
  const gaps = (windows ?? []).filter(
    (window, index) => window.start !== from + index * HOUR || window.end !== window.start + HOUR,
  );
  expect(gaps).toEqual([]);
}

async function expectSmallHistories(workflowId: string) {
  const histories = await runHistories(env().client, workflowId);
  console.log(histories.map((history) => `${history.workflowType} ${history.events} events`).join(', '));
  const largest = Math.max(...histories.map((history) => history.events));
  const largestPayload = Math.max(...histories.map((history) => history.largestPayloadBytes));
  console.log(
    `[ingestion at scale] ${workflowId}: ${histories.length} histories, largest ${largest} events, largest payload ${largestPayload} bytes`,
  );
  expect(largest).toBeLessThanOrEqual(HISTORY_WARNING);
  expect(largestPayload).toBeLessThan(ONE_MEGABYTE);
  return histories;
}

describe('a year of hourly windows backfilled over the demo dataflows', () => {
  const simulator = useInstantRuns();

  it('ingests every window once, in order, with every history under the warning', async () => {
    const taskQueue = uniqueTaskQueue('backfill-year');
    const config = configFor(simulator(), taskQueue);
    // The dataflows the demo migrates in prod, which its ingestion schedule then covers.
    const flows = demoFlows(simulator(), ['SFMC Subscriber to AEP', 'SFMC Campaign to AEP']);
    const from = Date.parse('2025-01-01T00:00:00Z') / 1000;
    const to = Date.parse('2026-01-01T00:00:00Z') / 1000;
    const settings = ingestionSettingsFor(config.ingestion!.schedules[0]!, flows);
    const worker = await cutoverTestWorker(env(), config);
    const handle = await env().client.workflow.start(ingestionBackfillWorkflow, {
      taskQueue,
      workflowId: `backfill-year-${taskQueue}`,
      args: [{ ...settings, useSearchAttributes: false, from, to }],
    });
    const progress = (await worker.runUntil(handle.result())) as IngestionProgress;

    const hours = (to - from) / HOUR;
    expect(hours).toBe(8760);
    expect(progress).toMatchObject({
      status: 'success',
      dataflows: flows.length,
      windows: { planned: hours * flows.length, succeeded: hours * flows.length, failed: 0 },
      failures: [],
    });
    const windows = windowsByFlow(simulator());
    for (const flow of flows) expectContiguous(windows.get(flow.flowId), from, to);
    await expectSmallHistories(handle.workflowId);
  }, 600_000);
});

describe('a scheduled run catching up a day over a thousand dataflows', () => {
  const simulator = useInstantRuns({ seed: { profile: 'large', sandboxes: 1, flowsPerSandbox: 1000 } });

  it('ingests 24 windows of each flow from where it stood, with every history under the warning', async () => {
    const taskQueue = uniqueTaskQueue('catch-up');
    const config = configFor(simulator(), taskQueue);
    const flows: IngestionFlow[] = flowServiceState(simulator(), 'prod')
      .flows.filter((flow) => String(flow.name).startsWith('SFMC '))
      .map((flow) => ({ sandbox: 'prod', flowId: String(flow.id) }));
    expect(flows).toHaveLength(1000);
    // Every flow was last ingested 30 windows ago; a run ingests at most 24 (maxWindowsPerRun), so the
    // 24 it takes do not depend on which hour the run starts in.
    const stood = Math.floor(Date.now() / 1000 / HOUR) * HOUR - 30 * HOUR;
    const flowService = demoAdobeClients(simulator(), 'prod').flowService;
    for (const flow of flows)
      await flowService.createRun({
        flowId: flow.flowId,
        params: { startTime: stood, windowStartTime: stood - HOUR, windowEndTime: stood },
      });
    const settings = ingestionSettingsFor(config.ingestion!.schedules[0]!, flows);
    const worker = await cutoverTestWorker(env(), config);
    const handle = await env().client.workflow.start(scheduledIngestionWorkflow, {
      taskQueue,
      workflowId: `catch-up-${taskQueue}`,
      args: [{ ...settings, useSearchAttributes: false }],
    });
    const progress = (await worker.runUntil(handle.result())) as IngestionProgress;

    expect(progress).toMatchObject({
      status: 'success',
      dataflows: 1000,
      windows: { planned: 24_000, succeeded: 24_000, failed: 0, flowsDone: 1000 },
    });
    const windows = windowsByFlow(simulator());
    for (const flow of flows) expectContiguous(windows.get(flow.flowId)?.slice(1), stood, stood + 24 * HOUR);
    const histories = await expectSmallHistories(handle.workflowId);
    expect(histories.filter((history) => history.workflowType === 'ingestionGroupWorkflow')).toHaveLength(10);
  }, 600_000);
});

describe('a group of flows whose history fills up', () => {
  const simulator = useInstantRuns();

  it('continues as new with where each flow stands: in order, no gap, a failed window stops only its flow, a lost answer starts no second run', async () => {
    const taskQueue = uniqueTaskQueue('group-continues');
    const config = configFor(simulator(), taskQueue);
    const [a, b] = demoFlows(simulator(), ['SFMC Subscriber to AEP', 'SFMC Campaign to AEP']) as [
      IngestionFlow,
      IngestionFlow,
    ];
    // Flow A's 501st window fails all three attempts; one create's answer is lost on the way.
    await adminPut(simulator(), `/__admin/flow-service/flows/${a.flowId}/fail-next-runs`, {
      count: 3,
      skip: 500,
    });
    simulator().faults.configure({
      script: [{ kind: 'drop-after-commit', method: 'POST', pathMatches: '/flowservice/runs$', skip: 700 }],
    });
    const from = Date.parse('2025-01-01T00:00:00Z') / 1000;
    const to = from + 1000 * HOUR;
    const worker = await cutoverTestWorker(env(), config);
    const handle = await env().client.workflow.start(ingestionGroupWorkflow, {
      taskQueue,
      workflowId: `group-${taskQueue}`,
      args: [
        {
          // Reports to a run that does not exist are dropped; the group's result says it all.
          runWorkflowId: `no-such-run-${taskQueue}`,
          schedule: 'continues',
          group: 0,
          flows: [a, b],
          windowSeconds: HOUR,
          attemptsPerWindow: 3,
          runTimeoutMs: 60_000,
          lanes: 2,
          reportEvery: 50,
          backfill: { range: { from, to }, notBefore: Date.now() },
          historyBudget: 40,
        },
      ],
    });
    const tally = await worker.runUntil(handle.result());
    simulator().faults.configure({});

    expect(tally).toMatchObject({ planned: 2000, succeeded: 1500, failed: 1, flowsDone: 2 });
    expect(tally.failures).toEqual([
      expect.objectContaining({ flowId: a.flowId, start: from + 500 * HOUR, attempts: 3 }),
    ]);
    const windows = windowsByFlow(simulator());
    expectContiguous(windows.get(a.flowId), from, from + 500 * HOUR);
    expectContiguous(windows.get(b.flowId), from, to);
    // Every window had one run, A's failed window three: the lost answer's run was found again.
    const made = flowServiceState(simulator(), 'prod').runs.filter(
      (run) => (run.params as { windowStartTime?: number })?.windowStartTime !== undefined,
    );
    expect(made).toHaveLength(500 + 3 + 1000);
    const histories = await runHistories(env().client, handle.workflowId, handle.firstExecutionRunId);
    expect(histories.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...histories.map((history) => history.events))).toBeLessThan(100);
  }, 300_000);
});

describe('a dataflow that cannot be ingested', () => {
  const simulator = useInstantRuns();

  it('stops only that flow, at its first window, saying why; the others are ingested', async () => {
    const taskQueue = uniqueTaskQueue('flow-gone');
    const config = configFor(simulator(), taskQueue);
    const [flow] = demoFlows(simulator(), ['SFMC Subscriber to AEP']) as [IngestionFlow];
    const gone = '00000000-0000-4000-8000-000000000000';
    const flows: IngestionFlow[] = [flow, { sandbox: 'prod', flowId: gone, name: 'deleted in the UI' }];
    const from = Date.parse('2025-01-01T00:00:00Z') / 1000;
    const to = from + 6 * HOUR;
    const worker = await cutoverTestWorker(env(), config);
    const handle = await env().client.workflow.start(ingestionBackfillWorkflow, {
      taskQueue,
      workflowId: `flow-gone-${taskQueue}`,
      args: [
        {
          ...ingestionSettingsFor(config.ingestion!.schedules[0]!, flows),
          useSearchAttributes: false,
          from,
          to,
        },
      ],
    });
    // A worker answers the finished run's query from its history.
    const { failure, progress } = await worker.runUntil(async () => ({
      failure: await handle.result().then(
        () => undefined,
        (error: Error) => error,
      ),
      progress: await handle.query(ingestionProgressQuery),
    }));
    expect(String((failure?.cause as Error | undefined)?.message)).toMatch(
      new RegExp(
        `^Ingestion for at-scale failed: 1 window\\(s\\) failed: deleted in the UI 2025-01-01T00:00:00.000Z: .*${gone}`,
      ),
    );
    expect(progress).toMatchObject({
      status: 'failed',
      windows: { planned: 12, succeeded: 6, failed: 1, flowsDone: 2 },
      failures: [{ flowId: gone, start: from, attempts: 1 }],
    });
    expectContiguous(windowsByFlow(simulator()).get(flow.flowId), from, to);
  }, 120_000);
});
