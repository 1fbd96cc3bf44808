import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/config/secrets';
import { findSecrets, historyTexts } from '../support/history';
import { secretSpellings } from '../support/secret-spellings';

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

describe('a credential a remote echoes back in base64', () => {
  const CREDENTIAL = 'p4ss?w0rd>>~k3y!';
  // Written out, not computed: standard base64 padded and unpadded, and URL-safe.
  const ECHOES = ['cDRzcz93MHJkPj5+azN5IQ==', 'cDRzcz93MHJkPj5+azN5IQ', 'cDRzcz93MHJkPj5-azN5IQ'];

  it.each(ECHOES)('is scrubbed from an error that quotes it as %s', (echo) => {
    const redactor = new Redactor();
    redactor.remember(CREDENTIAL);
    expect(redactor.redact(`invalid_client: {"credential":"${echo}","hint":"check the secret"}`)).toBe(
      'invalid_client: {"credential":"[redacted]","hint":"check the secret"}',
    );
  });

  it('is looked for by the leak checks in each of those spellings', () => {
    for (const echo of ECHOES) expect(secretSpellings(CREDENTIAL)).toContain(echo);
    expect(findSecrets([`upstream said ${ECHOES[2]}`], [CREDENTIAL])).toHaveLength(1);
  });
});
