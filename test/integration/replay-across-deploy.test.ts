/**
 * A rolling deploy puts new workflow code on workers while runs the old code
 * started are still open: each must replay the history the old workers
 * wrote. Every history under test/fixtures/histories (one folder per
 * recording, `npm run record-histories`) replays against today's code,
 * decoded with the test key it was encrypted with. A recording is never
 * refreshed to let a change pass; a change that would not replay it is
 * guarded with `patched()`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import * as workflows from '../../src/workflows';
import { historyFixturesDataConverter } from '../support/history-codec';
import { workflowBundle } from '../support/worker';

const FIXTURES = path.join(__dirname, '../fixtures/histories');
const workflowsPath = path.join(__dirname, '../../src/workflows/index.ts');

/** Every workflow type a worker may find an open run of; written out, since an oracle never imports what it checks. */
const WORKFLOW_TYPES = [
  'sfmcMigrationWorkflow',
  'sfmcSandboxMigrationWorkflow',
  'sfmcDataflowMigrationWorkflow',
  'marketoMigrationWorkflow',
  'marketoSandboxMigrationWorkflow',
  'marketoDataflowMigrationWorkflow',
  'salesConnectProvisioningWorkflow',
  'scheduledIngestionWorkflow',
  'ingestionBackfillWorkflow',
  'ingestionGroupWorkflow',
  'doctorWorkflow',
];

interface RecordedHistory {
  events: Array<{
    workflowExecutionStartedEventAttributes?: { workflowId?: string; workflowType?: { name?: string } };
  }>;
}

function historyFiles(folder: string): string[] {
  return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(folder, entry.name);
    if (entry.isDirectory()) return historyFiles(file);
    return entry.name.endsWith('.json') && entry.name !== 'manifest.json' ? [file] : [];
  });
}

const recorded = historyFiles(FIXTURES)
  .sort()
  .map((file) => ({
    name: path.relative(FIXTURES, file).replace(/\.json$/, ''),
    history: JSON.parse(fs.readFileSync(file, 'utf8')) as RecordedHistory,
  }));

// As the history itself records it, not as a manifest says.
const startOf = (history: RecordedHistory) => history.events[0]?.workflowExecutionStartedEventAttributes;

describe('histories recorded by earlier workflow code', () => {
  // One replay worker for the whole corpus: a worker per history would cost more than the replays.
  const outcomes = new Map<string, Error | undefined>();
  beforeAll(async () => {
    const replays = Worker.runReplayHistories(
      {
        workflowBundle: await workflowBundle(workflowsPath),
        dataConverter: await historyFixturesDataConverter(),
      },
      // Workflows name their children after their own id, so each replays under the id it ran with.
      recorded.map(({ name, history }) => ({ workflowId: startOf(history)?.workflowId ?? name, history })),
    );
    // One result per history, in order: ids repeat across recordings, file names do not.
    let next = 0;
    for await (const { error } of replays) outcomes.set(recorded[next++]!.name, error);
  });

  it('cover every workflow type', () => {
    const covered = new Set(recorded.map(({ history }) => startOf(history)?.workflowType?.name));
    expect(WORKFLOW_TYPES.filter((type) => !covered.has(type))).toEqual([]);
  });

  it('include the history recorded before the Sales Connect recheck patch', () => {
    expect(recorded.map(({ name }) => name)).toContain('2026-12-02-before-recheck/sales-connect-http--run');
  });

  // A loop rather than it.each, whose titles would cut the history's name short.
  for (const { name } of recorded) {
    it(`${name} replays on today’s code`, () => {
      expect(outcomes.has(name), `${name} was replayed`).toBe(true);
      const failure = outcomes.get(name);
      if (failure) throw new Error(`${name} does not replay: ${failure.message}`, { cause: failure });
    });
  }
});

describe('the list of workflow types', () => {
  it('names every workflow src/workflows exports, so a new one needs a recorded history', () => {
    expect(Object.keys(workflows).filter((name) => !WORKFLOW_TYPES.includes(name))).toEqual([]);
  });
});
