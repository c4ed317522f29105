import { describe, expect, it } from '@jest/globals';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { decodeContentEncoding } from '../../../src/message/content-encoding.js';
import { gatewayError } from '../../helpers/errors.js';

const DOC = Buffer.from('<a>xin chào 026092008262</a>');
const LIMIT = 1024;

describe('decodeContentEncoding (request bodies sent compressed)', () => {
  it('returns the same buffer when there is no Content-Encoding, or only identity', () => {
    expect(decodeContentEncoding(undefined, DOC, LIMIT)).toBe(DOC);
    expect(decodeContentEncoding('identity', DOC, LIMIT)).toEqual(DOC);
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
    expect(decodeContentEncoding(coding, body, LIMIT)).toEqual(DOC);
  });

  it('refuses a coding it does not speak with LT_UNSUPPORTED_MEDIA_TYPE', () => {
    expect(gatewayError(() => decodeContentEncoding('compress', DOC, LIMIT)).code).toBe(
      'LT_UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('refuses bytes that are not what the header says with LT_BODY_ENCODING_INVALID', () => {
    expect(gatewayError(() => decodeContentEncoding('gzip', DOC, LIMIT)).code).toBe(
      'LT_BODY_ENCODING_INVALID',
    );
    expect(gatewayError(() => decodeContentEncoding('br', gzipSync(DOC), LIMIT)).code).toBe(
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
    expect(gatewayError(() => decodeContentEncoding(coding, bomb, LIMIT)).code).toBe(
      'LT_BODY_TOO_LARGE',
    );
  });

  it('accepts a body that decodes to exactly the limit', () => {
    const full = Buffer.alloc(LIMIT, 0x61);
    expect(decodeContentEncoding('gzip', gzipSync(full), LIMIT)).toEqual(full);
  });
});
