/**
 * The operator's commands end to end, through the CLI's own entry point:
 * `marketo run`, `reject`, `sales-connect run` (attaching to a running
 * provisioning) and `confirm`, and `search-attributes`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { loadConfigFile } from '../../src/config/load';
import { DEMO_MARKETO, DEMO_ORG_ID, DEMO_SALES_CONNECT } from '../../src/simulator/seeds/demo-catalog';
import { progressQuery } from '../../src/workflows/migration/messages';
import { provisioningProgressQuery } from '../../src/workflows/sales-connect/messages';
import { TEST_SECRETS, adminPut, rawSalesConnectConfig, rawSimulatorConfig } from '../support/cutover-config';
import { runCli } from '../support/cli';
import { cutoverTestWorker } from '../support/cutover-worker';
import { expectCleanHistory } from '../support/history-checks';
import { flowServiceState, taggedPerV1 } from '../support/simulator-state';
import { useFreshDemoSimulator } from '../support/simulator';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue } from '../support/worker';

const env = useTemporalEnvironment();
const simulator = useFreshDemoSimulator();

beforeEach(() => {
  for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
});
afterEach(() => vi.unstubAllEnvs());

function writeConfig(raw: object): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-cli-')), 'cutover.yaml');
  fs.writeFileSync(file, YAML.stringify(raw));
  return file;
}

/** The simulator config on the suite's dev server, with a task queue of its own. */
function migrationConfig(taskQueue: string, sandboxes: Array<{ name: string; autoApprove?: boolean }>) {
  const raw = rawSimulatorConfig(simulator(), taskQueue, sandboxes);
  return writeConfig({ ...raw, temporal: { taskQueue, address: env().address } });
}

describe('cutover marketo run', () => {
  it('starts the migration, follows it to the end and exits 0 when it completed', async () => {
    const taskQueue = uniqueTaskQueue('cli-marketo-run');
    const file = migrationConfig(taskQueue, [{ name: 'dev', autoApprove: true }]);
    const worker = await cutoverTestWorker(env(), loadConfigFile(file));
    const result = await worker.runUntil(runCli(['marketo', 'run', '--config', file, '--sandbox', 'dev']));
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const workflowId = /migration (marketo-migration\/\S+) \(run/.exec(result.out)?.[1];
    expect(workflowId, result.out).toBeDefined();
    expect(result.out).toMatch(/dev\s+Marketo V1 - Newsletter audiences\s+v1-removed/);
    expect(result.out).toContain('completed: 1 v1-removed');
    expect(taggedPerV1(flowServiceState(simulator(), 'dev').flows, 'marketo').size).toBe(1);
    await expectCleanHistory(env().client, workflowId!);
  });
});

describe('cutover run and status of a run that did not succeed', () => {
  it('prints why a run failed, and status says it again; both exit 1', async () => {
    await adminPut(simulator(), '/__admin/flow-service/permissions', {
      orgId: DEMO_ORG_ID,
      denied: ['Manage Destinations'],
    });
    const taskQueue = uniqueTaskQueue('cli-run-fails');
    const file = migrationConfig(taskQueue, [{ name: 'dev', autoApprove: true }]);
    const worker = await cutoverTestWorker(env(), loadConfigFile(file));
    const run = await worker.runUntil(runCli(['marketo', 'run', '--config', file, '--sandbox', 'dev']));
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^The run failed:\n\s+.*needs the permission "Manage Destinations"/m);
    expect(run.err).not.toMatch(/\n\s+at /);
    const workflowId = /migration (marketo-migration\/\S+) \(run/.exec(run.out)![1]!;
    const status = await runCli(['status', '--config', file, '--workflow-id', workflowId]);
    expect(status.code).toBe(1);
    expect(status.out).toMatch(
      new RegExp(`^${workflowId.replace(/[/+]/g, '\\$&')}: FAILED.*\nwhy: .*Manage Destinations`),
    );
  });

  it('exits 1 when the run completed but every dataflow failed, naming them', async () => {
    await adminPut(simulator(), '/__admin/flow-service/settings', { failRunsOfNewFlows: 1 });
    const taskQueue = uniqueTaskQueue('cli-items-fail');
    const file = migrationConfig(taskQueue, [{ name: 'dev', autoApprove: true }]);
    const worker = await cutoverTestWorker(env(), loadConfigFile(file));
    const run = await worker.runUntil(runCli(['sfmc', 'run', '--config', file, '--sandbox', 'dev']));
    expect(run.code).toBe(1);
    expect(run.out).toMatch(
      /dev\s+SFMC Subscriber to AEP\s+failed\s+.*the first V2 run .* failed: CONNECTOR-2001-500/,
    );
    expect(run.err).toContain('2 dataflow(s) failed; their reasons are in the table above.');
  });
});

describe('cutover reject', () => {
  it('rolls the waiting sandbox back: V1 restored, V2 removed, the reason kept with each item', async () => {
    const taskQueue = uniqueTaskQueue('cli-reject');
    const file = migrationConfig(taskQueue, [{ name: 'dev', autoApprove: false }]);
    const worker = await cutoverTestWorker(env(), loadConfigFile(file));
    const outcome = await worker.runUntil(async () => {
      const started = await runCli(['sfmc', 'run', '--config', file, '--sandbox', 'dev', '--detach']);
      expect(started.code).toBe(0);
      const workflowId = /migration (sfmc-migration\/\S+) \(run/.exec(started.out)![1]!;
      const handle = env().client.workflow.getHandle(workflowId);
      await waitFor(async () => (await handle.query(progressQuery)).phase === 'awaiting-approval', {
        timeoutMs: 30_000,
        what: 'the approval gate',
      });
      const tooShort = await runCli([
        'reject',
        '--config',
        file,
        '--workflow-id',
        workflowId,
        '--reason',
        'x',
      ]);
      expect(tooShort.code).toBe(2);
      const rejected = await runCli([
        'reject',
        '--config',
        file,
        '--workflow-id',
        workflowId,
        '--reason',
        'record counts look off',
      ]);
      expect(rejected).toMatchObject({ code: 0, out: 'Rejected: rolling back dev.' });
      return { workflowId, result: await handle.result() };
    });
    expect(outcome.result.phase).toBe('rolled-back');
    for (const item of outcome.result.items)
      expect(item).toMatchObject({
        status: 'rolled-back',
        reason: expect.stringMatching(/^rejected: record counts look off/),
      });
    const dev = flowServiceState(simulator(), 'dev');
    expect(taggedPerV1(dev.flows, 'sfmc').size).toBe(0);
    for (const item of outcome.result.items)
      expect(dev.flows.find((flow) => flow.id === item.v1FlowId)?.state).toBe('enabled');
    await expectCleanHistory(env().client, outcome.workflowId);
  });
});

describe('cutover sales-connect run and confirm (manual gateway)', () => {
  it('attaches a second run to the running provisioning, and confirms each manual step as it is reached', async () => {
    const taskQueue = uniqueTaskQueue('cli-sales-connect');
    // An instance of its own, so no other test's provisioning shares the workflow id.
    const instanceId = `sc-cli-${Math.random().toString(36).slice(2, 8)}`;
    const raw = rawSalesConnectConfig(simulator(), taskQueue, {
      gateway: 'manual',
      users: [{ email: 'ben.seller@demo.example' }],
    });
    const file = writeConfig({
      ...raw,
      temporal: { taskQueue, address: env().address },
      salesConnect: { ...raw.salesConnect, instanceId },
    });
    const workflowId = `sales-connect/${instanceId}`;
    const worker = await cutoverTestWorker(env(), loadConfigFile(file));
    await worker.runUntil(async () => {
      const first = await runCli(['sales-connect', 'run', '--config', file, '--detach']);
      const second = await runCli(['sales-connect', 'run', '--config', file, '--detach']);
      expect([first.code, second.code]).toEqual([0, 0]);
      const handle = env().client.workflow.getHandle(workflowId);
      const runs: string[] = [];
      for await (const execution of env().client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
        runs.push(execution.runId);
      expect(runs).toHaveLength(1);

      const awaiting = (step: string) =>
        waitFor(async () => (await handle.query(provisioningProgressQuery)).awaiting?.step === step, {
          what: `step ${step}`,
        });
      await awaiting('salesforce-connected');
      const wrongStep = await runCli([
        'sales-connect',
        'confirm',
        '--config',
        file,
        '--step',
        'marketo-connected',
      ]);
      expect(wrongStep.code).toBe(2);
      expect(wrongStep.err).toContain(
        'The run waits for step "salesforce-connected", not "marketo-connected".',
      );
      const salesforce = await runCli([
        'sales-connect',
        'confirm',
        '--config',
        file,
        '--step',
        'salesforce-connected',
        '--instance-url',
        DEMO_SALES_CONNECT.salesforceInstance,
        '--production',
      ]);
      expect(salesforce).toMatchObject({ code: 0, out: 'Confirmed "salesforce-connected".' });
      await awaiting('marketo-connected');
      const marketo = await runCli([
        'sales-connect',
        'confirm',
        '--config',
        file,
        '--step',
        'marketo-connected',
        '--munchkin-id',
        DEMO_MARKETO.munchkinId,
      ]);
      expect(marketo).toMatchObject({ code: 0, out: 'Confirmed "marketo-connected".' });
      // The worker's manual gateway keeps Adobe's ten minutes, which this test does not wait out.
      await waitFor(async () => (await handle.query(provisioningProgressQuery)).phase === 'waiting', {
        what: 'the wait',
      });
      const status = await runCli(['sales-connect', 'status', '--config', file]);
      expect(status.out).toContain(`${workflowId}: RUNNING, phase waiting`);
      await handle.terminate('test done');
    });
  });
});

describe('cutover search-attributes', () => {
  it('reports that every cutover search attribute is registered, and changes nothing on a second call', async () => {
    const file = migrationConfig(uniqueTaskQueue('cli-search-attributes'), [{ name: 'prod' }]);
    for (let call = 0; call < 2; call += 1) {
      const result = await runCli(['search-attributes', '--config', file]);
      expect(result).toMatchObject({
        code: 0,
        out: 'All 10 cutover search attributes already exist on default.',
      });
    }
  });
});
