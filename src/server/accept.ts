import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../message/errors.js';
import { mediaTypeAcceptor } from '../message/media-type.js';

/** Whether the request carries a body at all. */
function hasBody(req: FastifyRequest): boolean {
  const len = req.headers['content-length'];
  return (len !== undefined && len !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * An `onRequest` hook: a body in a media type the route does not declare is
 * refused with 415 LT_UNSUPPORTED_MEDIA_TYPE before anything is read, parsed
 * or authenticated (the error handler renders it in the route's protocol).
 * A route accepts its media types and nothing else (DESIGN.md, principles).
 */
export function acceptOnly(accepted: readonly string[], use: string) {
  const ok = mediaTypeAcceptor(accepted);
  const list = accepted.join(', ');
  return async (req: FastifyRequest): Promise<void> => {
    const ct = req.headers['content-type'];
    // Nothing declared and nothing sent: no media type to refuse (a declared
    // one is checked even on an empty body, as the body parsers would).
    if (ct === undefined && !hasBody(req)) return;
    if (!ok(ct)) {
      throw new GatewayError(
        'LT_UNSUPPORTED_MEDIA_TYPE',
        `${use}; content type "${(ct ?? '').slice(0, 100)}" is not one this route accepts (${list})`,
        { accepted },
      );
    }
  };
}
