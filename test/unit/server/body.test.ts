import { describe, expect, it } from '@jest/globals';
import Fastify from 'fastify';
import { gzipSync } from 'node:zlib';
import { rawBodyOf, registerBodyParsers } from '../../../src/server/body.js';
import { fromFastifyError, sendProblem } from '../../../src/server/problem.js';

const DOC = Buffer.from('<a>xin chào 026092008262</a>');

describe('registerBodyParsers: every parser sees the decoded body', () => {
  const SERVER_LIMIT = 64 * 1024;
  // On a real port: fastify's inject needs a CommonJS cookie module jest's ESM mode cannot load.
  async function withServer(
    run: (
      post: (headers: Record<string, string>, body: Buffer) => Promise<Response>,
    ) => Promise<void>,
  ) {
    const app = Fastify({ bodyLimit: SERVER_LIMIT });
    registerBodyParsers(app, { maxContentCodings: 1, maxJsonNodes: 10000 });
    app.setErrorHandler((err, _req, reply) => sendProblem(reply, fromFastifyError(err as Error)));
    app.post('/echo', async (req) => ({
      body: req.body instanceof Buffer ? req.body.toString('utf8') : req.body,
      raw: rawBodyOf(req)?.toString('utf8'),
    }));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      await run((headers, body) => fetch(`${url}/echo`, { method: 'POST', headers, body }));
    } finally {
      await app.close();
    }
  }

  it.each([
    ['text/xml', DOC, { body: DOC.toString(), raw: DOC.toString() }],
    [
      'application/json',
      Buffer.from('{"id":"026092008262"}'),
      { body: { id: '026092008262' }, raw: '{"id":"026092008262"}' },
    ],
    [
      'application/x-www-form-urlencoded',
      Buffer.from('grant_type=client_credentials'),
      { body: { grant_type: 'client_credentials' } },
    ],
  ])('%s, gzip-compressed', async (type, body, expected) => {
    await withServer(async (post) => {
      const res = await post({ 'content-type': type, 'content-encoding': 'gzip' }, gzipSync(body));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(expected);
    });
  });

  it('answers a bomb and an unknown coding with their codes, in problem+json', async () => {
    await withServer(async (post) => {
      const json = (coding: string) => ({
        'content-type': 'application/json',
        'content-encoding': coding,
      });
      // Small enough to pass the limit on the wire, so only the decoding cap can stop it.
      const compressed = gzipSync(Buffer.alloc(10 * 1024 * 1024));
      expect(compressed.length).toBeLessThan(SERVER_LIMIT);
      const bomb = await post(json('gzip'), compressed);
      expect(bomb.status).toBe(413);
      expect(((await bomb.json()) as { code: string }).code).toBe('LT_BODY_TOO_LARGE');
      const unknown = await post(json('zstd'), Buffer.from('{}'));
      expect(unknown.status).toBe(415);
      expect(((await unknown.json()) as { code: string }).code).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
    });
  });
});
