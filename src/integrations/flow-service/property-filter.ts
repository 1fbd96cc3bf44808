export type FilterOperator = '==' | '!=' | '<' | '>' | '<=' | '>=';

/** One `property=` query parameter of the Flow Service list endpoints; several are ANDed. */
export interface PropertyFilter {
  path: string;
  operator: FilterOperator;
  /** A list means OR (comma-separated), as for ids. */
  value: string | number | boolean | readonly string[];
}

export function where(
  path: string,
  operator: FilterOperator,
  value: PropertyFilter['value'],
): PropertyFilter {
  return { path, operator, value };
}

export function renderPropertyFilter({ path, operator, value }: PropertyFilter): string {
  const rendered = Array.isArray(value) ? value.join(',') : String(value);
  return `${path}${operator}${rendered}`;
}
