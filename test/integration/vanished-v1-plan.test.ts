/**
 * Every V1 is accounted for: a V1 SFMC dataflow whose source connection or
 * mapping set was deleted in the UI is still listed by `sfmc plan`, as one
 * that cannot migrate, with what to fix, and nothing is written.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';
import { TEST_SECRETS, adminDelete, rawSimulatorConfig } from '../support/cutover-config';
import { runCli } from '../support/cli';
import { remoteWrites } from '../support/corpus';
import { collect, demoAdobeClients } from '../support/simulator';

let simulator: RunningSimulator;
let file: string;
const gone = { source: '', mapping: '', target: '' };

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-vanished-')), 'cutover.yaml');
  fs.writeFileSync(file, YAML.stringify(rawSimulatorConfig(simulator, 'vanished')));
  const flows = await collect(demoAdobeClients(simulator, 'prod').flowService.flows.list());
  const subscriber = flows.find((flow) => flow.name === 'SFMC Subscriber to AEP')!;
  const campaign = flows.find((flow) => flow.name === 'SFMC Campaign to AEP')!;
  gone.source = subscriber.sourceConnectionIds[0]!;
  gone.mapping = String(campaign.transformations.find((step) => step.name === 'Mapping')!.params.mappingId);
  const newsletter = flows.find((flow) => flow.name === 'Marketo V1 - Newsletter audiences')!;
  gone.target = newsletter.targetConnectionIds[0]!;
  await adminDelete(simulator, `/__admin/flow-service/sourceConnections/${gone.source}`);
  await adminDelete(simulator, `/__admin/flow-service/targetConnections/${gone.target}`);
  await adminDelete(simulator, `/__admin/data-prep/mappingSets/${gone.mapping}`);
});
afterAll(() => simulator.close());

describe('sfmc plan with V1 objects deleted in the UI', () => {
  it('lists the V1 whose source connection and the one whose mapping set is gone, with the fix, and writes nothing', async () => {
    for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
    const writesBefore = remoteWrites(simulator);
    const json = await runCli(['sfmc', 'plan', '--config', file, '--sandbox', 'prod', '--json']);
    const table = await runCli(['sfmc', 'plan', '--config', file, '--sandbox', 'prod']);
    vi.unstubAllEnvs();
    expect(json.code, json.err).toBe(0);
    const prod = prodPlan(json.out);
    // The demo's prod sandbox holds five V1 SFMC dataflows: all five are still listed.
    expect(prod.items).toHaveLength(5);
    expect(prod.items.find((item) => item.v1.name === 'SFMC Subscriber to AEP')).toMatchObject({
      action: 'skip',
      reason: 'v1-source-missing',
      detail: expect.stringContaining(`its source connection ${gone.source} is gone`),
    });
    expect(prod.items.find((item) => item.v1.name === 'SFMC Campaign to AEP')).toMatchObject({
      action: 'skip',
      reason: 'v1-mapping-missing',
      detail: expect.stringContaining(`its mapping set ${gone.mapping} is gone`),
    });
    expect(table.out).toMatch(/SFMC Subscriber to AEP\s+skip \(v1-source-missing\)/);
    expect(table.out).toMatch(/SFMC Campaign to AEP\s+skip \(v1-mapping-missing\)/);
    expect(remoteWrites(simulator)).toEqual(writesBefore);
  });
});

describe('marketo plan with V1 objects deleted in the UI', () => {
  it('lists the V1 whose target connection is gone, and the one with no identity mapping, and writes nothing', async () => {
    for (const [name, value] of Object.entries(TEST_SECRETS)) vi.stubEnv(name, value);
    const writesBefore = remoteWrites(simulator);
    const json = await runCli(['marketo', 'plan', '--config', file, '--sandbox', 'prod', '--json']);
    vi.unstubAllEnvs();
    expect(json.code, json.err).toBe(0);
    const prod = prodPlan(json.out);
    // The demo's prod sandbox holds three V1 Marketo destination dataflows: all three are still listed.
    expect(prod.items).toHaveLength(3);
    expect(prod.items.find((item) => item.v1.name === 'Marketo V1 - Newsletter audiences')).toMatchObject({
      action: 'skip',
      reason: 'v1-target-connection-missing',
      detail: expect.stringContaining(`its target connection ${gone.target} is gone`),
    });
    expect(
      prod.items.find((item) => item.v1.name === 'Marketo V1 - Legacy import (no identity)'),
    ).toMatchObject({
      action: 'skip',
      reason: 'no-identity',
    });
    expect(remoteWrites(simulator)).toEqual(writesBefore);
  });
});

interface PlannedItem {
  action: string;
  reason?: string;
  detail?: string;
  v1: { name: string };
}

/** The prod sandbox's plan from `plan --json`. */
function prodPlan(out: string): { items: PlannedItem[] } {
  return (JSON.parse(out) as { plans: Array<{ items: PlannedItem[] }> }).plans[0]!;
}
