import { describe, expect, it } from '@jest/globals';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { decodeContentEncoding } from '../../../src/message/content-encoding.js';
import { gatewayError } from '../../helpers/errors.js';

const DOC = Buffer.from('<a>xin chào 026092008262</a>');
const LIMIT = 1024;

describe('decodeContentEncoding (request bodies sent compressed)', () => {
  it('returns the same buffer when there is no Content-Encoding, or only identity', () => {
    expect(decodeContentEncoding(undefined, DOC, LIMIT, 1)).toBe(DOC);
    expect(decodeContentEncoding('identity', DOC, LIMIT, 1)).toEqual(DOC);
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
    expect(decodeContentEncoding(coding, body, LIMIT, 2)).toEqual(DOC);
  });

  it('refuses a coding it does not speak with LT_UNSUPPORTED_MEDIA_TYPE', () => {
    expect(gatewayError(() => decodeContentEncoding('compress', DOC, LIMIT, 1)).code).toBe(
      'LT_UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('refuses bytes that are not what the header says with LT_BODY_ENCODING_INVALID', () => {
    expect(gatewayError(() => decodeContentEncoding('gzip', DOC, LIMIT, 1)).code).toBe(
      'LT_BODY_ENCODING_INVALID',
    );
    expect(gatewayError(() => decodeContentEncoding('br', gzipSync(DOC), LIMIT, 1)).code).toBe(
      'LT_BODY_ENCODING_INVALID',
    );
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ])('stops a %s bomb at the body limit with LT_BODY_TOO_LARGE', (coding, compress) => {
    const bomb = compress(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(LIMIT * 16);
    expect(gatewayError(() => decodeContentEncoding(coding, bomb, LIMIT, 1)).code).toBe(
      'LT_BODY_TOO_LARGE',
    );
  });

  it('accepts a body that decodes to exactly the limit', () => {
    const full = Buffer.alloc(LIMIT, 0x61);
    expect(decodeContentEncoding('gzip', gzipSync(full), LIMIT, 1)).toEqual(full);
  });

  it('refuses more codings than allowed before undoing any (LT_UNSUPPORTED_MEDIA_TYPE)', () => {
    // 3,000 stored gzip layers took the event loop ~4 s on main; now none is undone.
    const header = Array(3000).fill('gzip').join(', ');
    const err = gatewayError(() => decodeContentEncoding(header, gzipSync(DOC), LIMIT, 1));
    expect(err.code).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
    expect(err.data).toEqual({ codings: 3000, maxCodings: 1 });
    expect(gatewayError(() => decodeContentEncoding('gzip', gzipSync(DOC), LIMIT, 0)).code).toBe(
      'LT_UNSUPPORTED_MEDIA_TYPE',
    );
    expect(decodeContentEncoding('gzip, gzip', gzipSync(gzipSync(DOC)), LIMIT, 2)).toEqual(DOC);
  });

  it('checks every coding before decoding any, and no Object.prototype name is a decoder', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(gatewayError(() => decodeContentEncoding(name, DOC, LIMIT, 1)).code).toBe(
        'LT_UNSUPPORTED_MEDIA_TYPE',
      );
    }
    // An unknown outer coding is refused even though the inner gzip would decode.
    expect(
      gatewayError(() => decodeContentEncoding('compress, gzip', gzipSync(DOC), LIMIT, 2)).code,
    ).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
  });

  it('holds all layers to one output budget: two layers cannot each fill the limit', () => {
    // Stored (level 0) layers: each decodes to a little more than half the limit.
    const half = Buffer.alloc(LIMIT / 2 + 1, 0x61);
    const inner = gzipSync(half, { level: 0 });
    const twice = gzipSync(inner, { level: 0 });
    expect(inner.length).toBeLessThan(LIMIT);
    expect(decodeContentEncoding('gzip', twice, LIMIT, 1)).toEqual(inner);
    const err = gatewayError(() => decodeContentEncoding('gzip, gzip', twice, LIMIT, 2));
    expect(err.code).toBe('LT_BODY_TOO_LARGE');
  });
});
