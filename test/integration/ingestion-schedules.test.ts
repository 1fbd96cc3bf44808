import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { desiredIngestionSettings, startBackfill } from '../../src/cli/commands/ingestion';
import { parseConfig } from '../../src/config/load';
import type { CutoverConfig } from '../../src/config/schema';
import { splitPeriod } from '../../src/domain/ingestion/windows';
import type { Run } from '../../src/integrations/flow-service/schemas';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { CutoverItemsFailed, CutoverLastStatus } from '../../src/visibility/search-attributes';
import { syncIngestionSchedules } from '../../src/runs/ingestion';
import { scheduleIdOf } from '../../src/workflows/ingestion/messages';
import { TEST_SECRETS, adminPut, rawSimulatorConfig } from '../support/cutover-config';
import { Redactor, SecretResolver } from '../../src/config/secrets';
import { runCli } from '../support/cli';
import { cutoverTestWorker } from '../support/cutover-worker';
import { replayHistoryOf } from '../support/replay';
import { collect, demoAdobeClients } from '../support/simulator';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue } from '../support/worker';

const WEBHOOK_TOKEN = 'Bearer webhook-test-token';
const env = useTemporalEnvironment();
let simulator: RunningSimulator;
let flowIds: string[];
const webhookCalls: Array<{ authorization?: string; body: Record<string, unknown> }> = [];
let webhook: http.Server;

beforeAll(async () => {
  // Flow groups are resolved the way the CLI does it, with secrets from the environment.
  Object.assign(process.env, TEST_SECRETS);
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  await adminPut(simulator, '/__admin/flow-service/settings', { runDurationMs: 0 });
  const flows = await collect(demoAdobeClients(simulator, 'prod').flowService.flows.list());
  flowIds = ['SFMC Subscriber to AEP', 'SFMC Campaign to AEP'].map(
    (name) => flows.find((flow) => flow.name === name)!.id,
  );
  webhook = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      webhookCalls.push({
        authorization: request.headers.authorization,
        body: JSON.parse(body) as Record<string, unknown>,
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await simulator.close();
  await new Promise((resolve) => webhook.close(resolve));
});

type ScheduleEntry = Record<string, unknown> & { name: string };

function configWith(taskQueue: string, schedules: ScheduleEntry[]): CutoverConfig {
  return parseConfig(
    {
      ...rawSimulatorConfig(simulator, taskQueue),
      ingestion: {
        webhook: {
          url: `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`,
          authorization: 'env:CUTOVER_TEST_WEBHOOK_TOKEN',
        },
        schedules,
      },
    },
    'test.yaml',
  );
}

async function workerFor(config: CutoverConfig): Promise<Worker> {
  return cutoverTestWorker(
    env(),
    config,
    new SecretResolver({ ...TEST_SECRETS, CUTOVER_TEST_WEBHOOK_TOKEN: WEBHOOK_TOKEN }, new Redactor()),
  );
}

const sync = async (config: CutoverConfig) =>
  syncIngestionSchedules(env().client, config, await desiredIngestionSettings(config, env().client));

/** The on-demand runs the simulator holds for a flow, oldest first, with their windows and outcomes. */
async function windowRuns(flowId: string) {
  const runs: Run[] = await collect(demoAdobeClients(simulator, 'prod').flowService.listRuns(flowId));
  return runs
    .filter((run) => run.params?.windowStartTime !== undefined)
    .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0))
    .map((run) => ({
      start: run.params!.windowStartTime!,
      end: run.params!.windowEndTime!,
      status: run.metrics?.statusSummary?.status,
    }));
}

const succeeded = async (flowId: string) =>
  (await windowRuns(flowId)).filter((run) => run.status === 'success').sort((a, b) => a.start - b.start);

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}`;

describe('scheduled ingestion on the dev server', () => {
  it('ingests contiguous windows with no gap or overlap, and re-ingests a failed window on the next run', async () => {
    const name = unique('contiguous');
    const taskQueue = uniqueTaskQueue('ingestion');
    const config = configWith(taskQueue, [
      { name, flows: { sandbox: 'prod', flowIds }, interval: '2 seconds', attemptsPerWindow: 2 },
    ]);
    const [flowA, flowB] = flowIds as [string, string];
    const worker = await workerFor(config);
    await worker.runUntil(async () => {
      expect((await sync(config)).created).toEqual([scheduleIdOf(name)]);
      await waitFor(async () => (await succeeded(flowA)).length >= 3, {
        timeoutMs: 30_000,
        what: '3 windows',
      });
      // Both attempts of the next window fail: the run fails, the webhook hears of it.
      await adminPut(simulator, `/__admin/flow-service/flows/${flowA}/fail-next-runs`, { count: 2 });
      await waitFor(
        async () => (await windowRuns(flowA)).filter((run) => run.status === 'failed').length === 2,
        {
          timeoutMs: 30_000,
          what: 'the failed window',
        },
      );
      const failedWindow = (await windowRuns(flowA)).find((run) => run.status === 'failed')!;
      await waitFor(
        async () => (await succeeded(flowA)).filter((run) => run.start > failedWindow.start).length >= 2,
        { timeoutMs: 30_000, what: 'two windows after the failed one' },
      );
      // The run that ingested them records its success on the schedule once all its flows are done.
      await waitFor(
        async () =>
          (await env().client.schedule.getHandle(scheduleIdOf(name)).describe()).typedSearchAttributes.get(
            CutoverLastStatus,
          ) === 'success',
        { timeoutMs: 30_000, what: 'a successful run after the failed one' },
      );
      await env().client.schedule.getHandle(scheduleIdOf(name)).pause('test done');
    });

    for (const flowId of [flowA, flowB]) {
      const windows = await succeeded(flowId);
      expect(windows.length).toBeGreaterThanOrEqual(3);
      for (const [index, window] of windows.entries()) {
        expect(window.end - window.start).toBeLessThanOrEqual(2);
        if (index > 0) expect(window.start, `${flowId} window ${index}`).toBe(windows[index - 1]!.end);
      }
    }
    // The window that failed twice was ingested by a later run, once.
    const failedWindow = (await windowRuns(flowA)).find((run) => run.status === 'failed')!;
    expect((await succeeded(flowA)).filter((run) => run.start === failedWindow.start)).toHaveLength(1);

    const failure = webhookCalls.find((call) => call.body.schedule === name);
    expect(failure?.authorization).toBe(WEBHOOK_TOKEN);
    expect(String(failure?.body.summary)).toMatch(/window\(s\) failed: .*run .* failed: CONNECTOR-2001-500/);
    const description = await env().client.schedule.getHandle(scheduleIdOf(name)).describe();
    expect(description.typedSearchAttributes.get(CutoverLastStatus)).toBe('success');
    // Every run the schedule started replays against the current workflow code, the failed one included.
    for (const action of description.info.recentActions) {
      const { workflowId, firstExecutionRunId } = action.action.workflow;
      await replayHistoryOf(env().client.workflow.getHandle(workflowId), firstExecutionRunId);
    }
    expect(description.typedSearchAttributes.get(CutoverItemsFailed)).toBe(0);
    await env().client.schedule.getHandle(scheduleIdOf(name)).delete();
  });

  it('backfills a past period in exactly its windows, in order', async () => {
    const name = unique('backfill');
    const taskQueue = uniqueTaskQueue('ingestion-backfill');
    const config = configWith(taskQueue, [
      { name, flows: { sandbox: 'prod', flowIds: flowIds.slice(0, 1) }, interval: '1 hour', paused: true },
    ]);
    await sync(config);
    const to = new Date('2026-11-01T06:00:00Z');
    const from = new Date('2026-11-01T00:00:00Z');
    const before = (await windowRuns(flowIds[0]!)).length;
    const handle = await startBackfill(env().client, config, name, from, to);
    const result = await (await workerFor(config)).runUntil(handle.result());
    expect(result.status).toBe('success');
    await replayHistoryOf(handle);
    const expected = splitPeriod(from.getTime() / 1000, to.getTime() / 1000, 3600);
    expect(expected).toHaveLength(6);
    const made = (await windowRuns(flowIds[0]!)).slice(before);
    expect(made.map(({ start, end }) => ({ start, end }))).toEqual(expected);
    expect(made.every((run) => run.status === 'success')).toBe(true);
    await env().client.schedule.getHandle(scheduleIdOf(name)).delete();
  });

  it('pauses a schedule after the configured number of failed runs in a row', async () => {
    const name = unique('pause');
    const taskQueue = uniqueTaskQueue('ingestion-pause');
    const flowId = flowIds[1]!;
    await adminPut(simulator, `/__admin/flow-service/flows/${flowId}/fail-next-runs`, { count: 1000 });
    const config = configWith(taskQueue, [
      {
        name,
        flows: { sandbox: 'prod', flowIds: [flowId] },
        interval: '2 seconds',
        attemptsPerWindow: 1,
        pauseAfterFailures: 2,
      },
    ]);
    const handle = env().client.schedule.getHandle(scheduleIdOf(name));
    await (
      await workerFor(config)
    ).runUntil(async () => {
      await sync(config);
      await waitFor(async () => (await handle.describe()).state.paused, {
        timeoutMs: 30_000,
        what: 'the pause',
      });
    });
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(CutoverLastStatus)).toBe('failed');
    expect(description.typedSearchAttributes.get(CutoverItemsFailed)).toBe(2);
    expect(description.state.note).toMatch(
      /^paused after 2 failed runs in a row; last: 1 window\(s\) failed/,
    );
    await adminPut(simulator, `/__admin/flow-service/flows/${flowId}/fail-next-runs`, { count: 0 });
    await handle.delete();
  });

  it('sync is idempotent, updates what changed and deletes what the config dropped', async () => {
    const [a, b] = [unique('sync-a'), unique('sync-b')];
    const taskQueue = uniqueTaskQueue('ingestion-sync');
    const entries = [
      { name: a, flows: { sandbox: 'prod', flowIds }, interval: '1 hour', paused: true },
      { name: b, flows: { sandbox: 'prod', flowIds: flowIds.slice(0, 1) }, interval: '1 day', paused: true },
    ];
    const first = await sync(configWith(taskQueue, entries));
    expect(first.created.sort()).toEqual([scheduleIdOf(a), scheduleIdOf(b)].sort());
    const second = await sync(configWith(taskQueue, entries));
    expect(second).toMatchObject({ created: [], updated: [], deleted: [] });
    expect(second.unchanged).toEqual(expect.arrayContaining([scheduleIdOf(a), scheduleIdOf(b)]));

    const third = await sync(configWith(taskQueue, [{ ...entries[0]!, interval: '30 minutes' }]));
    expect(third.updated).toEqual([scheduleIdOf(a)]);
    expect(third.deleted).toContain(scheduleIdOf(b));
    const description = await env().client.schedule.getHandle(scheduleIdOf(a)).describe();
    expect(description.spec.intervals?.[0]?.every).toBe(30 * 60_000);
    expect(description.state.paused).toBe(true);
    await env().client.schedule.getHandle(scheduleIdOf(a)).delete();
  });

  it('is driven from the CLI: sync, list, describe, pause, trigger and delete', async () => {
    const name = unique('cli');
    const taskQueue = uniqueTaskQueue('ingestion-cli');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-ingestion-')), 'cutover.yaml');
    fs.writeFileSync(
      file,
      YAML.stringify({
        ...rawSimulatorConfig(simulator, taskQueue),
        temporal: { address: env().address, taskQueue },
        ingestion: {
          schedules: [{ name, flows: { sandbox: 'prod', flowIds }, interval: '1 hour', paused: true }],
        },
      }),
    );
    expect((await runCli(['ingestion', 'sync', '--config', file, '--dry-run'])).out).toContain(
      'Would change: 1 created, 0 updated, 0 deleted; 0 unchanged.',
    );
    expect((await runCli(['ingestion', 'sync', '--config', file])).out).toContain('Changed: 1 created');
    expect((await runCli(['ingestion', 'sync', '--config', file])).out).toContain(
      'Changed: 0 created, 0 updated, 0 deleted; 1 unchanged.',
    );
    const listed = await runCli(['ingestion', 'schedule', 'list', '--config', file]);
    expect(listed.out).toMatch(new RegExp(`ingestion/${name}\\s+paused\\s+new`));
    const described = await runCli(['ingestion', 'schedule', 'describe', '--config', file, '--name', name]);
    expect(described.out).toContain(`windows: 3600 s; every 1 hour; catch-up 1 day`);
    expect(described.out).toContain(flowIds[0]!);
    expect((await runCli(['ingestion', 'schedule', 'unpause', '--config', file, '--name', name])).code).toBe(
      0,
    );
    expect((await runCli(['ingestion', 'schedule', 'pause', '--config', file, '--name', name])).code).toBe(0);
    // Schedule changes are signals to the schedule's own workflow: the pause shows once it is processed.
    await waitFor(
      async () => (await env().client.schedule.getHandle(scheduleIdOf(name)).describe()).state.paused,
      // The scheduler workflow shares two loaded cores with every other test file.
      { timeoutMs: 60_000, what: 'the schedule to show paused' },
    );
    expect((await runCli(['ingestion', 'schedule', 'delete', '--config', file, '--name', name])).code).toBe(
      0,
    );
    const missing = await runCli(['ingestion', 'schedule', 'describe', '--config', file, '--name', name]);
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.err).toContain(`no schedule ingestion/${name}; run \`cutover ingestion sync\``);
    // Nine CLI round trips plus the wait above: more than the default on two loaded cores.
  }, 150_000);
});
