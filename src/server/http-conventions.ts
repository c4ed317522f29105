import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ERRORS, GatewayError } from '../message/errors.js';
import type { GatewayMetrics, RefusalStage } from './metrics.js';
import { isPreRoute, type PipelineHooks } from '../pipeline/hooks.js';

/** The realm named in WWW-Authenticate challenges. */
export const REALM = 'lienthong';

/**
 * The headers HTTP asks for with some refusals, set before any renderer
 * writes the reply: a 401 says how to authenticate (RFC 9110 §11.6.1, with
 * the Bearer scheme's error codes of RFC 6750 §3), and a refusal that will
 * pass by itself says when to come back (Retry-After, RFC 9110 §10.2.3).
 * `scheme` is what the route authenticates with; SOAP faults are HTTP 500
 * and take no challenge.
 */
export function conventionHeaders(
  reply: FastifyReply,
  err: GatewayError,
  scheme: 'Bearer' | 'Basic' | undefined,
): void {
  const spec = ERRORS[err.code];
  if (spec.http === 401 && scheme) reply.header('www-authenticate', challenge(err, scheme));
  const after = err.data?.retryAfterSeconds;
  if (typeof after === 'number' && after > 0) reply.header('retry-after', String(after));
}

function challenge(err: GatewayError, scheme: 'Bearer' | 'Basic'): string {
  if (scheme === 'Basic') return `Basic realm="${REALM}", charset="UTF-8"`;
  // RFC 6750 §3.1: a request without credentials gets the bare challenge, no error code.
  // Only a bad token is invalid_token; a missing token, or a 401 of the body's signature, gets the bare challenge.
  if (err.code !== 'LT_AUTH_TOKEN_INVALID' && err.code !== 'LT_AUTH_TOKEN_EXPIRED')
    return `Bearer realm="${REALM}"`;
  // The table's English text, not the detail: it is known to be a safe quoted-string.
  return `Bearer realm="${REALM}", error="invalid_token", error_description="${ERRORS[err.code].en}"`;
}

/** Routes by path with their methods, to answer a wrong method with 405 and Allow. */
export function trackMethods(server: FastifyInstance): (path: string) => string | undefined {
  const byPath = new Map<string, Set<string>>();
  server.addHook('onRoute', (route) => {
    const methods = byPath.get(route.url) ?? new Set<string>();
    for (const m of [route.method].flat()) methods.add(m);
    byPath.set(route.url, methods);
  });
  return (path) => {
    const m = byPath.get(path);
    return m ? [...m].sort().join(', ') : undefined;
  };
}

/** A fastify request, or what is known of one Node's HTTP parser refused. */
export type RefusedRequest = Pick<FastifyRequest, 'id'> &
  Partial<Pick<FastifyRequest, 'method' | 'url' | 'ip'>>;

export interface Refusals {
  /**
   * A request refused before any route's pipeline ran, told to the refusal
   * hook: its subscribers write the log line with the request id, the count
   * in lienthong_refusals_total and the sharing-log record.
   */
  record(req: RefusedRequest, err: GatewayError, stage: RefusalStage): void;
}

export function refusals(hooks: PipelineHooks): Refusals {
  return {
    record(req, err, stage) {
      hooks.refused(
        {
          kind: 'pre-route',
          at: Date.now(),
          stage,
          requestId: req.id,
          method: req.method,
          path: req.url?.split('?')[0],
          ip: req.ip,
        },
        err,
      );
    },
  };
}

/**
 * The refused line and the lienthong_refusals_total count of a request
 * refused before any route, as a subscriber of the refusal hook (the
 * pipeline's own refusals have their exchange line and counters).
 */
export function logRefusals(hooks: PipelineHooks, log: Logger, metrics: GatewayMetrics): void {
  hooks.onRefusal((what, err) => {
    if (!isPreRoute(what)) return;
    metrics.refused(err.code, what.stage as RefusalStage);
    log.info(
      {
        req: what.requestId,
        code: err.code,
        status: ERRORS[err.code].http,
        stage: what.stage,
        method: what.method,
        path: what.path,
        ip: what.ip,
      },
      'refused',
    );
  });
}
