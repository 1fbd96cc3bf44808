/** Token buckets by key (a tenant, an organisation): how the simulated APIs count requests per second. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  /** Takes a token for `key`; 0 when one was there, else the whole seconds until one will be. */
  take(key: string, limit: { requestsPerSecond: number; burst?: number }, now: number): number {
    const capacity = limit.burst ?? Math.max(1, Math.ceil(limit.requestsPerSecond));
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(
      capacity,
      bucket.tokens + ((now - bucket.updatedAt) / 1000) * limit.requestsPerSecond,
    );
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / limit.requestsPerSecond);
  }

  clear(): void {
    this.buckets.clear();
  }
}
