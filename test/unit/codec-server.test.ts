import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { AesGcmCodec, KEY_ID_METADATA_KEY } from '../../src/codec/aes-gcm-codec';
import { startCodecServer, type CodecServer, type CodecServerOptions } from '../../src/codec/codec-server';

const SECRET = 'sfmc-client-secret-in-a-plan';
const UI = 'http://localhost:8233';
const keyA = { id: 'key-a', key: randomBytes(32) };
const keyB = { id: 'key-b', key: randomBytes(32) };

interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

const toJson = (payload: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
  ),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});
const fromBase64 = (value: string | undefined) => Buffer.from(value ?? '', 'base64');
const plainPayloads = () => [
  toJson(defaultPayloadConverter.toPayload({ secret: SECRET })),
  toJson(defaultPayloadConverter.toPayload(42)),
];

const servers: CodecServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Partial<CodecServerOptions> = {}): Promise<CodecServer> {
  const server = await startCodecServer({
    codec: new AesGcmCodec({ current: keyA, old: [] }),
    port: 0,
    corsOrigins: [UI],
    ...options,
  });
  servers.push(server);
  return server;
}

async function post(server: CodecServer, path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { response, json: (await response.json()) as { payloads?: JsonPayload[]; error?: string } };
}

describe('codec server', () => {
  it('binds loopback and round-trips payloads through /encode and /decode, with or without a namespace', async () => {
    const server = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    for (const prefix of ['', '/default', '/cutover-prod']) {
      const encoded = await post(server, `${prefix}/encode`, { payloads: plainPayloads() });
      expect(encoded.response.status).toBe(200);
      for (const payload of encoded.json.payloads!) {
        const bytes = fromBase64(payload.data);
        expect(bytes.includes(SECRET)).toBe(false);
        expect(bytes.includes('json/plain')).toBe(false);
        expect(fromBase64(payload.metadata.encoding).toString()).toBe('binary/encrypted');
        expect(fromBase64(payload.metadata[KEY_ID_METADATA_KEY]).toString()).toBe('key-a');
      }

      const decoded = await post(server, `${prefix}/decode`, encoded.json, { 'x-namespace': 'default' });
      expect(decoded.response.status).toBe(200);
      expect(decoded.json).toEqual({ payloads: plainPayloads() });
    }
  });

  it('lets configured origins read answers, with credentials, and refuses other origins', async () => {
    const server = await start();

    const allowed = await post(server, '/decode', { payloads: [] }, { origin: UI });
    expect(allowed.response.status).toBe(200);
    expect(allowed.response.headers.get('access-control-allow-origin')).toBe(UI);
    expect(allowed.response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(allowed.response.headers.get('vary')).toBe('Origin');

    const refused = await post(
      server,
      '/decode',
      { payloads: plainPayloads() },
      { origin: 'https://evil.example' },
    );
    expect(refused.response.status).toBe(403);
    expect(refused.response.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.json).toEqual({
      error: 'origin https://evil.example is not allowed; add it to codec.server.corsOrigins',
    });
  });

  it('answers the preflight with the methods and headers the UI sends', async () => {
    const server = await start();
    const preflight = (origin: string) =>
      fetch(`${server.url}/default/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization, x-namespace',
        },
      });

    const allowed = await preflight(UI);
    expect(allowed.status).toBe(204);
    expect(
      Object.fromEntries([...allowed.headers].filter(([name]) => name.startsWith('access-control-'))),
    ).toEqual({
      'access-control-allow-origin': UI,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'POST, OPTIONS',
      'access-control-allow-headers': 'content-type, authorization, x-namespace',
      'access-control-max-age': '600',
    });

    const refused = await preflight('http://localhost:9999');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('requires the bearer token when one is configured, also for allowed origins', async () => {
    const server = await start({ token: 'codec-token-123' });
    const body = { payloads: plainPayloads() };

    const wrong: Record<string, string>[] = [
      {},
      { authorization: 'Bearer codec-token-12' },
      { authorization: 'codec-token-123' },
    ];
    for (const headers of wrong) {
      const { response, json } = await post(server, '/encode', body, { origin: UI, ...headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(response.headers.get('access-control-allow-origin')).toBe(UI);
      expect(json.payloads).toBeUndefined();
    }
    const ok = await post(server, '/encode', body, { authorization: 'Bearer codec-token-123' });
    expect(ok.response.status).toBe(200);
    expect(ok.json.payloads).toHaveLength(2);
  });

  it('answers 400 naming the key id when a payload was written with an unknown key', async () => {
    const server = await start({ codec: new AesGcmCodec({ current: keyB, old: [] }) });
    const underA = (
      await new AesGcmCodec({ current: keyA, old: [] }).encode([defaultPayloadConverter.toPayload(1)])
    ).map(toJson);

    const { response, json } = await post(server, '/decode', { payloads: underA });

    expect(response.status).toBe(400);
    expect(json.error).toContain('encrypted with key id "key-a"');
    expect(json.error).toContain('codec.keys');
    expect(json.error).not.toContain(keyA.key.toString('base64'));
  });

  it('answers 400 with the reason for a malformed body', async () => {
    const server = await start();
    const cases: [unknown, string][] = [
      [
        '{"payloads": [',
        'the body is not JSON; send { "payloads": [{ "metadata": {...}, "data": "<base64>" }] }',
      ],
      [
        { payload: [] },
        'the body is not a codec request: payloads: expected "payloads": an array of { metadata: { key: base64 }, data: base64 }',
      ],
      [
        { payloads: [{ data: 'not base64!' }] },
        'the body is not a codec request: payloads.0.data: expected standard base64',
      ],
      [
        { payloads: [{ metadata: { encoding: 7 }, data: '' }] },
        'the body is not a codec request: payloads.0.metadata.encoding: expected standard base64',
      ],
    ];

    for (const [body, error] of cases) {
      const { response, json } = await post(server, '/encode', body);
      expect(response.status).toBe(400);
      expect(json).toEqual({ error });
    }
  });

  it('refuses a body over the size limit with 413, and unknown routes and methods', async () => {
    const server = await start({ maxBodyBytes: 1024 });
    const big = { payloads: [{ data: randomBytes(2048).toString('base64') }] };

    const tooLarge = await post(server, '/encode', big);
    expect(tooLarge.response.status).toBe(413);
    expect(tooLarge.json.error).toBe('the body is larger than 1024 bytes; send fewer payloads per request');
    // Chunked, so no Content-Length tells the server up front.
    const chunked = await fetch(`${server.url}/encode`, {
      method: 'POST',
      body: new Blob([JSON.stringify(big)]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);

    expect((await post(server, '/encrypt', { payloads: [] })).response.status).toBe(404);
    expect((await post(server, '/a/b/decode', { payloads: [] })).response.status).toBe(404);
    const get = await fetch(`${server.url}/decode`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
  });
});
