/** An ingestion window in unix seconds, start inclusive, end exclusive, as Flow Service on-demand runs take it. */
export interface IngestionWindow {
  start: number;
  end: number;
}

/** What the planner needs of a Flow Service run: its window (on-demand runs only) and status. */
export interface RunSummary {
  windowStart?: number;
  windowEnd?: number;
  status: 'success' | 'failed' | 'pending';
}

/** The end of the window a scheduled time closes: the last window boundary at or before it. */
export function windowEndAt(scheduledAtSeconds: number, windowSeconds: number): number {
  return Math.floor(scheduledAtSeconds / windowSeconds) * windowSeconds;
}

/** Where ingestion stands for a flow: the end of the latest successful on-demand window, if any. */
export function lastSuccessfulWindowEnd(runs: RunSummary[]): number | undefined {
  const ends = runs.flatMap((run) =>
    run.status === 'success' && run.windowStart !== undefined && run.windowEnd !== undefined
      ? [run.windowEnd]
      : [],
  );
  return ends.length ? Math.max(...ends) : undefined;
}

/**
 * The windows a scheduled run ingests, oldest first: from where the last
 * success ended up to `end`, so a missed or failed window is picked up by the
 * next run and nothing already ingested is ingested again. A flow never
 * ingested starts with the one window before `end`. At most `max` windows
 * per run; the rest are left for the next one.
 */
export function windowsToIngest(
  lastEnd: number | undefined,
  end: number,
  windowSeconds: number,
  max: number,
): IngestionWindow[] {
  const from = lastEnd ?? end - windowSeconds;
  const windows: IngestionWindow[] = [];
  for (let start = from; start < end && windows.length < max; start += windowSeconds) {
    windows.push({ start, end: Math.min(start + windowSeconds, end) });
  }
  return windows;
}

/** A past period cut into the schedule's windows, in order; the edges snap outwards to window boundaries. */
export function splitPeriod(
  fromSeconds: number,
  toSeconds: number,
  windowSeconds: number,
): IngestionWindow[] {
  const first = Math.floor(fromSeconds / windowSeconds) * windowSeconds;
  const last = Math.ceil(toSeconds / windowSeconds) * windowSeconds;
  const windows: IngestionWindow[] = [];
  for (let start = first; start < last; start += windowSeconds)
    windows.push({ start, end: start + windowSeconds });
  return windows;
}
