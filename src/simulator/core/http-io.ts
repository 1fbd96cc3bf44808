import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimResponse } from './router';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ParsedBody {
  body: unknown;
  /** Why the body could not be read, for a 400 in the API's own format. */
  error?: string;
}

export async function readBody(request: IncomingMessage): Promise<ParsedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { body: undefined, error: 'request body too large' };
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return { body: undefined };
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  if (contentType.includes('application/x-www-form-urlencoded')) {
    return { body: Object.fromEntries(new URLSearchParams(text)) };
  }
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return { body: text, error: 'request body is not valid JSON' };
  }
}

export function writeResponse(response: ServerResponse, result: SimResponse): void {
  const headers: Record<string, string> = { ...result.headers };
  let payload: string | undefined;
  if (result.body !== undefined && result.status !== 204) {
    payload = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
    headers['content-type'] ??= 'application/json;charset=utf-8';
  }
  response.writeHead(result.status, headers);
  response.end(payload);
}
