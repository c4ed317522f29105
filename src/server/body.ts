import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  brotliDecompressSync,
  gunzipSync,
  inflateRawSync,
  inflateSync,
  type ZlibOptions,
} from 'node:zlib';
import { GatewayError } from '../message/errors.js';

const RAW = Symbol('lienthong.rawBody');

/** The body bytes as received: signatures and digests are over these, never a re-serialisation. */
export function rawBodyOf(req: FastifyRequest): Buffer | undefined {
  return (req as unknown as Record<symbol, Buffer | undefined>)[RAW];
}

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
 * The body as sent before its Content-Encoding (SOAP stacks such as CXF and
 * WCF can gzip requests). The decoded size is held to the body limit while
 * decoding, so a small compressed bomb stops at the limit instead of filling
 * memory. Unknown codings are refused (RFC 9110 §15.5.16: 415). An absent
 * header costs one lookup: uncompressed traffic is untouched.
 */
export function decodeContentEncoding(
  headers: FastifyRequest['headers'],
  body: Buffer,
  limit: number,
): Buffer {
  const header = headers['content-encoding'];
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

/**
 * Content-type parsers: JSON keeps its raw bytes and fails with LT_BAD_JSON;
 * XML and JOSE bodies stay raw for their adapters (the SOAP adapter parses
 * them with the hardened parser); form bodies serve POST /token. Every body is
 * first decoded from its Content-Encoding: the raw bytes that signatures and
 * digests cover are the decoded ones, the document the caller wrote.
 */
export function registerBodyParsers(server: FastifyInstance): void {
  const limit = server.initialConfig.bodyLimit ?? 1048576;
  server.removeAllContentTypeParsers();
  /** A parser of the decoded body; a decoding error goes to `done` like a parse error. */
  const decoded =
    (parse: (req: FastifyRequest, body: Buffer) => unknown) =>
    (
      req: FastifyRequest,
      body: string | Buffer,
      done: (err: Error | null, v?: unknown) => void,
    ) => {
      let buf: Buffer;
      try {
        buf = decodeContentEncoding(req.headers, body as Buffer, limit);
      } catch (err) {
        return done(err as Error, undefined);
      }
      try {
        done(null, parse(req, buf));
      } catch (err) {
        done(err as Error, undefined);
      }
    };
  const keepRaw = (req: FastifyRequest, buf: Buffer) => {
    (req as unknown as Record<symbol, Buffer>)[RAW] = buf;
  };
  server.addContentTypeParser(
    /^application\/([\w.+-]+\+)?json/,
    { parseAs: 'buffer' },
    decoded((req, buf) => {
      keepRaw(req, buf);
      if (buf.length === 0) return undefined;
      try {
        return JSON.parse(buf.toString('utf8'));
      } catch (err) {
        throw new GatewayError('LT_BAD_JSON', (err as Error).message);
      }
    }),
  );
  server.addContentTypeParser(
    /^(text\/xml|application\/([\w.+-]+\+)?xml|application\/jose)/,
    { parseAs: 'buffer' },
    decoded((req, buf) => {
      keepRaw(req, buf);
      return buf;
    }),
  );
  server.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'buffer' },
    decoded((_req, buf) => Object.fromEntries(new URLSearchParams(buf.toString('utf8')))),
  );
  server.addContentTypeParser('*', { parseAs: 'buffer' }, (req, _body, done) => {
    done(
      new GatewayError(
        'LT_UNSUPPORTED_MEDIA_TYPE',
        `content type "${req.headers['content-type'] ?? ''}" is not accepted here`,
      ),
      undefined,
    );
  });
}
