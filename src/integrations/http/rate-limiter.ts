import { setTimeout as delay } from 'node:timers/promises';

export interface RateLimit {
  /** Calls per second across every worker of the task queue. */
  requestsPerSecond: number;
  /** Calls that may go at once after a quiet spell, across every worker. */
  burst: number;
  /** Calls in flight at once across every worker, where the API caps that too (Marketo: 10). */
  concurrent?: number;
}

/**
 * Paces one remote API's calls from this process at its share of a limit
 * that all worker processes share: with N workers polling the task queue,
 * each takes 1/N of the rate, the burst and the concurrency. Spacing follows
 * the generic cell rate algorithm: every call reserves the next free slot,
 * so waiting callers go in order and a changed share applies to the next.
 */
export class RateLimiter {
  private theoreticalArrival = 0;
  private workers = 1;
  private inFlight = 0;
  private readonly waitingForSlot: Array<() => void> = [];

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<unknown> = delay,
  ) {}

  /** How many worker processes share the limit (at least 1). */
  shareAmong(workers: number): void {
    this.workers = Math.max(1, Math.floor(workers));
    this.wakeWaiters();
  }

  get ratePerSecond(): number {
    return this.limit.requestsPerSecond / this.workers;
  }

  /** At least one call at once per worker, so with more workers than the API's cap the cap is only approached. */
  private get concurrent(): number {
    return this.limit.concurrent === undefined
      ? Infinity
      : Math.max(1, Math.floor(this.limit.concurrent / this.workers));
  }

  /** Waits for this call's turn; the returned function must be called when the call has finished. */
  async acquire(): Promise<() => void> {
    // A slot first, then the pace: calls held back by the cap must not all leave at once when slots free up.
    while (this.inFlight >= this.concurrent)
      await new Promise<void>((wake) => this.waitingForSlot.push(wake));
    this.inFlight += 1;
    const interval = 1000 / this.ratePerSecond;
    const tolerance = Math.max(0, this.limit.burst / this.workers - 1) * interval;
    const now = this.now();
    const arrival = Math.max(this.theoreticalArrival, now);
    this.theoreticalArrival = arrival + interval;
    const wait = arrival - tolerance - now;
    if (wait > 0) await this.sleep(wait);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      this.wakeWaiters();
    };
  }

  private wakeWaiters(): void {
    for (const wake of this.waitingForSlot.splice(0)) wake();
  }
}
