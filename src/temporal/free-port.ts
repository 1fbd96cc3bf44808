import net from 'node:net';

function listenOnce(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, host, () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * Asks the OS for a currently free TCP port on the given interface, other
 * than those in `taken` (ports already picked for another listener that has
 * not bound them yet, which the OS may hand out again).
 */
export async function freePort(host = '127.0.0.1', taken: readonly number[] = []): Promise<number> {
  for (;;) {
    const port = await listenOnce(0, host);
    if (!taken.includes(port)) return port;
  }
}

/** The preferred port when nothing listens on it, otherwise any free one. */
export function preferredOrFreePort(preferred: number, host = '127.0.0.1'): Promise<number> {
  return listenOnce(preferred, host).catch(() => freePort(host));
}
