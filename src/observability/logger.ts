import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';
import { processRedactor, type Redactor } from '../config/secrets';

function jsonSafe(value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** One JSON object per line on stderr, scrubbed of every secret this process resolved. */
export function formatLogEntry(entry: LogEntry, redactor: Redactor = processRedactor): string {
  const record = {
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level,
    message: entry.message,
    ...entry.meta,
  };
  // Each value on its own first: a secret a remote escaped is found in the value's text, not in the line's JSON.
  const line = JSON.stringify(record, (_key, value: unknown) => {
    const safe = jsonSafe(value);
    return typeof safe === 'string' ? redactor.redact(safe) : safe;
  });
  return redactor.redact(line);
}

export function createStructuredLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): DefaultLogger {
  return new DefaultLogger(level, (entry) => write(formatLogEntry(entry)));
}
