import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toActivityFailure } from '../../src/activities/remote-failure';
import { RemoteAvailability } from '../../src/integrations/http/availability';
import { RemoteApiError } from '../../src/integrations/http/errors';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const serverError = new RemoteApiError({
  api: 'flow-service',
  endpoint: 'POST /flows',
  kind: 'server',
  status: 503,
});

describe('RemoteAvailability', () => {
  it('calls an API down only once it has answered nothing for the threshold, since its first failure', () => {
    const time = clock();
    const availability = new RemoteAvailability(time.now, 60_000);
    availability.failed('flow-service', 'first');
    time.advance(59_999);
    availability.failed('flow-service', 'second');
    expect(availability.outage('flow-service')).toBeUndefined();
    time.advance(1);
    expect(availability.outage('flow-service')).toEqual({ since: 1_000_000, lastFailure: 'second' });
    expect(availability.outage('data-prep')).toBeUndefined();
  });

  it('forgets a failing spell as soon as any call gets an answer, and wakes whoever waits for one', async () => {
    const time = clock();
    const availability = new RemoteAvailability(time.now, 10);
    availability.failed('marketo', 'down');
    time.advance(20);
    const woken = availability.nextAnswer('marketo');
    availability.answered('marketo');
    await expect(woken).resolves.toBeUndefined();
    expect(availability.outage('marketo')).toBeUndefined();
    availability.failed('marketo', 'down again');
    time.advance(5);
    expect(availability.outage('marketo')).toBeUndefined();
  });
});

describe('an activity failure while its API is down', () => {
  it('is RemoteApiUnavailable, with the API and since when, for a retryable remote error', () => {
    const time = clock();
    const availability = new RemoteAvailability(time.now, 0);
    availability.failed('flow-service', 'down');
    const failure = toActivityFailure(serverError, availability) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('RemoteApiUnavailable');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.details).toEqual([{ api: 'flow-service', since: 1_000_000 }]);
  });

  it('stays the remote error when the API still answers other calls, or when retrying cannot help', () => {
    const availability = new RemoteAvailability(Date.now, 60_000);
    expect((toActivityFailure(serverError, availability) as ApplicationFailure).type).toBe(
      'RemoteApiError.server',
    );
    const down = new RemoteAvailability(Date.now, 0);
    down.failed('flow-service', 'down');
    const forbidden = new RemoteApiError({
      api: 'flow-service',
      endpoint: 'POST /flows',
      kind: 'forbidden',
      status: 403,
    });
    expect((toActivityFailure(forbidden, down) as ApplicationFailure).type).toBe('RemoteApiError.forbidden');
  });
});
