import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/config/secrets';
import { formatLogEntry } from '../../src/observability/logger';

describe('structured logs', () => {
  it('writes one JSON object per entry with metadata and scrubs resolved secrets', () => {
    const redactor = new Redactor();
    redactor.remember('hunter2-secret');
    const line = formatLogEntry(
      {
        level: 'WARN',
        message: 'token request failed for hunter2-secret',
        timestampNanos: 1_700_000_000_000_000_000n,
        meta: { sandbox: 'prod', attempt: 2, error: new Error('bad hunter2-secret') },
      },
      redactor,
    );
    const record = JSON.parse(line);
    expect(record).toMatchObject({
      time: '2023-11-14T22:13:20.000Z',
      level: 'WARN',
      message: 'token request failed for [redacted]',
      sandbox: 'prod',
      attempt: 2,
    });
    expect(record.error.message).toBe('bad [redacted]');
    expect(line).not.toContain('hunter2');
  });
});
