/**
 * A rolling deploy puts new workflow code on workers while runs the old code
 * started are still open: each must replay the history the old workers
 * wrote. Fixtures are histories recorded by earlier code
 * (test/fixtures/histories/record.ts), never refreshed to let a change pass;
 * a change that would not replay them is guarded with `patched()`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../support/worker';

const FIXTURES = path.join(__dirname, '../fixtures/histories');
const workflowsPath = path.join(__dirname, '../../src/workflows/index.ts');

const recorded = fs
  .readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.json'))
  .map((file) => ({ name: file.replace(/\.json$/, ''), file: path.join(FIXTURES, file) }));

describe('histories recorded by earlier workflow code', () => {
  it('are there to replay', () => {
    expect(recorded.map(({ name }) => name)).toContain('sales-connect-provisioning-before-recheck');
  });

  it.each(recorded)('$name replays on today’s code', async ({ file, name }) => {
    const history: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(workflowsPath) }, history, name);
  });
});
