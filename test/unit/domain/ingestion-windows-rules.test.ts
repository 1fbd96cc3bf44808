import { describe, expect, it } from 'vitest';
import {
  lastSuccessfulWindowEnd,
  splitPeriod,
  windowEndAt,
  windowsToIngest,
} from '../../../src/domain/ingestion/windows';

const HOUR = 3600;

describe('lastSuccessfulWindowEnd', () => {
  it('takes the latest end of all successful windows, whatever the order of the runs', () => {
    expect(
      lastSuccessfulWindowEnd([
        { windowStart: 0, windowEnd: HOUR, status: 'success' },
        { windowStart: 2 * HOUR, windowEnd: 3 * HOUR, status: 'success' },
        { windowStart: HOUR, windowEnd: 2 * HOUR, status: 'success' },
      ]),
    ).toBe(3 * HOUR);
    expect(lastSuccessfulWindowEnd([])).toBeUndefined();
  });

  it('ignores a successful run that lacks either edge of its window', () => {
    expect(
      lastSuccessfulWindowEnd([
        { windowStart: 0, windowEnd: HOUR, status: 'success' },
        { windowEnd: 5 * HOUR, status: 'success' },
        { windowStart: 6 * HOUR, status: 'success' },
      ]),
    ).toBe(HOUR);
  });
});

describe('windowsToIngest', () => {
  it('stops at the cap even when more windows are due, and at the end even below the cap', () => {
    expect(windowsToIngest(0, 3 * HOUR, HOUR, 3)).toHaveLength(3);
    expect(windowsToIngest(0, 3 * HOUR, HOUR, 4)).toHaveLength(3);
    expect(windowsToIngest(0, 3 * HOUR, HOUR, 1)).toEqual([{ start: 0, end: HOUR }]);
  });

  it('ingests nothing when the last success ended after the window end', () => {
    expect(windowsToIngest(5 * HOUR, 4 * HOUR, HOUR, 24)).toEqual([]);
  });
});

describe('windowEndAt and splitPeriod', () => {
  it('closes windows on boundaries of the window length', () => {
    expect(windowEndAt(7 * 900 + 1, 900)).toBe(7 * 900);
    expect(windowEndAt(899, 900)).toBe(0);
  });

  it('keeps a period that is already on boundaries as it is, and an empty one empty', () => {
    expect(splitPeriod(HOUR, 3 * HOUR, HOUR)).toEqual([
      { start: HOUR, end: 2 * HOUR },
      { start: 2 * HOUR, end: 3 * HOUR },
    ]);
    expect(splitPeriod(2 * HOUR, 2 * HOUR, HOUR)).toEqual([]);
    expect(splitPeriod(2 * HOUR + 1, 2 * HOUR + 2, HOUR)).toEqual([{ start: 2 * HOUR, end: 3 * HOUR }]);
  });
});
