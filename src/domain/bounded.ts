/**
 * Maps `items` with at most `limit` calls in flight, keeping the order of
 * the results: independent remote reads overlap their latency (and a retried
 * one's backoff) instead of adding it up.
 */
export async function mapBounded<T, R>(
  items: T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}
