/**
 * Ingestion at scale on a real dev server: `npm run bench:ingestion-scale`.
 *
 * `backfill`: F dataflows re-ingest W hourly windows (`cutover ingestion
 * schedule backfill`). `catch-up`: F dataflows each W windows behind, one
 * scheduled run (a schedule trigger) catches them up. The simulator enforces
 * Experience Platform's rate R and takes D to finish each run. Printed: wall
 * time; the lower bound max(W × (D + one window's own calls), calls / R),
 * since a flow's windows go one after another and every call waits its turn;
 * their ratio; the histories the run wrote (how many, the largest in events,
 * the largest payload); and a plain script (create a window's run, poll it
 * every second, next window) timed on a sample and extrapolated.
 *
 *   npm run bench:ingestion-scale -- [--mode backfill|catch-up] [--flows 5] [--windows 8760] [--rate 20] [--run-ms 0] [--sample 20]
 */
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { createRemoteClients } from '../src/activities/remote-clients';
import { windowEndAt } from '../src/domain/ingestion/windows';
import {
  ingestionSettingsFor,
  startIngestionBackfill,
  syncIngestionSchedules,
  triggerIngestionSchedule,
} from '../src/runs/ingestion';
import type { IngestionFlow, IngestionProgress } from '../src/workflows/ingestion/messages';
import { scheduleIdOf } from '../src/workflows/ingestion/messages';
import { runHistories } from '../test/support/run-histories';
import { BENCH_SECRETS, startBench } from './harness';

const HOUR = 3600;
const SCRIPT_POLL_MS = 1_000;

const argsSchema = z.object({
  mode: z.enum(['backfill', 'catch-up']).default('backfill'),
  flows: z.coerce.number().int().min(1).max(5000).default(5),
  windows: z.coerce.number().int().min(1).default(8760),
  rate: z.coerce.number().positive().default(20),
  'run-ms': z.coerce.number().int().min(0).default(0),
  sample: z.coerce.number().int().min(1).default(20),
});

async function main() {
  const { values } = parseArgs({
    options: Object.fromEntries(Object.keys(argsSchema.shape).map((key) => [key, { type: 'string' }])),
  });
  const args = argsSchema.parse(values);
  const { simulator, config, client, worker, stop } = await startBench({
    seed: { profile: 'large', sandboxes: 1, flowsPerSandbox: Math.max(args.flows, 10) },
    runDurationMs: args['run-ms'],
    taskQueue: 'bench-ingestion-scale',
    sandboxes: ['prod'],
    maxConcurrentActivityTaskExecutions: 200,
    extend: () => ({
      ingestion: {
        schedules: [{ name: 'scale', flows: { sandbox: 'prod' }, interval: '1 hour', paused: true }],
      },
    }),
    rate: args.rate,
  });
  const clients = createRemoteClients(config, BENCH_SECRETS);
  const flowService = clients.flowService('prod');
  const flows: IngestionFlow[] = [];
  for await (const flow of flowService.flows.list())
    if (flow.name.startsWith('SFMC ') && flows.length < args.flows)
      flows.push({ sandbox: 'prod', flowId: flow.id });
  const settings = ingestionSettingsFor(config.ingestion!.schedules[0]!, flows);
  const end = windowEndAt(Math.floor(Date.now() / 1000), HOUR);
  if (args.mode === 'catch-up') {
    const stoodRuns: string[] = [];
    for (const flow of flows) {
      const stood = end - args.windows * HOUR;
      const { id } = await flowService.createRun({
        flowId: flow.flowId,
        params: { startTime: stood, windowStartTime: stood - HOUR, windowEndTime: stood },
      });
      stoodRuns.push(id);
    }
    // A flow stands where its last *successful* run ended: one still going says nothing yet.
    for (const id of stoodRuns) await settled(id);
  }
  const callsBefore = flowServiceCalls();
  const startedAt = Date.now();
  const report = await worker.runUntil(async () => {
    const workflowId = await start();
    const progress = (await client.workflow.getHandle(workflowId).result()) as IngestionProgress;
    const wallMs = Date.now() - startedAt;
    const calls = flowServiceCalls() - callsBefore;
    const histories = await runHistories(client, workflowId);
    return { workflowId, progress, wallMs, calls, histories };
  });
  const sequentialMsPerWindow = await sequentialSample(flows[0]!.flowId);
  const windows = report.progress.windows.succeeded;
  const perWindowCalls = report.calls / Math.max(1, windows);
  const boundMs = Math.max(
    args.windows * (args['run-ms'] + (perWindowCalls * 1000) / args.rate),
    (report.calls / args.rate) * 1000,
  );
  console.log(
    JSON.stringify(
      {
        mode: args.mode,
        flows: flows.length,
        windowsPerFlow: args.windows,
        rate: args.rate,
        runMs: args['run-ms'],
        status: report.progress.status,
        windowsIngested: windows,
        wallSeconds: report.wallMs / 1000,
        flowServiceCalls: report.calls,
        callsPerWindow: Number(perWindowCalls.toFixed(2)),
        lowerBoundSeconds: Number((boundMs / 1000).toFixed(1)),
        wallOverBound: Number((report.wallMs / boundMs).toFixed(2)),
        histories: report.histories.length,
        largestHistoryEvents: Math.max(...report.histories.map((history) => history.events)),
        largestPayloadBytes: Math.max(...report.histories.map((history) => history.largestPayloadBytes)),
        sequentialScriptSeconds: Number(((sequentialMsPerWindow * windows) / 1000).toFixed(0)),
        fasterThanSequential: Number(((sequentialMsPerWindow * windows) / report.wallMs).toFixed(1)),
      },
      null,
      2,
    ),
  );
  await stop();

  function flowServiceCalls(): number {
    return simulator.requests.list().filter((request) => request.module === 'flowService').length;
  }

  async function start(): Promise<string> {
    if (args.mode === 'backfill') {
      const from = new Date((end - args.windows * HOUR) * 1000);
      return (await startIngestionBackfill(client, config, settings, { from, to: new Date(end * 1000) }))
        .workflowId;
    }
    await syncIngestionSchedules(client, config, [settings]);
    const scheduleId = scheduleIdOf(settings.schedule);
    await triggerIngestionSchedule(client, scheduleId);
    for (;;) {
      const [action] = (await client.schedule.getHandle(scheduleId).describe()).info.recentActions;
      if (action) return action.action.workflow.workflowId;
      await delay(200);
    }
  }

  /** A person's script, one window after another: start its run, look every second until it is done. */
  async function sequentialSample(flowId: string): Promise<number> {
    const began = Date.now();
    const from = end - 1000 * HOUR;
    for (let index = 0; index < args.sample; index += 1) {
      const start = from + index * HOUR;
      const { id } = await flowService.createRun({
        flowId,
        params: { startTime: start, windowStartTime: start, windowEndTime: start + HOUR },
      });
      await settled(id);
    }
    return (Date.now() - began) / args.sample;
  }

  /** Looks every second, as a person's script would, until the run has succeeded or failed. */
  async function settled(runId: string): Promise<void> {
    for (;;) {
      const run = await flowService.getRun(runId);
      const status = run?.metrics?.statusSummary?.status;
      if (status === 'success' || status === 'failed') return;
      await delay(SCRIPT_POLL_MS);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
