import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../message/errors.js';

const RAW = Symbol('lienthong.rawBody');

/** The body bytes as received: signatures and digests are over these, never a re-serialisation. */
export function rawBodyOf(req: FastifyRequest): Buffer | undefined {
  return (req as unknown as Record<symbol, Buffer | undefined>)[RAW];
}

/**
 * Content-type parsers: JSON keeps its raw bytes and fails with LT_BAD_JSON;
 * XML and JOSE bodies stay raw for their adapters (the SOAP adapter parses
 * them with the hardened parser); form bodies serve POST /token.
 */
export function registerBodyParsers(server: FastifyInstance): void {
  server.removeAllContentTypeParsers();
  server.addContentTypeParser(
    /^application\/([\w.+-]+\+)?json/,
    { parseAs: 'buffer' },
    (req, body, done) => {
      const buf = body as Buffer;
      (req as unknown as Record<symbol, Buffer>)[RAW] = buf;
      if (buf.length === 0) return done(null, undefined);
      try {
        done(null, JSON.parse(buf.toString('utf8')));
      } catch (err) {
        done(new GatewayError('LT_BAD_JSON', (err as Error).message), undefined);
      }
    },
  );
  server.addContentTypeParser(
    /^(text\/xml|application\/([\w.+-]+\+)?xml|application\/jose)/,
    { parseAs: 'buffer' },
    (req, body, done) => {
      (req as unknown as Record<symbol, Buffer>)[RAW] = body as Buffer;
      done(null, body);
    },
  );
  server.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
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
