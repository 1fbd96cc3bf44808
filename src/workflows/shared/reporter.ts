import type { QueryDefinition, SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { describeOutageWait, type OutageWait } from '../../domain/outage';
import {
  CutoverItemsDone,
  CutoverItemsFailed,
  CutoverItemsTotal,
  CutoverPhase,
  CutoverWaitingFor,
} from '../../visibility/search-attributes';
import { describeFailure } from './failures';

/** Where a run stands, as every run kind tells it: a phase, item counts, and what a person should know. */
export interface RunStanding {
  phase: string;
  total: number;
  done: number;
  failed: number;
  /** One row per status with at least one item, in the order the kind reads best. */
  counts: ReadonlyArray<readonly [status: string, count: number]>;
  /** Markdown below the phase (e.g. what to click, or who waits for approval). */
  note?: string;
  /** The unit the counts are of, e.g. "dataflows" or "users". */
  unit: string;
  /** The APIs the run waits for during their outage. */
  waitingFor?: readonly OutageWait[];
}

/**
 * The one place a running workflow makes itself visible: search attributes
 * (filters in the UI and `cutover status`), current details (the UI's summary
 * of where it stands) and the progress query. What a run is about (kind,
 * organisation, sandboxes) is set once, by its start options in `src/runs`.
 * Search attributes can be off for servers that have none (the time-skipping
 * test server).
 */
export class RunReporter<P> {
  /** Whether the search attributes show an API being waited for, so the next report can clear it. */
  private shownWaiting = false;

  constructor(
    private readonly options: { useSearchAttributes?: boolean },
    query: QueryDefinition<P>,
    progress: () => P,
  ) {
    setHandler(query, progress);
  }

  private upsert(attributes: Parameters<typeof upsertSearchAttributes>[0]): void {
    if (this.options.useSearchAttributes !== false) upsertSearchAttributes(attributes);
  }

  /** `attributes`: what a kind indexes beyond phase and counts (identifiers and statuses only). */
  report(standing: RunStanding, attributes: SearchAttributeUpdatePair[] = []): void {
    const waits = standing.waitingFor ?? [];
    if (waits.length || this.shownWaiting) {
      attributes = [
        ...attributes,
        {
          key: CutoverWaitingFor,
          value: waits.length ? waits.map((wait) => `${wait.api} since ${wait.since}`) : null,
        },
      ];
      this.shownWaiting = waits.length > 0;
    }
    this.upsert([
      { key: CutoverPhase, value: standing.phase },
      { key: CutoverItemsTotal, value: standing.total },
      { key: CutoverItemsDone, value: standing.done },
      { key: CutoverItemsFailed, value: standing.failed },
      ...attributes,
    ]);
    setCurrentDetails(
      [
        `**Phase:** ${standing.phase}`,
        ...waits.map((wait) => `\n**Paused:** ${describeOutageWait(wait)}`),
        ...(standing.note ? ['', standing.note] : []),
        ...(standing.counts.length
          ? [
              '',
              `| status | ${standing.unit} |`,
              '| --- | --- |',
              ...standing.counts.map(([status, count]) => `| ${status} | ${count} |`),
            ]
          : []),
      ].join('\n'),
    );
  }

  /** The run failed: its phase says so, and its details say why. */
  failed(error: unknown): void {
    this.upsert([{ key: CutoverPhase, value: 'failed' }]);
    setCurrentDetails(`**Failed:** ${describeFailure(error)}`);
  }
}

/** How many items have each status, in the given order, zeros included: one pass however many items. */
export function tallyByStatus<T extends { status: string }>(
  items: readonly T[],
  order: readonly string[],
): Map<string, number> {
  const tally = new Map(order.map((status) => [status, 0]));
  for (const { status } of items) {
    const count = tally.get(status);
    if (count !== undefined) tally.set(status, count + 1);
  }
  return tally;
}

/** Counts per status, in the given order, leaving out the statuses no item has. */
export function countsByStatus<T extends { status: string }>(
  items: readonly T[],
  order: readonly string[],
): Array<[string, number]> {
  return nonZero(tallyByStatus(items, order));
}

/** The statuses of a tally some item has, in its order. */
export function nonZero(tally: Map<string, number>): Array<[string, number]> {
  return [...tally].filter(([, count]) => count > 0);
}
