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

/** Consecutive windows from `from` up to `to` (unix seconds, end exclusive), the last one clipped at `to`. */
export interface WindowRange {
  from: number;
  to: number;
}

/**
 * What a scheduled run ingests of a flow, oldest first: from where the last
 * success ended up to `end`, so a missed or failed window is picked up by the
 * next run and nothing already ingested is ingested again. A flow never
 * ingested starts with the one window before `end`. At most `max` windows
 * per run; the rest are left for the next one.
 */
export function scheduledRange(
  lastEnd: number | undefined,
  end: number,
  windowSeconds: number,
  max: number,
): WindowRange {
  const from = lastEnd ?? end - windowSeconds;
  return { from, to: Math.max(from, Math.min(end, from + max * windowSeconds)) };
}

/** A past period in the schedule's windows; the edges snap outwards to window boundaries. */
export function periodRange(fromSeconds: number, toSeconds: number, windowSeconds: number): WindowRange {
  return {
    from: Math.floor(fromSeconds / windowSeconds) * windowSeconds,
    to: Math.ceil(toSeconds / windowSeconds) * windowSeconds,
  };
}

/** The window of a range that starts at `start`. */
export function windowAt(start: number, range: WindowRange, windowSeconds: number): IngestionWindow {
  return { start, end: Math.min(start + windowSeconds, range.to) };
}

export function windowCount(range: WindowRange, windowSeconds: number): number {
  return Math.max(0, Math.ceil((range.to - range.from) / windowSeconds));
}

export function windowsOf(range: WindowRange, windowSeconds: number): IngestionWindow[] {
  return Array.from({ length: windowCount(range, windowSeconds) }, (_, index) =>
    windowAt(range.from + index * windowSeconds, range, windowSeconds),
  );
}

/** The windows of `scheduledRange`, one by one. */
export function windowsToIngest(
  lastEnd: number | undefined,
  end: number,
  windowSeconds: number,
  max: number,
): IngestionWindow[] {
  return windowsOf(scheduledRange(lastEnd, end, windowSeconds, max), windowSeconds);
}

/** The windows of `periodRange`, one by one. */
export function splitPeriod(
  fromSeconds: number,
  toSeconds: number,
  windowSeconds: number,
): IngestionWindow[] {
  return windowsOf(periodRange(fromSeconds, toSeconds, windowSeconds), windowSeconds);
}
