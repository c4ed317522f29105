import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Value } from '@sinclair/typebox/value';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { HttpEndpointSchema, httpOutbound } from '../../../adapters/http/outbound.js';
import type { Exchange, Message } from '../../../src/message/index.js';
import { codeOf } from '../../helpers/errors.js';

// A provider answering 4 KB of JSON.
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ pad: 'x'.repeat(4096) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function outbound(options: Record<string, unknown>) {
  const cfg = Value.Default(HttpEndpointSchema, structuredClone(options)) as never;
  return httpOutbound(cfg, { name: 'provider', url, log: pino({ level: 'silent' }) });
}

const request: Message = { body: { a: 1 }, contentType: 'application/json', headers: {} };
const ex = { id: 'ex-1', request } as unknown as Exchange;

describe('http outbound: maxReplyBytes', () => {
  it('reads a reply within the limit (default 16 MiB)', async () => {
    const out = outbound({});
    try {
      const reply = await out.send({ ...request }, ex, new AbortController().signal);
      expect((reply.body as { pad: string }).pad).toHaveLength(4096);
    } finally {
      await out.close();
    }
  });

  it('refuses a larger reply with LT_UPSTREAM_BAD_REPLY', async () => {
    const out = outbound({ maxReplyBytes: 1024 });
    try {
      expect(await codeOf(out.send({ ...request }, ex, new AbortController().signal))).toBe(
        'LT_UPSTREAM_BAD_REPLY',
      );
    } finally {
      await out.close();
    }
  });
});
