import type { IncomingMessage } from 'node:http';
import { saneRequestId, uuidv7 } from '../message/ids.js';

/**
 * Fastify's `genReqId`: the id is the caller's sane one (saneRequestId:
 * anything else could forge a log line or bloat every one) or a new UUIDv7. It
 * is also written back into the request's headers, so the inbound adapters'
 * Message carries the same id to the pipeline's exchange line and to the
 * provider (adapters forward `x-request-id`), without each adapter knowing.
 */
export function requestIdOf(req: IncomingMessage): string {
  const id = saneRequestId(req.headers['x-request-id']) ?? uuidv7();
  req.headers['x-request-id'] = id;
  return id;
}
