import { describe, expect, it } from 'vitest';
import { cronProblem } from '../../../src/domain/ingestion/cron';

describe('cron expressions as Temporal Schedules read them', () => {
  it('accepts 5, 6 and 7 fields, names, ranges, steps, shorthands, @every, a time zone and a comment', () => {
    for (const good of [
      '0 * * * *',
      '*/15 6-18 * * MON-FRI',
      '0 12 1,15 JAN,jul ?',
      '0 0 * * * 2027',
      '30 0 0 1 1 * 2027',
      '@hourly',
      '@every 15m',
      '@every 1h/5m',
      'CRON_TZ=Europe/Paris 0 9 * * 1-5',
      '0 3 * * * # nightly',
    ])
      expect(cronProblem(good), good).toBeUndefined();
  });

  it('says which field is wrong and why', () => {
    expect(cronProblem('')).toBe('it is empty');
    expect(cronProblem('* * *')).toBe(
      'it has 3 field(s); Temporal reads 5 (minute hour day-of-month month day-of-week), 6 (plus year) or 7 (second first)',
    );
    expect(cronProblem('61 * * * *')).toBe('minute "61": 61 is outside 0-59');
    expect(cronProblem('0 24 * * *')).toBe('hour "24": 24 is outside 0-23');
    expect(cronProblem('0 0 0 * *')).toBe('day of month "0": 0 is outside 1-31');
    expect(cronProblem('0 0 * FOO *')).toBe('month "FOO": "FOO" is not a month');
    expect(cronProblem('0 0 * * 5-1')).toBe('day of week "5-1": the range "5-1" runs backwards');
    expect(cronProblem('*/0 * * * *')).toBe('minute "*/0": the step "0" must be a positive number');
    expect(cronProblem('1/2/3 * * * *')).toBe('minute "1/2/3": "1/2/3" has more than one "/"');
    expect(cronProblem('1-2-3 * * * *')).toBe('minute "1-2-3": "1-2-3" is not a value, a range (a-b) or *');
    expect(cronProblem('@often')).toBe(
      '"@often" is not a shorthand Temporal knows (@yearly, @monthly, @weekly, @daily, @hourly, or @every 15m)',
    );
    expect(cronProblem('@every 0m')).toBe('an @every interval must be longer than zero');
  });
});
