/**
 * What `cutover <kind> plan` reports is what `cutover <kind> run` does: the
 * same items with the same fate, the same blockers, the same exit code. Both
 * go through the CLI against one simulator per test; the run through a
 * worker on the dev server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowFailedError } from '@temporalio/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { loadConfigFile } from '../../src/config/load';
import { marketoRun, salesConnectRun, sfmcRun } from '../../src/runs';
import { DEMO_SALES_CONNECT } from '../../src/simulator/seeds/demo-catalog';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import type { MigrationProgress } from '../../src/workflows/migration/messages';
import type { ProvisioningProgress } from '../../src/workflows/sales-connect/messages';
import { runCli } from '../support/cli';
import { TEST_SECRETS, adminPut, rawSalesConnectConfig } from '../support/cutover-config';
import { cutoverTestWorker } from '../support/cutover-worker';
import { useTemporalEnvironment } from '../support/temporal-env';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();
let simulator: RunningSimulator;
beforeEach(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  await adminPut(simulator, `/__admin/sales-connect/${DEMO_SALES_CONNECT.instanceId}/settings`, {
    minimumProvisioningDelaySeconds: 2,
  });
  for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await simulator.close();
});

type RawConfig = ReturnType<typeof rawSalesConnectConfig>;
type Command = 'sfmc' | 'marketo' | 'sales-connect';

function writeConfig(label: string, change: (raw: RawConfig) => void): string {
  const raw = rawSalesConnectConfig(simulator, uniqueTaskQueue(label), {
    users: [{ email: 'ben.seller@demo.example' }, { email: 'chloe.rep@demo.example', workspace: 'EMEA' }],
    provisioningDelay: '2 seconds',
  });
  Object.assign(raw, { temporal: { ...raw.temporal, address: env().address } });
  change(raw);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-agree-')), 'cutover.yaml');
  fs.writeFileSync(file, YAML.stringify(raw));
  return file;
}

/** Writes the simulator's Flow Service and Sales Connect saw, e.g. to prove a blocked run changed nothing. */
const writes = () =>
  simulator.requests
    .list()
    .filter(
      (entry) =>
        entry.method !== 'GET' && !['admin', 'ims'].includes(entry.module) && !entry.path.endsWith('/token'),
    );

/** `plan --json`, then `run` with a worker, and the run's workflow outcome. */
async function planThenRun<R>(command: Command, file: string, workflowId: string) {
  const writesBefore = writes().length;
  const planned = await runCli([command, 'plan', '--json', '--config', file]);
  const writesAfterPlan = writes().length;
  const worker = await cutoverTestWorker(env(), loadConfigFile(file));
  const ran = await worker.runUntil(runCli([command, 'run', '--config', file]));
  const outcome = await env()
    .client.workflow.getHandle(workflowId)
    .result()
    .then(
      (result: R) => ({ result }),
      (error: unknown) => ({ failure: ((error as WorkflowFailedError).cause as Error).message }),
    );
  return {
    plan: { code: planned.code, ...(JSON.parse(planned.out) as { blockers: string[] }), raw: planned.out },
    run: { code: ran.code, ...outcome },
    writesDuringPlan: writesAfterPlan - writesBefore,
    writesDuringRun: writes().length - writesAfterPlan,
  };
}

interface MigrationPlanJson {
  plans: Array<{
    sandbox: string;
    items: Array<{ action: 'migrate' | 'skip'; reason?: string; v1: { flowId: string } }>;
  }>;
  blockers: string[];
}

/** Each planned item and its fate: migrate -> V1 removed (auto-approved), skip -> skipped for the same reason. */
function expectMigrationAgreement(planJson: string, progress: MigrationProgress) {
  const plan = JSON.parse(planJson) as MigrationPlanJson;
  const planned = plan.plans.flatMap((sandbox) =>
    sandbox.items.map((item) => [
      sandbox.sandbox,
      item.v1.flowId,
      item.action === 'migrate' ? 'v1-removed' : `skipped (${item.reason})`,
    ]),
  );
  const done = progress.items.map((item) => [
    item.sandbox,
    item.v1FlowId,
    item.status === 'skipped' ? `skipped (${item.reason?.split(':')[0]})` : item.status,
  ]);
  expect(done).toEqual(planned);
  expect(planned.some(([, , fate]) => fate === 'v1-removed')).toBe(true);
}

describe.each([
  { command: 'sfmc' as const, run: sfmcRun },
  { command: 'marketo' as const, run: marketoRun },
])('cutover $command plan and run', ({ command, run }) => {
  it('do the same to every V1 dataflow, and both exit 0', async () => {
    const file = writeConfig(`agree-${command}`, () => {});
    const outcome = await planThenRun<MigrationProgress>(command, file, workflowIdOf(run, file));
    expect(outcome.plan).toMatchObject({ code: 0, blockers: [] });
    expect(outcome.run.code).toBe(0);
    expect(outcome.writesDuringPlan).toBe(0);
    expectMigrationAgreement(outcome.plan.raw, (outcome.run as { result: MigrationProgress }).result);
  });
});

describe('a plan whose every item is skipped, with a blocker', () => {
  it('sfmc: without V2 credentials the plan is blocked, and so is the run: exit 1, nothing written', async () => {
    const file = writeConfig('agree-sfmc-blocked', (raw) => {
      delete (raw as Partial<RawConfig>).sfmc;
    });
    const outcome = await planThenRun<MigrationProgress>('sfmc', file, workflowIdOf(sfmcRun, file));
    const plan = JSON.parse(outcome.plan.raw) as MigrationPlanJson;
    expect(plan.plans.flatMap((sandbox) => sandbox.items).every((item) => item.action === 'skip')).toBe(true);
    expect(outcome.plan.code).toBe(1);
    expect(outcome.plan.blockers).toEqual([
      'prod: SFMC V2 credentials are missing or unusable (sfmc section of the config)',
      'dev: SFMC V2 credentials are missing or unusable (sfmc section of the config)',
    ]);
    expect(outcome.run).toEqual({
      code: 1,
      failure: `Nothing was changed. Blocked: ${outcome.plan.blockers.join(' ')}`,
    });
    expect(outcome.writesDuringRun).toBe(0);
  });

  it('marketo: with credentials Marketo refuses, plan and run are blocked alike: exit 1, nothing written', async () => {
    const file = writeConfig('agree-marketo-blocked', (raw) => {
      raw.marketo.clientId = 'not-a-launchpoint-client';
    });
    const outcome = await planThenRun<MigrationProgress>('marketo', file, workflowIdOf(marketoRun, file));
    expect(outcome.plan.code).toBe(1);
    expect(outcome.plan.blockers).toHaveLength(1);
    expect(outcome.plan.blockers[0]).toMatch(/^Marketo credentials: /);
    expect(outcome.run).toEqual({
      code: 1,
      failure: `Nothing was changed. Blocked: ${outcome.plan.blockers.join(' ')}`,
    });
    expect(outcome.writesDuringRun).toBe(0);
  });
});

describe('a spec the organisation catalogue does not have', () => {
  it('blocks plan and run alike, names the spec and the config key, and writes nothing', async () => {
    const missing = '00000000-0000-4000-8000-00000000beef';
    const file = writeConfig('agree-spec-missing', (raw) => {
      Object.assign(raw.adobe, { specIds: { sfmcV2: missing } });
    });
    const outcome = await planThenRun<MigrationProgress>('sfmc', file, workflowIdOf(sfmcRun, file));
    expect(outcome.plan.code).toBe(1);
    expect(outcome.plan.blockers).toEqual([
      `Experience Platform specs: sfmcV2: the Salesforce Marketing Cloud V2 source id set in adobe.specIds.sfmcV2 (${missing}) is not in this organisation's connection catalogue; set adobe.specIds.sfmcV2 to the id the catalogue shows.`,
    ]);
    expect(outcome.run).toEqual({
      code: 1,
      failure: `Nothing was changed. Blocked: ${outcome.plan.blockers.join(' ')}`,
    });
    expect(outcome.writesDuringRun).toBe(0);
  });
});

describe('cutover sales-connect plan and run', () => {
  it('invite the users the plan says, and both exit 0', async () => {
    const file = writeConfig('agree-sc', () => {});
    const outcome = await planThenRun<ProvisioningProgress>(
      'sales-connect',
      file,
      workflowIdOf(salesConnectRun, file),
    );
    expect(outcome.plan).toMatchObject({ code: 0, blockers: [] });
    expect(outcome.writesDuringPlan).toBe(0);
    const plan = JSON.parse(outcome.plan.raw) as { users: Array<{ email: string; action: string }> };
    const { result } = outcome.run as { result: ProvisioningProgress };
    expect(outcome.run.code).toBe(0);
    expect(result.users.map((user) => [user.email, user.status])).toEqual(
      plan.users.map((user) => [user.email, user.action === 'invite' ? 'invited' : user.action]),
    );
  });

  it('a preflight violation blocks plan and run alike: exit 1, Sales Connect untouched', async () => {
    const file = writeConfig('agree-sc-blocked', (raw) => {
      raw.salesforce.marketoMeasure.dailyApiLimit = 20_000;
    });
    const outcome = await planThenRun<ProvisioningProgress>(
      'sales-connect',
      file,
      workflowIdOf(salesConnectRun, file),
    );
    expect(outcome.plan.code).toBe(1);
    expect(outcome.plan.blockers).toEqual([expect.stringMatching(/^\[measure-daily-api-limit\] /)]);
    expect(outcome.run).toEqual({
      code: 1,
      failure: `Preflight failed, nothing was changed: ${outcome.plan.blockers.join(' ')}`,
    });
    expect(outcome.writesDuringRun).toBe(0);
  });
});

/** The workflow a run of this config starts (or attaches to). */
function workflowIdOf(
  run: { fromConfig(config: ReturnType<typeof loadConfigFile>): { workflowId: string } },
  file: string,
): string {
  return run.fromConfig(loadConfigFile(file)).workflowId;
}
