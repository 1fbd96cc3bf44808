import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { Redactor, secretSpellings } from '../../src/config/secrets';
import { findSecrets, historyTexts } from '../support/history';

const SECRET = "s3cr!t (x)~'y+z";

/** A history holding `value` in one place: an activity result, as JSON inside a base64 payload. */
function historyWith(value: unknown): temporal.api.history.v1.IHistory {
  return {
    events: [
      {
        eventId: 7 as never,
        activityTaskCompletedEventAttributes: {
          result: { payloads: [defaultPayloadConverter.toPayload(value)] },
        },
      },
    ],
  };
}

describe('the secret detector of test histories', () => {
  it('flags a secret planted in an activity result, whatever its spelling', () => {
    for (const spelling of secretSpellings(SECRET)) {
      const planted = historyWith({ ok: true, echo: `upstream said ${spelling}` });
      expect(findSecrets(historyTexts(planted), [SECRET]), spelling).not.toEqual([]);
    }
  });

  it('reads payloads decoded, not their base64 text, where a naive JSON search finds nothing', () => {
    const planted = historyWith({ clientSecret: SECRET });
    expect(JSON.stringify(planted).includes(SECRET)).toBe(false);
    expect(findSecrets(historyTexts(planted), [SECRET])).toHaveLength(1);
  });

  it('finds nothing in a clean history, and the redactor covers every spelling it looks for', () => {
    expect(findSecrets(historyTexts(historyWith({ ok: true })), [SECRET])).toEqual([]);
    const redactor = new Redactor();
    redactor.remember(SECRET);
    for (const spelling of secretSpellings(SECRET))
      expect(redactor.redact(`said ${spelling}.`), spelling).toBe('said [redacted].');
  });
});
