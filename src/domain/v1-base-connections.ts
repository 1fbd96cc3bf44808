/**
 * The distinct V1 base connections behind the items a plan migrates, each
 * once: what a check of "which remote account would V2 use" runs over.
 */
export function baseConnectionsToMigrate<A extends { id: string }>(
  items: ReadonlyArray<{ action: string; v1: { baseConnection: A } }>,
): A[] {
  const connections = new Map<string, A>();
  for (const item of items)
    if (item.action === 'migrate') connections.set(item.v1.baseConnection.id, item.v1.baseConnection);
  return [...connections.values()];
}
