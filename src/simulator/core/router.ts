import type { IncomingHttpHeaders } from 'node:http';

export interface SimRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Lower-cased header names, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON, or the fields of a form-encoded body, or undefined. */
  body: unknown;
}

export interface SimResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type SimHandler = (request: SimRequest) => SimResponse | Promise<SimResponse>;

export interface RouteOptions {
  /** The request changes state; such responses may be dropped after commit by the fault injector. */
  write?: boolean;
}

interface Route {
  method: string;
  segments: string[];
  handler: SimHandler;
  options: RouteOptions;
}

export interface RouteMatch {
  handler: SimHandler;
  params: Record<string, string>;
  options: RouteOptions;
  pattern: string;
}

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** Path patterns like `/platform/data/foundation/flowservice/flows/:id`; literal segments win over params. */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: SimHandler, options: RouteOptions = {}): void {
    this.routes.push({ method: method.toUpperCase(), segments: split(pattern), handler, options });
  }

  get(pattern: string, handler: SimHandler): void {
    this.add('GET', pattern, handler);
  }
  post(pattern: string, handler: SimHandler, options: RouteOptions = { write: true }): void {
    this.add('POST', pattern, handler, options);
  }
  put(pattern: string, handler: SimHandler): void {
    this.add('PUT', pattern, handler, { write: true });
  }
  patch(pattern: string, handler: SimHandler): void {
    this.add('PATCH', pattern, handler, { write: true });
  }
  delete(pattern: string, handler: SimHandler): void {
    this.add('DELETE', pattern, handler, { write: true });
  }

  /** Every route, for contract tests that check each one was exercised. */
  describe(): Array<{ method: string; pattern: string }> {
    return this.routes.map((route) => ({ method: route.method, pattern: `/${route.segments.join('/')}` }));
  }

  /** The best match, or which methods the path allows when none matches the method. */
  match(method: string, path: string): RouteMatch | { allowed: string[] } | undefined {
    const segments = split(path);
    let best: { route: Route; params: Record<string, string>; literals: number } | undefined;
    const allowed = new Set<string>();
    for (const route of this.routes) {
      if (route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      const fits = route.segments.every((segment, index) => {
        const actual = segments[index]!;
        if (segment.startsWith(':')) {
          params[segment.slice(1)] = decodeURIComponent(actual);
          return true;
        }
        literals += 1;
        return segment === actual;
      });
      if (!fits) continue;
      if (route.method !== method.toUpperCase()) {
        allowed.add(route.method);
        continue;
      }
      if (!best || literals > best.literals) best = { route, params, literals };
    }
    if (best) {
      return {
        handler: best.route.handler,
        params: best.params,
        options: best.route.options,
        pattern: `/${best.route.segments.join('/')}`,
      };
    }
    return allowed.size ? { allowed: [...allowed] } : undefined;
  }
}
