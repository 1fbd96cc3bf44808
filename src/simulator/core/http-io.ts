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
  // The boundary is case-sensitive, so it is read from the header as sent.
  if (contentType.includes('multipart/form-data'))
    return readMultipartFields(text, String(request.headers['content-type']));
  try {
    return { body: JSON.parse(text) as unknown };
  } catch {
    return { body: text, error: 'request body is not valid JSON' };
  }
}

/** The text fields of a multipart/form-data body (Adobe IMS accepts credentials this way too). */
function readMultipartFields(text: string, contentType: string): ParsedBody {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const delimiter = boundary?.[1] ?? boundary?.[2];
  if (!delimiter) return { body: text, error: 'multipart/form-data body without a boundary' };
  const fields: Record<string, string> = {};
  for (const part of text.split(`--${delimiter}`).slice(1)) {
    if (part.startsWith('--')) break;
    const separator = part.indexOf('\r\n\r\n');
    if (separator < 0) continue;
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(part.slice(0, separator))?.[1];
    if (name !== undefined) fields[name] = part.slice(separator + 4).replace(/\r\n$/, '');
  }
  return { body: fields };
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
