import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Exchange, Message } from '../../../src/message/index.js';

/** A tiny HTTP server for tests; resolves with its URL and a close function. */
export async function tinyServer(
  handler: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The smallest Exchange an outbound adapter needs. */
export function exchange(
  id = '0190b1c2-0000-7000-8000-000000000001',
  signal = new AbortController().signal,
): Exchange & { signal: AbortSignal } {
  const request: Message = { body: null, contentType: 'application/json', headers: {} };
  return {
    id,
    routeId: 'test',
    channel: 'http',
    receivedAt: Date.now(),
    request,
    stages: [],
    deadline: Date.now() + 60_000,
    signal,
    attrs: {},
  };
}

export function jsonRequest(operation: string, body: Record<string, unknown>): Message {
  return { contentType: 'application/json', operation, headers: {}, body };
}
