import { describeOutageWait } from '../../domain/outage';
import type { ItemProgress, MigrationProgress } from '../../workflows/migration/messages';
import { formatTable } from '../table';

export function progressTable(items: ItemProgress[]): string {
  return formatTable(
    ['sandbox', 'V1 dataflow', 'status', 'V2 dataflow', 'records V1/V2', 'reason'],
    items.map((item) => [
      item.sandbox,
      item.name,
      item.status,
      item.v2FlowId ?? '',
      item.v1Records === undefined && item.v2Records === undefined
        ? ''
        : `${item.v1Records ?? '-'}/${item.v2Records ?? '-'}`,
      item.reason ?? (item.warnings?.length ? `warning: ${item.warnings.join('; ')}` : ''),
    ]),
  );
}

export function progressSummary(progress: MigrationProgress): string {
  const counts = new Map<string, number>();
  for (const item of progress.items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
  const parts = [...counts].map(([status, count]) => `${count} ${status}`);
  return `phase ${progress.phase}${parts.length ? `: ${parts.join(', ')}` : ''}${waitingLines(progress)}`;
}

/** A paused run says which API it waits for, since when, and until when it will. */
export function waitingLines(progress: Pick<MigrationProgress, 'waitingFor'>): string {
  return (progress.waitingFor ?? []).map((wait) => `\npaused: ${describeOutageWait(wait)}`).join('');
}
