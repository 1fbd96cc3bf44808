/**
 * An outage pauses a run instead of undoing it: while Experience Platform
 * answers every call with a 5xx, the run says which API it waits for and
 * since when (progress and search attribute), then goes on by itself and cuts
 * every dataflow over. Past its tolerance it fails as it would for any other
 * error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load';
import { sfmcRun } from '../../src/runs';
import { startMigrationRequest } from '../../src/runs/migration';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { CutoverWaitingFor } from '../../src/visibility/search-attributes';
import { progressQuery, type MigrationProgress } from '../../src/workflows/migration/messages';
import { rawSimulatorConfig } from '../support/cutover-config';
import { cutoverTestWorker } from '../support/cutover-worker';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();
let simulator: RunningSimulator;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
});
afterAll(() => simulator.close());

/**
 * Long enough that the run must say it waits (the worker calls an outage
 * after 3 s here), short enough for the suite. That an outage longer than a
 * step's own retries undoes nothing is `npm run faults`' 20-minute rows.
 */
const OUTAGE_MS = 30_000;

function configFor(taskQueue: string, adobe: Record<string, unknown> = {}) {
  const raw = rawSimulatorConfig(simulator, taskQueue);
  return parseConfig(
    {
      ...raw,
      temporal: { ...raw.temporal, address: env().address, namespace: env().namespace },
      worker: { outageSuspectedAfter: '3s' },
      adobe: { ...raw.adobe, ...adobe },
    },
    'outage-pause.yaml',
  );
}

const PLATFORM_DOWN = { modules: ['flowService', 'dataPrep'] as const, serverErrorRate: 1, seed: 1 };

describe('Experience Platform down', () => {
  it('pauses the run, shows what it waits for, and cuts every dataflow over once the API answers', async () => {
    const taskQueue = uniqueTaskQueue('outage');
    const config = configFor(taskQueue);
    const worker = await cutoverTestWorker(env(), config);
    const request = sfmcRun.fromConfig(config);
    const workflowId = `${request.workflowId}/${taskQueue}`;
    simulator.faults.configure({ ...PLATFORM_DOWN, modules: [...PLATFORM_DOWN.modules] });
    const outageEnds = Date.now() + OUTAGE_MS;
    const seen = await worker.runUntil(async () => {
      const handle = await startMigrationRequest(env().client, sfmcRun, request, { taskQueue, workflowId });
      const paused = await waitFor(
        async () => {
          const progress = await handle.query(progressQuery);
          const attribute = (await handle.describe()).typedSearchAttributes.get(CutoverWaitingFor);
          return progress.waitingFor?.length && attribute?.length ? { progress, attribute } : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 1_000, what: 'the run to show the outage' },
      );
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, outageEnds - Date.now())));
      simulator.faults.configure({});
      const result: MigrationProgress = await handle.result();
      const after = (await handle.describe()).typedSearchAttributes.get(CutoverWaitingFor);
      return { paused, result, after };
    });

    expect(seen.paused.progress.waitingFor).toEqual([
      expect.objectContaining({ api: 'flow-service', since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }),
    ]);
    expect(seen.paused.attribute).toEqual([expect.stringMatching(/^flow-service since \d{4}-/)]);
    expect(seen.result.phase).toBe('completed');
    expect(seen.result.waitingFor).toBeUndefined();
    expect(seen.after).toBeUndefined();
    const statuses = seen.result.items.filter((item) => item.status !== 'skipped').map((item) => item.status);
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set(['v1-removed']));
  }, 240_000);

  it('fails as for any other error once the outage outlasts adobe.outageTolerance, having changed nothing', async () => {
    const taskQueue = uniqueTaskQueue('outage-outlasted');
    const config = configFor(taskQueue, { outageTolerance: '8s' });
    const worker = await cutoverTestWorker(env(), config);
    const request = sfmcRun.fromConfig(config);
    const workflowId = `${request.workflowId}/${taskQueue}`;
    const before = simulator.snapshot().modules;
    simulator.faults.configure({ ...PLATFORM_DOWN, modules: [...PLATFORM_DOWN.modules] });
    const failure = await worker.runUntil(async () => {
      const handle = await startMigrationRequest(env().client, sfmcRun, request, { taskQueue, workflowId });
      return handle.result().then(
        () => undefined,
        (error: Error) => error,
      );
    });
    simulator.faults.configure({});
    expect((failure?.cause as Error | undefined)?.message).toMatch(
      /flow-service has answered no call for \d+ s/,
    );
    expect(simulator.snapshot().modules).toEqual(before);
  }, 120_000);
});
