import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../../src/simulator/server';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.close();
  simulator = undefined;
});

/** A raw request, so the Host and Origin headers are exactly what a browser or an attacker would send. */
function send(
  running: RunningSimulator,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: running.port, method, path, headers },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const reset = JSON.stringify({ profile: 'empty' });

describe('the simulator’s admin API', () => {
  it('answers requests addressed to this machine, and refuses a foreign Host (DNS rebinding)', async () => {
    simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
    const local = `127.0.0.1:${simulator.port}`;
    expect((await send(simulator, 'GET', '/__admin/health', { host: local })).status).toBe(200);
    expect(
      (await send(simulator, 'GET', '/__admin/health', { host: `localhost:${simulator.port}` })).status,
    ).toBe(200);
    const rebound = await send(simulator, 'GET', '/__admin/state', {
      host: `attacker.example:${simulator.port}`,
    });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: 'admin_forbidden' });
    // The emulated APIs answer any host (workers reach the simulator by its service name).
    const api = await send(simulator, 'GET', '/platform/data/foundation/flowservice/flows', {
      host: 'simulator:4010',
    });
    expect(api.status).toBe(401);
  });

  it('refuses a cross-origin simple request, so a web page cannot wipe the state', async () => {
    simulator = await startSimulator({ port: 0, seed: { profile: 'demo' } });
    const host = `127.0.0.1:${simulator.port}`;
    const before = JSON.stringify(simulator.snapshot().modules);
    // What a page's <form> or fetch(..., {mode: 'no-cors'}) can send without a preflight.
    const fromPage = await send(
      simulator,
      'POST',
      '/__admin/reset',
      { host, origin: 'https://evil.example', 'content-type': 'text/plain' },
      reset,
    );
    expect(fromPage.status).toBe(403);
    const plainText = await send(
      simulator,
      'POST',
      '/__admin/reset',
      { host, 'content-type': 'text/plain' },
      reset,
    );
    expect(plainText.status).toBe(403);
    expect(JSON.parse(plainText.body).message).toMatch(
      /must be sent as JSON .* or carry the x-cutover-admin header/,
    );
    expect(JSON.stringify(simulator.snapshot().modules)).toBe(before);

    const json = await send(
      simulator,
      'POST',
      '/__admin/reset',
      { host, 'content-type': 'application/json' },
      reset,
    );
    expect(json.status).toBe(200);
    const marked = await send(simulator, 'DELETE', '/__admin/faults', { host, 'x-cutover-admin': '1' });
    expect(marked.status).toBe(204);
  });

  it('needs the admin token when one is set', async () => {
    simulator = await startSimulator({ port: 0, seed: { profile: 'demo' }, adminToken: 'local-admin-token' });
    const host = `127.0.0.1:${simulator.port}`;
    expect((await send(simulator, 'GET', '/__admin/state', { host })).status).toBe(401);
    expect(
      (await send(simulator, 'GET', '/__admin/state', { host, authorization: 'Bearer wrong' })).status,
    ).toBe(401);
    expect(
      (await send(simulator, 'GET', '/__admin/state', { host, authorization: 'Bearer local-admin-token' }))
        .status,
    ).toBe(200);
  });
});
