/**
 * Deterministic names for what cutover creates, so a retried activity finds
 * the object an earlier attempt made instead of creating a second one.
 */
export function cutoverTag(kind: string, v1Id: string): string {
  return `cutover:${kind}:${v1Id}`;
}

export function shortId(id: string): string {
  return id.replace(/-/g, '').slice(0, 8);
}

export function v2Name(v1Name: string, v1Id: string): string {
  return `${v1Name} (V2) [cutover ${shortId(v1Id)}]`;
}
