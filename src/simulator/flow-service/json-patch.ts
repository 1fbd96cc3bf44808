export interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
}

/** Segments that would reach Object.prototype instead of the document. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

function decodePointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Applies RFC 6902 add/replace/remove to a copy of `target`; returns an error
 * message instead when an operation cannot apply, so nothing is half-patched.
 */
export function applyJsonPatch(
  target: Record<string, unknown>,
  operations: PatchOperation[],
  readOnly: ReadonlySet<string>,
): { result: Record<string, unknown> } | { error: string } {
  const result = structuredClone(target);
  for (const [index, operation] of operations.entries()) {
    const op = operation.op?.toLowerCase();
    const segments = decodePointer(operation.path ?? '');
    if (!['add', 'replace', 'remove'].includes(op) || segments.length === 0) {
      return { error: `operation ${index}: unsupported op "${operation.op}" or empty path` };
    }
    if (readOnly.has(segments[0]!))
      return { error: `operation ${index}: ${operation.path} cannot be changed` };
    if (segments.some((segment) => FORBIDDEN_SEGMENTS.has(segment))) {
      return { error: `operation ${index}: ${operation.path} is not a valid path` };
    }
    let parent: unknown = result;
    for (const segment of segments.slice(0, -1)) {
      parent = Array.isArray(parent)
        ? parent[Number(segment)]
        : (parent as Record<string, unknown> | undefined)?.[segment];
      if (parent === undefined || parent === null || typeof parent !== 'object') {
        return { error: `operation ${index}: path ${operation.path} does not exist` };
      }
    }
    const last = segments.at(-1)!;
    if (Array.isArray(parent)) {
      const position = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(position) || position < 0 || position > parent.length) {
        return { error: `operation ${index}: index ${last} is out of range` };
      }
      if (op === 'add') parent.splice(position, 0, operation.value);
      else if (position >= parent.length)
        return { error: `operation ${index}: index ${last} is out of range` };
      else if (op === 'replace') parent[position] = operation.value;
      else parent.splice(position, 1);
    } else {
      const object = parent as Record<string, unknown>;
      if (op !== 'add' && !(last in object))
        return { error: `operation ${index}: ${operation.path} does not exist` };
      if (op === 'remove') delete object[last];
      else object[last] = operation.value;
    }
  }
  return { result };
}
