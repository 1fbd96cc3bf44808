import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toActivityFailure, withRemoteFailures } from '../../src/activities/remote-failure';
import { Redactor, SecretResolutionError, processRedactor } from '../../src/config/secrets';
import { RemoteApiError } from '../../src/integrations/http/errors';

describe('toActivityFailure', () => {
  it('keeps Retry-After as the next retry delay of a retryable remote error', () => {
    const failure = toActivityFailure(
      new RemoteApiError({
        api: 'flow-service',
        endpoint: 'GET /flows',
        kind: 'rate-limited',
        status: 429,
        retryAfterMs: 5_000,
      }),
    ) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      type: 'RemoteApiError.rate-limited',
      nonRetryable: false,
      nextRetryDelay: 5_000,
    });
    expect(failure.details).toEqual([
      {
        api: 'flow-service',
        endpoint: 'GET /flows',
        kind: 'rate-limited',
        status: 429,
        remoteCode: undefined,
      },
    ]);
  });

  it('makes errors retrying cannot fix non-retryable, with the remote code in the message', () => {
    const failure = toActivityFailure(
      new RemoteApiError({
        api: 'flow-service',
        endpoint: 'PATCH /flows/1',
        kind: 'forbidden',
        status: 403,
        remoteCode: 'FLOW-2120-403',
        remoteMessage: 'Forbidden',
      }),
    ) as ApplicationFailure;
    expect(failure).toMatchObject({ type: 'RemoteApiError.forbidden', nonRetryable: true });
    expect(failure.message).toBe(
      'flow-service PATCH /flows/1 failed (forbidden, HTTP 403, code FLOW-2120-403): Forbidden',
    );
    expect(
      (
        toActivityFailure(
          new SecretResolutionError('The secret reference env:X is not set'),
        ) as ApplicationFailure
      ).nonRetryable,
    ).toBe(true);
  });

  it('scrubs resolved secrets from any error message before it reaches history', async () => {
    processRedactor.remember('leaky-secret-value');
    const wrapped = withRemoteFailures({
      async leak() {
        throw new Error('upstream said leaky-secret-value is wrong');
      },
    });
    await expect(wrapped.leak()).rejects.toThrow('upstream said [redacted] is wrong');
    expect(new Redactor().redact('leaky-secret-value')).toBe('leaky-secret-value');
  });
});

describe('stack traces', () => {
  it('are scrubbed too, since failures keep them in history', async () => {
    processRedactor.remember('stack-secret-value');
    const wrapped = withRemoteFailures({
      async leak() {
        throw new Error('bad stack-secret-value');
      },
    });
    const error = (await wrapped.leak().catch((caught: unknown) => caught)) as Error;
    expect(error.stack).not.toContain('stack-secret-value');
  });
});
