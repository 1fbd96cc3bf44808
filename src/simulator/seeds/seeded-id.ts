import { createHash } from 'node:crypto';

/** A UUID-shaped id derived from a key, so every seed of the same profile has the same ids. */
export function seededId(key: string): string {
  const hex = createHash('sha1').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
