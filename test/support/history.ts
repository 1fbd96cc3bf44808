import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { decompressedPayload } from '../../src/codec/compression-codec';
import { TEST_SECRETS } from './cutover-config';
import { secretSpellings } from './secret-spellings';

type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function isPayload(value: unknown): value is Payload {
  return (
    typeof value === 'object' &&
    value !== null &&
    'metadata' in value &&
    (value as { data?: unknown }).data instanceof Uint8Array
  );
}

/**
 * A payload's value through the SDK's own converter, once inflated when it was
 * compressed (compression hides nothing from a reader); its raw text when no
 * converter knows it.
 */
export function decodePayload(payload: Payload): unknown {
  try {
    return defaultPayloadConverter.fromPayload(decompressedPayload(payload));
  } catch {
    return Buffer.from(payload.data ?? new Uint8Array()).toString('utf8');
  }
}

export function decodePayloads(payloads: { payloads?: Payload[] | null } | null | undefined): unknown[] {
  return (payloads?.payloads ?? []).map(decodePayload);
}

/**
 * Every text a history holds, with each payload decoded by the payload
 * converter (inputs, results, failures and their details, heartbeat
 * details, memo, search attributes, summaries and details, headers): what a
 * person reading the history in the UI or the database could read.
 */
export function historyTexts(history: History): string[] {
  const texts: string[] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (value === null || value === undefined) return;
    if (typeof value === 'string') {
      texts.push(value);
      return;
    }
    if (typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (isPayload(value)) {
      const decoded = decodePayload(value);
      texts.push(typeof decoded === 'string' ? decoded : JSON.stringify(decoded));
      return;
    }
    if (value instanceof Uint8Array) {
      texts.push(Buffer.from(value).toString('utf8'));
      return;
    }
    for (const child of Array.isArray(value) ? value : Object.values(value)) walk(child);
  };
  walk(history.events ?? []);
  return texts;
}

/** The size of the largest payload a history holds, as stored (after the codec), in bytes. */
export function largestPayloadBytes(history: History): number {
  let largest = 0;
  const seen = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (isPayload(value)) largest = Math.max(largest, value.data?.length ?? 0);
    else if (!(value instanceof Uint8Array))
      for (const child of Array.isArray(value) ? value : Object.values(value)) walk(child);
  };
  walk(history.events ?? []);
  return largest;
}

const idOf = (event: HistoryEvent) => Number(event.eventId);

export interface ScheduledActivity {
  eventId: number;
  type: string;
  input: unknown[];
  summary?: string;
}

/** The activities a history scheduled, in order, with their decoded inputs. */
export function scheduledActivities(history: History): ScheduledActivity[] {
  return (history.events ?? []).flatMap((event) => {
    const attributes = event.activityTaskScheduledEventAttributes;
    if (!attributes) return [];
    const summary = event.userMetadata?.summary
      ? decodePayload(event.userMetadata.summary as Payload)
      : undefined;
    return [
      {
        eventId: idOf(event),
        type: attributes.activityType?.name ?? '',
        input: decodePayloads(attributes.input as { payloads?: Payload[] }),
        ...(typeof summary === 'string' ? { summary } : {}),
      },
    ];
  });
}

export interface FiredTimer {
  startedEventId: number;
  firedEventId: number;
  seconds: number;
  summary?: string;
}

/** The durable timers a history started and fired, with their lengths and summaries. */
export function firedTimers(history: History): FiredTimer[] {
  const events = history.events ?? [];
  return events.flatMap((event) => {
    const started = event.timerStartedEventAttributes;
    if (!started) return [];
    const fired = events.find(
      (candidate) => candidate.timerFiredEventAttributes?.timerId === started.timerId,
    );
    if (!fired) return [];
    const summary = event.userMetadata?.summary
      ? decodePayload(event.userMetadata.summary as Payload)
      : undefined;
    return [
      {
        startedEventId: idOf(event),
        firedEventId: idOf(fired),
        seconds: Number(started.startToFireTimeout?.seconds ?? 0),
        ...(typeof summary === 'string' ? { summary } : {}),
      },
    ];
  });
}

/** Where any of these secrets, in any spelling, shows in the texts; empty when none does. */
export function findSecrets(texts: string[], secrets: string[] = Object.values(TEST_SECRETS)): string[] {
  return secrets.flatMap((secret) =>
    secretSpellings(secret).flatMap((spelling) =>
      texts.filter((text) => text.includes(spelling)).map((text) => `${spelling} in ${text.slice(0, 120)}`),
    ),
  );
}
