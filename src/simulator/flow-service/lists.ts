import { z } from 'zod';
import type { SimRequest, SimResponse } from '../core/router';
import { badRequest } from './errors';
import { matchesFilter, parsePropertyFilter } from './property-filters';

const DEFAULT_PAGE_SIZE = 100;
/** Top-level fields every collection stores exactly as it serves them. */
const NARROWING = ['id', 'flowId'];

interface PageCursor {
  offset: number;
  property: string[];
  orderby?: string;
  limit: number;
}

function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const cursorSchema = z.object({
  offset: z.number().int().min(0),
  property: z.array(z.string()),
  orderby: z.string().optional(),
  limit: z.number().int().min(1),
});

function decodeCursor(token: string): PageCursor | undefined {
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function orderBy(items: Record<string, unknown>[], field: string | undefined): Record<string, unknown>[] {
  if (!field) return items;
  const descending = field.startsWith('-');
  const key = field.replace(/^[-+]/, '');
  const sorted = [...items].sort((a, b) =>
    String(a[key] ?? '').localeCompare(String(b[key] ?? ''), undefined, { numeric: true }),
  );
  return descending ? sorted.reverse() : sorted;
}

/**
 * The stored records a list can match at all, narrowed by its equality
 * filters on `id` (by key) and `flowId` (stored as served): a list of a few
 * runs never builds the view of every run in the sandbox. The answer still
 * applies every filter to the views; this only skips records that cannot
 * match. Later pages (a continuation token) are not narrowed.
 */
export function listCandidates<T extends Record<string, unknown>>(
  records: Record<string, T>,
  request: SimRequest,
): T[] {
  const equalities = request.query
    .getAll('property')
    .map(parsePropertyFilter)
    .filter(
      (filter) =>
        filter?.operator === '==' && filter.path.length === 1 && NARROWING.includes(filter.path[0]!),
    );
  const byId = equalities.find((filter) => filter!.path[0] === 'id');
  let candidates = byId
    ? byId.values.flatMap((id) => (Object.hasOwn(records, id) ? [records[id]!] : []))
    : Object.values(records);
  for (const filter of equalities) {
    const [field] = filter!.path as [string];
    if (field !== 'id')
      candidates = candidates.filter((record) => filter!.values.includes(String(record[field])));
  }
  return candidates;
}

/**
 * A Flow Service list answer: `property` filters (ANDed), `orderby`, `count`,
 * `limit` and a `continuationToken` carried in a relative `_links.next.href`,
 * the token alone standing for the rest of the query; `_links` is `{}` on
 * the last page.
 */
export function listAnswer(
  collection: string,
  items: Record<string, unknown>[],
  request: SimRequest,
): SimResponse {
  const token = request.query.get('continuationToken');
  const cursor: PageCursor | undefined = token
    ? decodeCursor(token)
    : {
        offset: 0,
        property: request.query.getAll('property'),
        orderby: request.query.get('orderby') ?? undefined,
        limit: Number(request.query.get('limit') ?? DEFAULT_PAGE_SIZE),
      };
  if (!cursor || !Number.isInteger(cursor.limit) || cursor.limit < 1) {
    return badRequest('Invalid continuationToken or limit', collection);
  }
  const filters = cursor.property.map((text) => ({ text, parsed: parsePropertyFilter(text) }));
  const malformed = filters.find((filter) => !filter.parsed);
  if (malformed) return badRequest(`Invalid property filter "${malformed.text}"`, collection);
  const matching = orderBy(
    items.filter((item) => filters.every((filter) => matchesFilter(item, filter.parsed!))),
    cursor.orderby,
  );
  if (request.query.get('count') === 'true') return { status: 200, body: { count: matching.length } };

  const page = matching.slice(cursor.offset, cursor.offset + cursor.limit);
  const nextOffset = cursor.offset + cursor.limit;
  // The last page carries an empty `_links`, as Adobe's do: clients must not expect `next` there.
  const _links =
    nextOffset < matching.length
      ? {
          next: {
            href: `/${collection}?continuationToken=${encodeCursor({ ...cursor, offset: nextOffset })}`,
          },
        }
      : {};
  return { status: 200, body: { items: page, _links } };
}
