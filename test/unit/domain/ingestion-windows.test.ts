import { describe, expect, it } from 'vitest';
import {
  lastSuccessfulWindowEnd,
  splitPeriod,
  windowEndAt,
  windowsToIngest,
} from '../../../src/domain/ingestion/windows';

const HOUR = 3600;

describe('ingestion windows', () => {
  it('closes the window a scheduled time falls in at the last boundary', () => {
    expect(windowEndAt(10 * HOUR + 59, HOUR)).toBe(10 * HOUR);
    expect(windowEndAt(10 * HOUR, HOUR)).toBe(10 * HOUR);
  });

  it('takes the remote runs as the record: the latest successful on-demand window, never a failed or scheduled one', () => {
    expect(
      lastSuccessfulWindowEnd([
        { windowStart: 0, windowEnd: HOUR, status: 'success' },
        { windowStart: HOUR, windowEnd: 2 * HOUR, status: 'failed' },
        { windowStart: 2 * HOUR, windowEnd: 3 * HOUR, status: 'pending' },
        { status: 'success' },
      ]),
    ).toBe(HOUR);
    expect(lastSuccessfulWindowEnd([{ status: 'success' }])).toBeUndefined();
  });

  it('ingests from where the last success ended, so a missed or failed window comes first, without gaps', () => {
    expect(windowsToIngest(HOUR, 4 * HOUR, HOUR, 24)).toEqual([
      { start: HOUR, end: 2 * HOUR },
      { start: 2 * HOUR, end: 3 * HOUR },
      { start: 3 * HOUR, end: 4 * HOUR },
    ]);
  });

  it('ingests nothing already ingested, one window for a new flow, and at most the cap per run', () => {
    expect(windowsToIngest(4 * HOUR, 4 * HOUR, HOUR, 24)).toEqual([]);
    expect(windowsToIngest(undefined, 4 * HOUR, HOUR, 24)).toEqual([{ start: 3 * HOUR, end: 4 * HOUR }]);
    expect(windowsToIngest(0, 100 * HOUR, HOUR, 2)).toEqual([
      { start: 0, end: HOUR },
      { start: HOUR, end: 2 * HOUR },
    ]);
    // A last window ending off a boundary is continued up to the next boundary, then whole windows.
    expect(windowsToIngest(HOUR + 600, 3 * HOUR, HOUR, 24)).toEqual([
      { start: HOUR + 600, end: 2 * HOUR + 600 },
      { start: 2 * HOUR + 600, end: 3 * HOUR },
    ]);
  });

  it('cuts a backfill period into whole windows, snapping outwards', () => {
    expect(splitPeriod(HOUR + 10, 3 * HOUR - 10, HOUR)).toEqual([
      { start: HOUR, end: 2 * HOUR },
      { start: 2 * HOUR, end: 3 * HOUR },
    ]);
  });
});
