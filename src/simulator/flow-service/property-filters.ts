type Operator = '==' | '!=' | '<=' | '>=' | '<' | '>';

export interface ParsedFilter {
  path: string[];
  operator: Operator;
  values: string[];
}

const OPERATORS: Operator[] = ['==', '!=', '<=', '>=', '<', '>'];

/** Parses `path<op>value[,value…]` as the Flow Service's `property` parameter; undefined when malformed. */
export function parsePropertyFilter(text: string): ParsedFilter | undefined {
  let best: { index: number; operator: Operator } | undefined;
  for (const operator of OPERATORS) {
    const index = text.indexOf(operator);
    if (
      index > 0 &&
      (!best || index < best.index || (index === best.index && operator.length > best.operator.length))
    ) {
      best = { index, operator };
    }
  }
  if (!best) return undefined;
  const path = text.slice(0, best.index).split('.').filter(Boolean);
  // Commas separate alternatives, except inside a quoted value.
  const values = (text.slice(best.index + best.operator.length).match(/"[^"]*"|[^,]+/g) ?? []).map((value) =>
    value.trim().replace(/^"(.*)"$/, '$1'),
  );
  return path.length ? { path, operator: best.operator, values } : undefined;
}

/** Every value at a dotted path; a `name[]` segment fans out over an array. */
function valuesAt(subject: unknown, path: string[]): unknown[] {
  if (path.length === 0) return [subject];
  const [head, ...rest] = path as [string, ...string[]];
  const fanOut = head.endsWith('[]');
  const key = fanOut ? head.slice(0, -2) : head;
  if (subject === null || typeof subject !== 'object') return [];
  const next = (subject as Record<string, unknown>)[key];
  if (fanOut || Array.isArray(next)) {
    return Array.isArray(next) ? next.flatMap((item) => valuesAt(item, rest)) : [];
  }
  return valuesAt(next, rest);
}

function compare(actual: unknown, operator: Operator, expected: string): boolean {
  if (actual === undefined || actual === null) return operator === '!=';
  const numeric =
    typeof actual === 'number' || (typeof actual === 'string' && /^-?\d+(\.\d+)?$/.test(actual));
  const left = numeric && /^-?\d+(\.\d+)?$/.test(expected) ? Number(actual) : String(actual);
  const right = typeof left === 'number' ? Number(expected) : expected;
  switch (operator) {
    case '==':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '>':
      return left > right;
    case '<=':
      return left <= right;
    case '>=':
      return left >= right;
  }
}

/** `==` with several values is an OR; `!=` with several values excludes them all. */
export function matchesFilter(subject: unknown, filter: ParsedFilter): boolean {
  const actuals = valuesAt(subject, filter.path);
  if (filter.operator === '!=') {
    return (
      actuals.length === 0 ||
      actuals.every((actual) => filter.values.every((value) => compare(actual, '!=', value)))
    );
  }
  return actuals.some((actual) => filter.values.some((value) => compare(actual, filter.operator, value)));
}
