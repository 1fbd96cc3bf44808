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
 * each takes 1/N of the rate, the burst and the concurrency. A token bucket
 * hands out turns in order, urgent calls first (a look at first runs that
 * unblocks many items must not queue behind a thousand creates); a changed
 * share applies to the next turn.
 */
export class RateLimiter {
  private workers = 1;
  private inFlight = 0;
  private readonly waitingForSlot: Array<() => void> = [];
  private tokens: number;
  private updatedAt: number;
  private readonly urgent: Array<() => void> = [];
  private readonly normal: Array<() => void> = [];
  private pumping = false;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<unknown> = delay,
  ) {
    this.tokens = this.burst;
    this.updatedAt = now();
  }

  /** How many worker processes share the limit (at least 1). */
  shareAmong(workers: number): void {
    this.workers = Math.max(1, Math.floor(workers));
    this.tokens = Math.min(this.tokens, this.burst);
    this.wakeWaiters();
  }

  get ratePerSecond(): number {
    return this.limit.requestsPerSecond / this.workers;
  }

  private get burst(): number {
    return Math.max(1, this.limit.burst / this.workers);
  }

  /** At least one call at once per worker, so with more workers than the API's cap the cap is only approached. */
  private get concurrent(): number {
    return this.limit.concurrent === undefined
      ? Infinity
      : Math.max(1, Math.floor(this.limit.concurrent / this.workers));
  }

  /** Waits for this call's turn; the returned function must be called when the call has finished. */
  async acquire(urgent = false): Promise<() => void> {
    // A slot first, then the pace: calls held back by the cap must not all leave at once when slots free up.
    while (this.inFlight >= this.concurrent)
      await new Promise<void>((wake) => this.waitingForSlot.push(wake));
    this.inFlight += 1;
    await new Promise<void>((go) => {
      (urgent ? this.urgent : this.normal).push(go);
      void this.pump();
    });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
      this.wakeWaiters();
    };
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
  }

  /** Hands out turns while there are tokens, then sleeps until the next one; one pump at a time. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        this.refill();
        // A token that rounding leaves a hair short of whole is whole.
        while (this.tokens >= 1 - 1e-9 && (this.urgent.length || this.normal.length)) {
          this.tokens -= 1;
          (this.urgent.shift() ?? this.normal.shift())!();
        }
        if (!this.urgent.length && !this.normal.length) return;
        await this.sleep(Math.max(1, ((1 - this.tokens) / this.ratePerSecond) * 1000));
      }
    } finally {
      this.pumping = false;
    }
  }

  private wakeWaiters(): void {
    for (const wake of this.waitingForSlot.splice(0)) wake();
  }
}
