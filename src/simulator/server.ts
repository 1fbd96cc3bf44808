import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SimulatorOptions {
  host?: string;
  port?: number;
}

export interface RunningSimulator {
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * The local stand-in for Adobe, SFMC, Marketo and Sales Connect. Admin routes
 * live under /__admin, apart from the emulated APIs.
 */
export async function startSimulator({
  host = '127.0.0.1',
  port = 4010,
}: SimulatorOptions = {}): Promise<RunningSimulator> {
  const server = http.createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/__admin/health') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return;
    }
    response
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: 'not found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
