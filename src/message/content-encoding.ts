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
 * as CXF and WCF can gzip requests, and a provider may compress a reply. The
 * decoded size is held to `limit` while decoding, so a small compressed bomb
 * stops at the limit instead of filling memory. Codings other than gzip,
 * deflate and br are refused (RFC 9110 §15.5.16: 415). Errors are the
 * request-side codes (LT_UNSUPPORTED_MEDIA_TYPE, LT_BODY_TOO_LARGE,
 * LT_BODY_ENCODING_INVALID); an outbound adapter turns them into the
 * provider's LT_UPSTREAM_BAD_REPLY. No header costs one comparison.
 */
export function decodeContentEncoding(
  header: string | undefined,
  body: Buffer,
  limit: number,
): Buffer {
  if (header === undefined) return body;
  // Codings are listed in the order they were applied; undo them last first.
  const codings = header
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity')
    .reverse();
  let out = body;
  for (const coding of codings) {
    const decode = DECODERS[coding];
    if (!decode) {
      throw new GatewayError(
        'LT_UNSUPPORTED_MEDIA_TYPE',
        `Content-Encoding "${coding}" is not accepted; send gzip, deflate, br or none`,
        { contentEncoding: coding },
      );
    }
    try {
      out = decode(out, { maxOutputLength: limit });
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
  }
  return out;
}
