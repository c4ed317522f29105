import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts a simulator's HTTP server and gives back its URL and a close that
 * also ends kept-alive connections (so a test or `npm start` stops at once).
 */
export async function listenSimulator(
  server: Server,
  host = '127.0.0.1',
  port = 0,
): Promise<{ url: string; close(): Promise<void> }> {
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
