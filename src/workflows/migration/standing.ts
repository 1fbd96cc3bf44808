import { nonZero, tallyByStatus, type RunStanding } from '../shared/reporter';
import type { ItemStatus, MigrationProgress } from './messages';

export const ITEM_STATUS_ORDER: ItemStatus[] = [
  'planned',
  'skipped',
  'migrating',
  'verified',
  'failed',
  'v1-removed',
  'rolled-back',
];

/** Where a migration (a run or one sandbox of it) stands, as its reporter shows it; the tally too, for the metrics. */
export function migrationStanding(progress: MigrationProgress): {
  standing: RunStanding;
  tally: Map<string, number>;
} {
  const tally = tallyByStatus(progress.items, ITEM_STATUS_ORDER);
  const count = (status: ItemStatus) => tally.get(status) ?? 0;
  const waiting = progress.awaitingApproval;
  return {
    tally,
    standing: {
      phase: progress.phase,
      unit: 'dataflows',
      total: progress.items.length,
      done: count('verified') + count('v1-removed'),
      failed: count('failed'),
      counts: nonZero(tally),
      ...(progress.waitingFor?.length ? { waitingFor: progress.waitingFor } : {}),
      ...(waiting.length ? { note: `Waiting for \`approve\` or \`reject\`: ${waiting.join(', ')}` } : {}),
    },
  };
}
