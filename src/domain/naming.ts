/**
 * Deterministic names for what cutover creates, so a retried activity (or a
 * rollback after a lost response) finds the object an earlier attempt made.
 * Names carry the full V1 id, so V1 objects with equal names never collide,
 * and contain no quote or comma, so a `property=name=="…"` filter matches them.
 */
export function cutoverTag(kind: string, v1Id: string): string {
  return `cutover:${kind}:${v1Id}`;
}

const FILTER_UNSAFE = /["',\\]/g;

export function v2Name(v1Name: string, v1Id: string, label = 'V2'): string {
  return `${v1Name.replace(FILTER_UNSAFE, ' ').trim()} (${label}) [cutover ${v1Id}]`;
}

/** The names an SFMC dataflow's V2 objects get, so creating and undoing agree. */
export function sfmcV2Names(v1: { name: string; flowId: string }) {
  return {
    flow: v2Name(v1.name, v1.flowId),
    sourceConnection: v2Name(`${v1.name} source`, v1.flowId),
    targetConnection: v2Name(`${v1.name} dataset`, v1.flowId),
    mappingSet: cutoverTag('sfmc', v1.flowId),
  };
}

/** The label in the names of objects made for a Marketo destination card, so switching cards never reuses one. */
export function marketoCardLabel(target: 'marketoV2' | 'marketoEngage'): string {
  return target === 'marketoV2' ? 'V2' : 'Marketo Engage';
}

/** The names a Marketo destination dataflow's replacement objects get, so creating and undoing agree. */
export function marketoV2Names(v1: { name: string; flowId: string }, target: 'marketoV2' | 'marketoEngage') {
  const label = marketoCardLabel(target);
  return {
    flow: v2Name(v1.name, v1.flowId, label),
    targetConnection: v2Name(`${v1.name} Marketo target`, v1.flowId, label),
  };
}
