import type { IncomingMessage } from 'node:http';
import { uuidv7 } from '../message/ids.js';

/**
 * The caller's `X-Request-Id`, when it is one we can log and echo safely:
 * 1–128 characters of letters, digits and `-_.:`. Anything else (too long,
 * spaces, quotes, control characters that could forge a log line) is
 * replaced by a new id, so every request carries exactly one usable id.
 */
const SANE = /^[A-Za-z0-9._:-]{1,128}$/;

export function saneRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && SANE.test(value) ? value : undefined;
}

/**
 * Fastify's `genReqId`: the id is the caller's sane one or a new UUIDv7. It
 * is also written back into the request's headers, so the inbound adapters'
 * Message carries the same id to the pipeline's exchange line and to the
 * provider (adapters forward `x-request-id`), without each adapter knowing.
 */
export function requestIdOf(req: IncomingMessage): string {
  const id = saneRequestId(req.headers['x-request-id']) ?? uuidv7();
  req.headers['x-request-id'] = id;
  return id;
}
