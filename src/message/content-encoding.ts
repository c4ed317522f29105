import {
  brotliDecompressSync,
  gunzipSync,
  inflateRawSync,
  inflateSync,
  type ZlibOptions,
} from 'node:zlib';
import { GatewayError } from './errors.js';

type Decoder = (buf: Buffer, opts: ZlibOptions) => Buffer;

/** HTTP's `deflate` is zlib-wrapped (RFC 9110 §8.4.1.2); some clients send it raw all the same. */
const inflateEither: Decoder = (buf, opts) => {
  try {
    return inflateSync(buf, opts);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw err;
    return inflateRawSync(buf, opts);
  }
};

const DECODERS: Record<string, Decoder> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateEither,
  br: brotliDecompressSync,
};

/**
 * A body as it was before its Content-Encoding (`header`): SOAP stacks such
 * as CXF and WCF can gzip requests, and a provider may compress a reply.
 *
 * What one body may cost is bounded before and while decoding:
 * - at most `maxCodings` codings (`server.maxContentCodings`, default 1): a
 *   header listing thousands of `gzip` layers is refused before any is
 *   undone (each layer is a synchronous pass over the body on the event loop);
 * - every coding is checked to be one the gateway speaks before any decoding
 *   (RFC 9110 §15.5.16: 415);
 * - one output budget, `limit` bytes, for all layers together: each layer may
 *   only produce what the previous ones left, so a small compressed bomb stops
 *   at the limit instead of filling memory.
 *
 * Errors are the request-side codes (LT_UNSUPPORTED_MEDIA_TYPE,
 * LT_BODY_TOO_LARGE, LT_BODY_ENCODING_INVALID); an outbound adapter turns
 * them into the provider's LT_UPSTREAM_BAD_REPLY. No header costs one
 * comparison.
 */
export function decodeContentEncoding(
  header: string | undefined,
  body: Buffer,
  limit: number,
  maxCodings: number,
): Buffer {
  if (header === undefined) return body;
  // Codings are listed in the order they were applied; undo them last first.
  const codings = header
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity')
    .reverse();
  if (codings.length > maxCodings) {
    throw new GatewayError(
      'LT_UNSUPPORTED_MEDIA_TYPE',
      `${codings.length} content codings; at most ${maxCodings} accepted`,
      { codings: codings.length, maxCodings },
    );
  }
  for (const coding of codings) {
    if (!Object.prototype.hasOwnProperty.call(DECODERS, coding)) {
      throw new GatewayError(
        'LT_UNSUPPORTED_MEDIA_TYPE',
        `Content-Encoding "${coding.slice(0, 40)}" is not accepted; send gzip, deflate, br or none`,
        { contentEncoding: coding.slice(0, 40) },
      );
    }
  }
  let out = body;
  let left = limit;
  for (const coding of codings) {
    try {
      out = DECODERS[coding](out, { maxOutputLength: Math.max(left, 1) });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new GatewayError(
          'LT_BODY_TOO_LARGE',
          `the body decoded from ${coding} is larger than ${limit} bytes`,
          { contentEncoding: coding, limit },
        );
      }
      throw new GatewayError(
        'LT_BODY_ENCODING_INVALID',
        `the body is not valid ${coding}: ${(err as Error).message}`,
        { contentEncoding: coding },
      );
    }
    left -= out.length;
    if (left < 0)
      throw new GatewayError(
        'LT_BODY_TOO_LARGE',
        `the layers of the body decode to more than ${limit} bytes together`,
        { limit },
      );
  }
  return out;
}
