import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer the proxy gives instead of the simulator's, for requests whose path matches. */
export interface CorruptedAnswer {
  method?: string;
  pathMatches: RegExp;
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string>;
  /**
   * `{request}` in `body` becomes the request's own body, as an echoing server sends it back: JSON-escaped
   * (`true`), or its form fields decoded and written as Python's json.dumps does, non-ASCII as `\uXXXX`,
   * inside the JSON string (`'python-json'`), or its form fields with each value in base64, as a server
   * that logs the credentials it was sent encoded (`'base64-fields'`).
   */
  echoRequest?: boolean | 'python-json' | 'base64-fields';
}

export interface CorruptingProxy {
  baseUrl: string;
  /** Answers matching requests from these rules until cleared; everything else goes to the target. */
  corrupt(rules: CorruptedAnswer[]): void;
  clear(): void;
  close(): Promise<void>;
}

function echoOf(body: Buffer, how: NonNullable<CorruptedAnswer['echoRequest']>): string {
  const text = body.toString('utf8');
  if (how === 'base64-fields')
    return [...new URLSearchParams(text)]
      .map(([name, value]) => `${name}=${Buffer.from(value, 'utf8').toString('base64')}`)
      .join('&');
  if (how !== 'python-json') return text;
  const fields = Object.fromEntries(new URLSearchParams(text));
  return JSON.stringify(fields).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * A proxy in front of the simulator that answers chosen routes with bad data
 * (wrong shapes, HTML, echoed requests), to see what an operator is told.
 */
export async function startCorruptingProxy(targetBaseUrl: string): Promise<CorruptingProxy> {
  let rules: CorruptedAnswer[] = [];
  const target = new URL(targetBaseUrl);
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (incoming.url ?? '/').split('?')[0]!;
      const rule = rules.find(
        (candidate) =>
          candidate.pathMatches.test(path) && (!candidate.method || candidate.method === incoming.method),
      );
      if (rule) {
        const text = rule.echoRequest
          ? rule.body.replace('{request}', () =>
              JSON.stringify(echoOf(body, rule.echoRequest ?? false)).slice(1, -1),
            )
          : rule.body;
        outgoing.writeHead(rule.status, {
          'content-type': rule.contentType ?? 'application/json',
          ...rule.headers,
        });
        outgoing.end(text);
        return;
      }
      const forward = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: { ...incoming.headers, host: target.host },
        },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      forward.on('error', () => outgoing.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    corrupt: (next) => {
      rules = next;
    },
    clear: () => {
      rules = [];
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
