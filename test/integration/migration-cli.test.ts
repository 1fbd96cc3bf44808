import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { TEST_SECRETS, rawSimulatorConfig } from '../support/cutover-config';
import { startMigration } from '../../src/cli/commands/migration';
import { sfmcRun } from '../../src/runs';
import { loadConfigFile } from '../../src/config/load';
import { progressQuery } from '../../src/workflows/migration/messages';
import { adminPut } from '../support/cutover-config';
import { runCli } from '../support/cli';
import { cutoverTestWorker } from '../support/cutover-worker';
import { useSimulator } from '../support/simulator';
import { useTemporalEnvironment } from '../support/temporal-env';
import { waitFor } from '../support/wait-for';
import { uniqueTaskQueue } from '../support/worker';

const simulator = useSimulator();

function writeConfig(mutate: (config: ReturnType<typeof rawSimulatorConfig>) => void = () => {}): string {
  const config = rawSimulatorConfig(simulator(), 'cli-plan');
  mutate(config);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-cli-')), 'cutover.yaml');
  fs.writeFileSync(file, YAML.stringify(config));
  return file;
}

describe('cutover sfmc plan', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('prints the plan as a table and changes nothing', async () => {
    for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
    const requestsBefore = simulator()
      .requests.list({ method: 'POST' })
      .filter((entry) => entry.module === 'flowService').length;
    const { code, out } = await runCli(['sfmc', 'plan', '--config', writeConfig(), '--sandbox', 'prod']);
    expect(code).toBe(0);
    expect(out).toMatch(/prod\s+SFMC Subscriber to AEP\s+migrate\s+Subscribers \/ ModifiedDate/);
    expect(out).toMatch(/SFMC LoyaltyTier__c to AEP\s+skip \(custom-object\)/);
    expect(out).toContain('2 dataflow(s) to migrate, 3 reported and skipped.');
    expect(
      simulator()
        .requests.list({ method: 'POST' })
        .filter((entry) => entry.module === 'flowService'),
    ).toHaveLength(requestsBefore);
  });

  it('prints JSON on request', async () => {
    for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
    const { code, out } = await runCli(['sfmc', 'plan', '--config', writeConfig(), '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as {
      plans: Array<{ sandbox: string; items: unknown[] }>;
      blockers: string[];
    };
    expect(parsed.plans.map((plan) => [plan.sandbox, plan.items.length])).toEqual([
      ['prod', 5],
      ['dev', 2],
    ]);
    expect(parsed.blockers).toEqual([]);
  });

  it('exits non-zero and says why when the V2 base endpoint cannot be a prefix', async () => {
    for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
    const file = writeConfig((config) => {
      config.sfmc.baseEndpoint = 'https://mcdemo.rest.marketingcloudapis.com/';
    });
    const { code, err } = await runCli(['sfmc', 'plan', '--config', file, '--sandbox', 'prod']);
    expect(code).toBe(2);
    expect(err).toContain(
      'Fix the config first:\n  - sfmc.baseEndpoint "https://mcdemo.rest.marketingcloudapis.com/" is not the authentication base URI',
    );
  });

  it('rejects an unknown sandbox flag by name', async () => {
    const { code, err } = await runCli(['sfmc', 'plan', '--config', writeConfig(), '--sandbox', 'nope']);
    expect(code).toBe(2);
    expect(err).toContain('--sandbox nope: not in adobe.sandboxes (prod, dev)');
  });
});

describe('cutover marketo plan', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('prints each V1 destination dataflow with its V2 card, audiences, identities and attributes', async () => {
    for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
    const { code, out } = await runCli(['marketo', 'plan', '--config', writeConfig(), '--sandbox', 'prod']);
    expect(code).toBe(0);
    expect(out).toMatch(
      /prod\s+Marketo V1 - Newsletter audiences\s+migrate\s+\(Legacy\) \(V2\) Marketo Engage\s+2\s+Email\s+firstName, lastName, company/,
    );
    expect(out).toMatch(/Marketo V1 - Legacy import \(no identity\)\s+skip \(no-identity\)/);
    expect(out).toContain('2 destination dataflow(s) to replace, 1 reported and skipped.');
  });

  it('plans for the newer Marketo Engage card when the config names it', async () => {
    for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
    const file = writeConfig((config) =>
      Object.assign(config.marketo, { target: 'marketoEngage', engage: { workspaceId: 1 } }),
    );
    const { code, out } = await runCli(['marketo', 'plan', '--config', file, '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(out) as { plans: Array<{ items: Array<{ v2?: { target: string } }> }> };
    const targets = parsed.plans.flatMap((plan) => plan.items.flatMap((item) => item.v2?.target ?? []));
    expect(new Set(targets)).toEqual(new Set(['marketoEngage']));
  });

  it('exits non-zero and names the field when a Marketo credential is malformed', async () => {
    for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
    const file = writeConfig((config) => {
      config.marketo.clientId = 'abc def';
    });
    const { code, err } = await runCli(['marketo', 'plan', '--config', file, '--sandbox', 'prod']);
    expect(code).toBe(2);
    expect(err).toMatch(/^marketo\.clientId: /m);
  });
});

describe('cutover sales-connect plan', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  const withSalesConnect = (dailyApiLimit: number) =>
    writeConfig((config) => {
      Object.assign(config, {
        salesConnect: {
          instanceId: 'sc-demo-production',
          gateway: { type: 'http', baseUrl: `${simulator().baseUrl}/sales-connect`, simulated: true },
          users: [
            { email: 'ben.seller@demo.example' },
            { email: 'emma.lead@demo.example', workspace: 'Americas' },
          ],
        },
        salesforce: {
          instance: 'https://cutover-demo.my.salesforce.com',
          isProduction: true,
          marketoMeasure: {
            instance: 'https://cutover-demo.my.salesforce.com',
            isProduction: true,
            dailyApiLimit,
          },
        },
      });
    });

  it('prints each user’s planned action and the order of the steps, changing nothing', async () => {
    for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
    const { code, out } = await runCli(['sales-connect', 'plan', '--config', withSalesConnect(100_000)]);
    expect(code).toBe(0);
    expect(out).toMatch(/ben\.seller@demo\.example\s+invite\s+Default/);
    expect(out).toMatch(/emma\.lead@demo\.example\s+reject\s+EMEA\s+workspace-change-requires-disconnect/);
    expect(out).toContain(
      'Connect Marketo, wait 10 minutes after the connection, then invite 1 user(s) in 1 batch(es).',
    );
    expect(simulator().requests.list({ module: 'salesConnect', method: 'PUT' })).toEqual([]);
  });

  it('exits non-zero with the rule, the values seen and the fix when the preflight fails', async () => {
    for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
    const { code, err } = await runCli(['sales-connect', 'plan', '--config', withSalesConnect(5_000)]);
    expect(code).toBe(1);
    expect(err).toContain(
      "BLOCKED: [measure-daily-api-limit] Marketo Measure's daily CRM API limit is 5,000; Adobe requires at least 100,000",
    );
  });
});

describe('cutover status and approve', () => {
  const env = useTemporalEnvironment();

  it('show the progress of a waiting migration and approve it', async () => {
    for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
    await adminPut(simulator(), '/__admin/flow-service/settings', { runDurationMs: 0 });
    const taskQueue = uniqueTaskQueue('cli-approve');
    const file = writeConfig((config) => {
      Object.assign(config, { temporal: { address: env().address, taskQueue } });
      config.adobe.sandboxes = [{ name: 'prod', autoApprove: false }];
    });
    const config = loadConfigFile(file);
    const worker = await cutoverTestWorker(env(), config);
    const handle = await startMigration(env().client, config, sfmcRun);
    const result = await worker.runUntil(async () => {
      await waitFor(async () => (await handle.query(progressQuery)).phase === 'awaiting-approval', {
        timeoutMs: 30_000,
        what: 'the approval gate',
      });
      // Other files migrate the same demo org on the shared server at the same time, so the run is named.
      const status = await runCli(['status', '--config', file, '--workflow-id', handle.workflowId]);
      expect(status.code).toBe(0);
      expect(status.out).toContain(
        `${handle.workflowId}: RUNNING, phase awaiting-approval: 2 verified, 3 skipped`,
      );
      const approved = await runCli(['approve', '--config', file, '--workflow-id', handle.workflowId]);
      expect(approved).toMatchObject({ code: 0, out: 'Approved V1 deletion in prod.' });
      return handle.result();
    });
    expect(result.phase).toBe('completed');
  });
});
