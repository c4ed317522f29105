import { describe, expect, it } from '@jest/globals';
import Fastify from 'fastify';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { GatewayError } from '../../../src/message/errors.js';
import { decodeContentEncoding, rawBodyOf, registerBodyParsers } from '../../../src/server/body.js';
import { fromFastifyError, sendProblem } from '../../../src/server/problem.js';

const DOC = Buffer.from('<a>xin chào 026092008262</a>');
const LIMIT = 1024;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof GatewayError ? err.code : `not coded: ${String(err)}`;
  }
  return undefined;
}

describe('decodeContentEncoding (request bodies sent compressed)', () => {
  it('returns the same buffer when there is no Content-Encoding, or only identity', () => {
    expect(decodeContentEncoding({}, DOC, LIMIT)).toBe(DOC);
    expect(decodeContentEncoding({ 'content-encoding': 'identity' }, DOC, LIMIT)).toEqual(DOC);
  });

  it.each([
    ['gzip', gzipSync(DOC)],
    ['x-gzip', gzipSync(DOC)],
    ['GZIP', gzipSync(DOC)],
    ['deflate', deflateSync(DOC)],
    ['deflate', deflateRawSync(DOC)],
    ['br', brotliCompressSync(DOC)],
    ['gzip, identity', gzipSync(DOC)],
    // Applied in the order listed: deflate first, then gzip; undone gzip first.
    ['deflate, gzip', gzipSync(deflateSync(DOC))],
  ])('decodes %s to the bytes the caller wrote', (coding, body) => {
    expect(decodeContentEncoding({ 'content-encoding': coding }, body, LIMIT)).toEqual(DOC);
  });

  it('refuses a coding it does not speak with LT_UNSUPPORTED_MEDIA_TYPE', () => {
    expect(
      codeOf(() => decodeContentEncoding({ 'content-encoding': 'compress' }, DOC, LIMIT)),
    ).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses bytes that are not what the header says with LT_BODY_ENCODING_INVALID', () => {
    expect(codeOf(() => decodeContentEncoding({ 'content-encoding': 'gzip' }, DOC, LIMIT))).toBe(
      'LT_BODY_ENCODING_INVALID',
    );
    expect(
      codeOf(() => decodeContentEncoding({ 'content-encoding': 'br' }, gzipSync(DOC), LIMIT)),
    ).toBe('LT_BODY_ENCODING_INVALID');
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('stops a %s bomb at the body limit with LT_BODY_TOO_LARGE', (coding, compress) => {
    const bomb = compress(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(LIMIT * 16);
    expect(codeOf(() => decodeContentEncoding({ 'content-encoding': coding }, bomb, LIMIT))).toBe(
      'LT_BODY_TOO_LARGE',
    );
  });

  it('accepts a body that decodes to exactly the limit', () => {
    const full = Buffer.alloc(LIMIT, 0x61);
    expect(decodeContentEncoding({ 'content-encoding': 'gzip' }, gzipSync(full), LIMIT)).toEqual(
      full,
    );
  });
});

describe('registerBodyParsers: every parser sees the decoded body', () => {
  const SERVER_LIMIT = 64 * 1024;
  // On a real port: fastify's inject needs a CommonJS cookie module jest's ESM mode cannot load.
  async function withServer(
    run: (
      post: (headers: Record<string, string>, body: Buffer) => Promise<Response>,
    ) => Promise<void>,
  ) {
    const app = Fastify({ bodyLimit: SERVER_LIMIT });
    registerBodyParsers(app);
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
