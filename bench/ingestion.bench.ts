/**
 * Capacity benchmark for scheduled ingestion: S schedules of F dataflows each,
 * every I seconds, for D seconds, on a real dev server with one worker.
 * Reports actions taken and skipped, start lag, windows ingested and whether
 * every flow's windows stayed contiguous. Usage:
 *   npm run bench:ingestion -- [--schedules 50] [--flows 20] [--interval 10] [--duration 60]
 */
import { parseArgs } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import type { FlowServiceClient } from '../src/integrations/flow-service/flow-service-client';
import { ingestionSettingsFor, syncIngestionSchedules } from '../src/runs/ingestion';
import { BENCH_SECRETS, startBench } from './harness';
import { createRemoteClients } from '../src/activities/remote-clients';

async function main() {
  const { values } = parseArgs({
    options: {
      schedules: { type: 'string' },
      flows: { type: 'string' },
      interval: { type: 'string' },
      duration: { type: 'string' },
    },
  });
  const scheduleCount = Number(values.schedules ?? 50);
  const flowsPerSchedule = Number(values.flows ?? 20);
  const intervalSeconds = Number(values.interval ?? 10);
  const durationSeconds = Number(values.duration ?? 60);
  const { config, client, worker, stop } = await startBench({
    seed: { profile: 'large', sandboxes: 1, flowsPerSandbox: scheduleCount * flowsPerSchedule },
    runDurationMs: 1_000,
    taskQueue: 'bench-ingestion',
    sandboxes: ['prod'],
    maxConcurrentActivityTaskExecutions: 200,
  });
  const clients = createRemoteClients(config, BENCH_SECRETS);
  const flowService: FlowServiceClient = clients.flowService('prod');
  const flowIds: string[] = [];
  for await (const flow of flowService.flows.list()) flowIds.push(flow.id);
  if (flowIds.length < scheduleCount * flowsPerSchedule)
    throw new Error(`only ${flowIds.length} flows seeded`);

  const settings = Array.from({ length: scheduleCount }, (_, index) =>
    ingestionSettingsFor(
      {
        name: `bench-${index}`,
        flows: { sandbox: 'prod' },
        interval: `${intervalSeconds} seconds`,
        catchupWindow: '1 minute',
        maxWindowsPerRun: 24,
        attemptsPerWindow: 3,
        runTimeout: '10 minutes',
        paused: false,
      },
      flowIds
        .slice(index * flowsPerSchedule, (index + 1) * flowsPerSchedule)
        .map((flowId) => ({ sandbox: 'prod', flowId })),
    ),
  );

  const report = await worker.runUntil(async () => {
    await syncIngestionSchedules(client, config, settings);
    await delay(durationSeconds * 1000);
    for (const entry of settings)
      await client.schedule.getHandle(`ingestion/${entry.schedule}`).pause('bench done');
    // Let runs in flight finish before counting.
    await delay(5_000);
    let taken = 0;
    let skipped = 0;
    let missed = 0;
    const lags: number[] = [];
    for (const entry of settings) {
      const description = await client.schedule.getHandle(`ingestion/${entry.schedule}`).describe();
      taken += description.info.numActionsTaken;
      skipped += description.info.numActionsSkippedOverlap;
      missed += description.info.numActionsMissedCatchupWindow;
      for (const action of description.info.recentActions)
        lags.push(action.takenAt.getTime() - action.scheduledAt.getTime());
    }
    let windows = 0;
    let contiguousFlows = 0;
    for (const flowId of flowIds.slice(0, scheduleCount * flowsPerSchedule)) {
      const runs: Array<{ start: number; end: number }> = [];
      for await (const run of flowService.listRuns(flowId)) {
        if (run.params?.windowStartTime !== undefined && run.metrics?.statusSummary?.status === 'success')
          runs.push({ start: run.params.windowStartTime, end: run.params.windowEndTime! });
      }
      runs.sort((a, b) => a.start - b.start);
      windows += runs.length;
      if (runs.every((run, index) => index === 0 || run.start === runs[index - 1]!.end)) contiguousFlows += 1;
    }
    lags.sort((a, b) => a - b);
    return {
      schedules: scheduleCount,
      flowsPerSchedule,
      intervalSeconds,
      durationSeconds,
      actionsTaken: taken,
      actionsSkippedOverlap: skipped,
      actionsMissedCatchup: missed,
      startLagMsMedian: lags[Math.floor(lags.length / 2)] ?? 0,
      startLagMsMax: lags.at(-1) ?? 0,
      windowsIngested: windows,
      windowsPerSecond: Number((windows / durationSeconds).toFixed(1)),
      flowsWithContiguousWindows: `${contiguousFlows}/${scheduleCount * flowsPerSchedule}`,
    };
  });
  console.log(JSON.stringify(report, null, 2));
  await stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
