import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import { headerValue, httpExchange, type HttpCall } from '../../../src/adapter/http-exchange.js';
import { GatewayError } from '../../../src/message/errors.js';
import { codeOf } from '../../helpers/errors.js';

// A provider with one behaviour per path.
let server: Server;
let pool: Pool;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/echo') {
        res.setHeader('content-type', 'application/json');
        res.setHeader('x-seen', ['a', 'b']);
        res.end(Buffer.concat(chunks));
      } else if (req.url === '/chunked') {
        // Several writes arrive as several chunks: the answer is their concatenation.
        for (let i = 0; i < 5; i++) res.write('x'.repeat(1000) + i);
        res.end();
      } else if (req.url === '/big') {
        res.end(Buffer.alloc(64 * 1024, 120));
      } else if (req.url?.startsWith('/coded/')) {
        // A provider that compresses although nobody asked (RFC 9110 §12.5.3 lets it).
        const coding = req.url.slice('/coded/'.length);
        const doc = Buffer.from('<a>026092017345</a>');
        const bodies: Record<string, Buffer> = {
          gzip: gzipSync(doc),
          br: brotliCompressSync(doc),
          bomb: gzipSync(Buffer.alloc(8 * 1024 * 1024)),
          broken: doc,
          compress: doc,
        };
        res.setHeader('content-type', 'text/xml');
        res.setHeader(
          'content-encoding',
          coding === 'bomb' || coding === 'broken' ? 'gzip' : coding,
        );
        res.end(bodies[coding]);
      } else if (req.url === '/status') {
        res.statusCode = 503;
        res.end('busy');
      }
      // '/hang' never answers.
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  pool = new Pool(origin, { connections: 4 });
});

afterAll(async () => {
  await pool.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const call = (over: Partial<HttpCall>): HttpCall => ({
  method: 'POST',
  path: '/echo',
  headers: { 'content-type': 'application/json' },
  maxBytes: 1024 * 1024,
  endpoint: 'test-provider',
  ...over,
});

describe('httpExchange', () => {
  it('returns status, headers and the whole body', async () => {
    const a = await httpExchange(pool, call({ body: Buffer.from('{"a":"026092017345"}') }));
    expect(a.status).toBe(200);
    expect(a.body.toString()).toBe('{"a":"026092017345"}');
    expect(headerValue(a.headers, 'content-type')).toBe('application/json');
    expect(headerValue(a.headers, 'x-seen')).toBe('a, b');
  });

  it('joins a body that arrives in several chunks', async () => {
    const a = await httpExchange(pool, call({ path: '/chunked' }));
    expect(a.body.length).toBe(5005);
    expect(a.body.toString().endsWith('x4')).toBe(true);
  });

  it('hands back error statuses for the adapter to classify', async () => {
    const a = await httpExchange(pool, call({ path: '/status' }));
    expect(a.status).toBe(503);
    expect(a.body.toString()).toBe('busy');
  });

  it('refuses a reply over maxBytes with LT_UPSTREAM_BAD_REPLY', async () => {
    const p = httpExchange(pool, call({ path: '/big', maxBytes: 16 * 1024 }));
    await expect(p).rejects.toMatchObject({
      code: 'LT_UPSTREAM_BAD_REPLY',
      detail: expect.stringContaining('larger than 16384 bytes'),
    });
    // The pool is still usable afterwards.
    expect((await httpExchange(pool, call({ body: '1' }))).status).toBe(200);
  });

  it.each(['gzip', 'br'])('decodes a %s reply to the document', async (coding) => {
    const a = await httpExchange(pool, call({ path: `/coded/${coding}` }));
    expect(a.body.toString()).toBe('<a>026092017345</a>');
  });

  it.each([
    ['a compressed bomb past maxBytes', 'bomb'],
    ['bytes that are not the coding they claim', 'broken'],
    ['a coding the gateway does not speak', 'compress'],
  ])('refuses %s as the provider’s LT_UPSTREAM_BAD_REPLY', async (_n, coding) => {
    const p = httpExchange(pool, call({ path: `/coded/${coding}`, maxBytes: 64 * 1024 }));
    await expect(p).rejects.toMatchObject({
      code: 'LT_UPSTREAM_BAD_REPLY',
      data: { endpoint: 'test-provider' },
    });
  });

  it('stops a call in flight when its signal aborts, with the signal’s reason', async () => {
    const ac = new AbortController();
    const p = httpExchange(pool, call({ path: '/hang', signal: ac.signal }));
    setTimeout(
      () => ac.abort(new GatewayError('LT_UPSTREAM_TIMEOUT', 'test-provider did not answer')),
      50,
    );
    await expect(p).rejects.toMatchObject({
      code: 'LT_UPSTREAM_TIMEOUT',
      detail: 'test-provider did not answer',
    });
  });

  it('does not send at all when the signal has already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    expect(await codeOf(httpExchange(pool, call({ signal: ac.signal })))).toBe(
      'LT_UPSTREAM_TIMEOUT',
    );
  });

  it('maps a refused connection to LT_UPSTREAM_UNREACHABLE', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const dead = new Pool(`http://127.0.0.1:${port}`);
    try {
      expect(await codeOf(httpExchange(dead, call({})))).toBe('LT_UPSTREAM_UNREACHABLE');
    } finally {
      await dead.destroy();
    }
  });
});
