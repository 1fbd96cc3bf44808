import type { RemoteApi } from './errors';

/**
 * How long an API may go without answering any call of this process before
 * its failures count as an outage rather than bad luck: longer than a 429
 * burst or a few 5xx in a row (which in-place retries absorb), far shorter
 * than the minutes a saga step's own retries would take to give up.
 */
export const OUTAGE_SUSPECTED_AFTER_MS = 60_000;

export interface Unavailability {
  /** When the first failure since the API's last answer happened (epoch ms). */
  since: number;
  /** The last failure, for the operator. */
  lastFailure: string;
}

/**
 * Which remote APIs stopped answering, as this process sees every call it
 * makes: any answer that is not a 5xx or a 429 is the API answering (a 404
 * too); a network error, a timeout, a 5xx or a 429 is a failure. One item's
 * bad luck does not look like an outage, because the other calls answer.
 */
export class RemoteAvailability {
  private readonly failingSince = new Map<RemoteApi, Unavailability>();
  private readonly answerWaiters = new Map<RemoteApi, Array<() => void>>();

  constructor(
    private readonly now: () => number = Date.now,
    private suspectedAfterMs = OUTAGE_SUSPECTED_AFTER_MS,
  ) {}

  /** A worker's own threshold (`worker.outageSuspectedAfter`). */
  suspectAfter(ms: number): void {
    this.suspectedAfterMs = ms;
  }

  answered(api: RemoteApi): void {
    this.failingSince.delete(api);
    const waiters = this.answerWaiters.get(api);
    this.answerWaiters.delete(api);
    for (const wake of waiters ?? []) wake();
  }

  failed(api: RemoteApi, description: string): void {
    const known = this.failingSince.get(api);
    this.failingSince.set(api, { since: known?.since ?? this.now(), lastFailure: description });
  }

  /** The API's outage, once it has answered nothing for `suspectedAfterMs`; undefined while it answers. */
  outage(api: RemoteApi, suspectedAfterMs = this.suspectedAfterMs): Unavailability | undefined {
    const failing = this.failingSince.get(api);
    return failing && this.now() - failing.since >= suspectedAfterMs ? { ...failing } : undefined;
  }

  /** Settles the next time any call of this process gets an answer from the API. */
  nextAnswer(api: RemoteApi): Promise<void> {
    return new Promise((resolve) => {
      const waiters = this.answerWaiters.get(api) ?? [];
      waiters.push(resolve);
      this.answerWaiters.set(api, waiters);
    });
  }
}

/** Every client of this process reports here, so each activity sees what all calls saw. */
export const processAvailability = new RemoteAvailability();
