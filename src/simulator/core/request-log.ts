export interface LoggedRequest {
  at: number;
  module: string;
  method: string;
  path: string;
  /** The route pattern that answered, e.g. /platform/…/flows/:id. */
  route?: string;
  query: string;
  status: number;
  dropped: boolean;
}

const SECRET_PARAM = /secret|password|token/i;

/** The most recent requests, for tests and the admin API; credential-like query values are masked. */
export class RequestLog {
  private readonly entries: LoggedRequest[] = [];

  constructor(private readonly capacity = 20_000) {}

  record(entry: Omit<LoggedRequest, 'query'> & { query: URLSearchParams }): void {
    const masked = new URLSearchParams();
    for (const [name, value] of entry.query) masked.append(name, SECRET_PARAM.test(name) ? '***' : value);
    this.entries.push({ ...entry, query: masked.toString() });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }

  list(filter: { module?: string; method?: string; pathContains?: string } = {}): LoggedRequest[] {
    return this.entries.filter(
      (entry) =>
        (!filter.module || entry.module === filter.module) &&
        (!filter.method || entry.method === filter.method.toUpperCase()) &&
        (!filter.pathContains || entry.path.includes(filter.pathContains)),
    );
  }

  clear(): void {
    this.entries.length = 0;
  }
}
