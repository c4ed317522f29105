import type { FastifyInstance, FastifyRequest } from 'fastify';
import { decodeContentEncoding } from '../message/content-encoding.js';
import { GatewayError } from '../message/errors.js';
import { checkKeys, scanJson } from './json-shape.js';

const RAW = Symbol('lienthong.rawBody');

/** The body bytes as received: signatures and digests are over these, never a re-serialisation. */
export function rawBodyOf(req: FastifyRequest): Buffer | undefined {
  return (req as unknown as Record<symbol, Buffer | undefined>)[RAW];
}

/**
 * Content-type parsers: JSON keeps its raw bytes and fails with LT_BAD_JSON;
 * XML and JOSE bodies stay raw for their adapters (the SOAP adapter parses
 * them with the hardened parser); form bodies serve POST /token. Every body is
 * first decoded from its Content-Encoding: the raw bytes that signatures and
 * digests cover are the decoded ones, the document the caller wrote, and
 * at most `limits.maxContentCodings` layers of coding are undone.
 */
/** What one request body may cost to decode and parse (server.* in the config). */
export interface BodyLimits {
  /** Content codings undone, at most (server.maxContentCodings). */
  maxContentCodings: number;
  /** Keys and values a JSON body may hold (server.maxJsonNodes). */
  maxJsonNodes: number;
}

export function registerBodyParsers(server: FastifyInstance, limits: BodyLimits): void {
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
      let value: unknown;
      try {
        value = parse(
          req,
          decodeContentEncoding(
            req.headers['content-encoding'],
            body as Buffer,
            limit,
            limits.maxContentCodings,
          ),
        );
      } catch (err) {
        return done(err as Error, undefined);
      }
      done(null, value);
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
      const text = buf.toString('utf8');
      // Nesting and size bounded before parsing, repeated keys refused after (json-shape.ts).
      const keys = scanJson(text, limits.maxJsonNodes);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        throw new GatewayError('LT_BAD_JSON', (err as Error).message);
      }
      checkKeys(value, keys);
      return value;
    }),
  );
  server.addContentTypeParser(
    /^(text\/xml|application\/([\w.+-]+\+)?xml|application\/jose|application\/octet-stream)/,
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
