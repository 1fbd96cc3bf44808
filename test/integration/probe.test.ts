/**
 * `cutover probe` reads the organisation as a run will and changes nothing:
 * the simulator sees only GETs and token requests, whatever the probe finds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import type { ProbeFinding } from '../../src/domain/probe';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { runCli } from '../support/cli';
import { DEMO_ORG_ID } from '../../src/simulator/seeds/demo-catalog';
import { TEST_SECRETS, adminPut, rawSalesConnectConfig } from '../support/cutover-config';

let simulator: RunningSimulator;
beforeEach(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await simulator.close();
});

type RawConfig = ReturnType<typeof rawSalesConnectConfig>;

function writeConfig(change: (raw: RawConfig) => void = () => {}): string {
  const raw = rawSalesConnectConfig(simulator, 'probe', { users: [{ email: 'ben.seller@demo.example' }] });
  change(raw);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-probe-')), 'cutover.yaml');
  fs.writeFileSync(file, YAML.stringify(raw));
  return file;
}

/** Every request that could change something: anything but a GET, apart from token requests. */
const writes = () =>
  simulator.requests
    .list()
    .filter((entry) => entry.method !== 'GET' && entry.module !== 'admin')
    .filter((entry) => !(entry.module === 'ims' || /\/(token|identity\/oauth\/token)$/.test(entry.path)))
    .map((entry) => `${entry.method} ${entry.path}`);

async function probe(file: string) {
  const { code, out } = await runCli(['probe', '--json', '--config', file]);
  return { code, ...(JSON.parse(out) as { findings: ProbeFinding[]; blocked: boolean }) };
}

describe('cutover probe', () => {
  it('passes on the demo organisation, printing one table of checks, and writes nothing', async () => {
    const file = writeConfig();
    const table = await runCli(['probe', '--config', file]);
    expect(table.code).toBe(0);
    expect(table.out).toMatch(/^check +result +what to set or fix$/m);
    expect(table.out).toContain('Nothing was changed.');

    const { code, findings } = await probe(file);
    expect(code).toBe(0);
    expect(findings.filter((finding) => finding.result === 'blocker')).toEqual([]);
    const checks = findings.map((finding) => finding.check);
    expect(checks).toEqual(
      expect.arrayContaining([
        'Adobe IMS token',
        'spec sfmcV2 (Salesforce Marketing Cloud V2 source)',
        'read dataflows in prod',
        'read Data Prep mapping sets in dev',
        'SFMC V2 token and Data Extensions: Read',
        'Marketo identity token and Describe Lead',
        'Sales Connect bridge contract v1',
      ]),
    );
    expect(findings.find((finding) => finding.check.startsWith('spec sfmcV1'))?.detail).toBe(
      'ea1c2a08-b722-11eb-8529-0242ac130003 (documented)',
    );
    expect(findings.find((finding) => finding.check.startsWith('spec sfmcV2'))?.detail).toMatch(/\(label\)$/);
    expect(findings.find((finding) => finding.check === 'SFMC data extensions: $search')).toMatchObject({
      result: 'ok',
      detail: 'required by this tenant; discovery lists data extensions through searches',
    });
    // The test config leaves the Salesforce subscription facts out: the seed rules say so, without blocking.
    expect(
      findings.filter((finding) => finding.check.startsWith('Sales Connect preflight:')).map((f) => f.result),
    ).toEqual(expect.arrayContaining(['warning']));
    expect(writes()).toEqual([]);
  });

  it('names a spec the catalogue lacks, with the config key, exits 1, and writes nothing', async () => {
    const missing = '00000000-0000-4000-8000-00000000beef';
    const { code, findings } = await probe(
      writeConfig((raw) => Object.assign(raw.adobe, { specIds: { marketoV2: missing } })),
    );
    expect(code).toBe(1);
    expect(findings.filter((finding) => finding.result === 'blocker')).toEqual([
      {
        check: 'spec marketoV2 (Marketo V2 destination (legacy card))',
        result: 'blocker',
        detail: `the Marketo V2 destination (legacy card) id set in adobe.specIds.marketoV2 (${missing}) is not in this organisation's connection catalogue; set adobe.specIds.marketoV2 to the id the catalogue shows.`,
        fix: 'Set adobe.specIds.marketoV2 (needed by marketo.target).',
      },
    ]);
    expect(writes()).toEqual([]);
  });

  it('names a read permission the credential lacks, per collection and sandbox, and exits 1', async () => {
    await adminPut(simulator, '/__admin/flow-service/permissions', {
      orgId: DEMO_ORG_ID,
      denied: ['View Sources'],
      answer: 'missing',
    });
    const { code, findings } = await probe(writeConfig());
    expect(code).toBe(1);
    const blocked = findings.filter((finding) => finding.result === 'blocker');
    expect(blocked.map((finding) => finding.check).sort()).toEqual(
      ['prod', 'dev']
        .flatMap((sandbox) =>
          ['base connections', 'source connections', 'target connections', 'dataflows'].map(
            (what) => `read ${what} in ${sandbox}`,
          ),
        )
        .sort(),
    );
    for (const finding of blocked) expect(finding.detail).toContain('lacks the permission "read"');
    expect(writes()).toEqual([]);
  });

  it('names refused Marketo credentials and exits 1', async () => {
    const { code, findings } = await probe(
      writeConfig((raw) => {
        raw.marketo.clientId = 'not-a-launchpoint-client';
      }),
    );
    expect(code).toBe(1);
    expect(
      findings.filter((finding) => finding.result === 'blocker').map((finding) => finding.check),
    ).toEqual(['Marketo identity token and Describe Lead']);
    expect(writes()).toEqual([]);
  });
});
