import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { DEFAULT_CODEC_SERVER_HOST, DEFAULT_CODEC_SERVER_PORT } from '../config/codec';
import { CodecError } from './aes-gcm-codec';

/** The Web UI sends a page of payloads at a time; far more than that is a mistake or abuse. */
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

const ALLOWED_METHODS = 'POST, OPTIONS';
const ALLOWED_HEADERS = 'content-type, authorization, x-namespace';
const ROUTE = /^\/(?:[^/]+\/)?(encode|decode)\/?$/;

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Loopback unless told otherwise: decoded payloads are plaintext. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Browser origins (the Web UI's) allowed to call; requests from any other origin are refused. */
  corsOrigins?: readonly string[];
  /** When set, every call must carry `Authorization: Bearer <token>`. */
  token?: string;
  maxBodyBytes?: number;
}

export interface CodecServer {
  /** e.g. http://127.0.0.1:8888, the value for the UI's codec endpoint or `--ui-codec-endpoint`. */
  readonly url: string;
  close(): Promise<void>;
}

const base64Schema = z.base64({ error: 'expected standard base64' });

const bodySchema = z.object({
  payloads: z.array(
    z.object({
      metadata: z.record(z.string(), base64Schema).optional(),
      data: base64Schema.optional(),
    }),
    { error: 'expected "payloads": an array of { metadata: { key: base64 }, data: base64 }' },
  ),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function fromJson(json: z.output<typeof bodySchema>['payloads'][number]): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(json.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(json.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(
      Object.entries(payload.metadata ?? {}).map(([key, value]) => [
        key,
        Buffer.from(value ?? new Uint8Array()).toString('base64'),
      ]),
    ),
    data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}

// Hashing first gives both sides the same length, which timingSafeEqual requires, without revealing the token's.
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, `the body is larger than ${limit} bytes; send fewer payloads per request`);
  if (Number(request.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop holding the excess in memory, yet keep draining so the client reads the 413 instead of a reset.
        request.removeAllListeners('data');
        request.resume();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parseBody(raw: Buffer): Payload[] {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(
      400,
      'the body is not JSON; send { "payloads": [{ "metadata": {...}, "data": "<base64>" }] }',
    );
  }
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success)
    throw new HttpError(400, `the body is not a codec request: ${describeIssues(parsed.error)}`);
  return parsed.data.payloads.map(fromJson);
}

function send(response: http.ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    response.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  response
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text);
}

/**
 * Temporal's codec server protocol for the Web UI and `temporal --codec-endpoint`:
 * `POST /encode` and `POST /decode` (also `/{namespace}/…`), bodies of
 * `{ "payloads": [{ "metadata": { key: base64 }, "data": base64 }] }`.
 */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const {
    codec,
    host = DEFAULT_CODEC_SERVER_HOST,
    port = DEFAULT_CODEC_SERVER_PORT,
    token,
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
  } = options;
  const origins = new Set(options.corsOrigins ?? []);

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const origin = request.headers.origin;
    if (origin !== undefined) {
      // A page from any other origin must not even reach the codec (it could have it encrypt or decrypt for it).
      if (!origins.has(origin))
        throw new HttpError(403, `origin ${origin} is not allowed; add it to codec.server.corsOrigins`);
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('access-control-allow-credentials', 'true');
    }
    response.setHeader('vary', 'Origin');
    const route = ROUTE.exec(new URL(request.url ?? '/', 'http://codec').pathname);
    if (!route)
      throw new HttpError(404, 'not found: POST /encode or /decode, optionally under /{namespace}/');
    if (request.method === 'OPTIONS') {
      response.setHeader('access-control-allow-methods', ALLOWED_METHODS);
      response.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
      response.setHeader('access-control-max-age', '600');
      return send(response, 204);
    }
    if (request.method !== 'POST') {
      response.setHeader('allow', ALLOWED_METHODS);
      throw new HttpError(405, `use POST for /${route[1]}`);
    }
    if (token !== undefined) {
      const match = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '');
      if (!match?.[1] || !sameSecret(match[1], token)) {
        response.setHeader('www-authenticate', 'Bearer');
        throw new HttpError(401, 'send Authorization: Bearer <token> with the codec server token');
      }
    }
    const payloads = parseBody(await readBody(request, maxBodyBytes));
    const result = route[1] === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    send(response, 200, { payloads: result.map(toJson) });
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof HttpError) return send(response, error.status, { error: error.message });
      if (error instanceof CodecError) return send(response, 400, { error: error.message });
      // Another codec's errors may quote what it was given, so they stay in this process.
      send(response, 500, { error: 'the codec failed on these payloads' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `The codec server cannot listen on ${host}:${port}: the port is in use; set codec.server.port.`,
            )
          : error,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
