import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayError } from '../message/errors.js';
import type { InboundBinding } from './spec.js';

/**
 * What an HTTP-speaking inbound adapter needs from the gateway's listener,
 * as a small interface the server implements (src/server/http-host.ts): so
 * adapters depend on this file, not on the server's wiring. The only place
 * outside src/server where fastify's types appear.
 */
export type HttpRequest = FastifyRequest;
export type HttpReply = FastifyReply;

/** An inbound adapter's rendering of a refusal in its own protocol (SOAP fault, …). */
export type ErrorRenderer = (err: GatewayError, req: HttpRequest, reply: HttpReply) => HttpReply;

export interface HttpRouteOptions {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly url: string;
  /** The protocol the path speaks: `soap` refusals are faults, with no WWW-Authenticate challenge. */
  readonly protocol: 'http' | 'soap';
  /** The route served, when the path belongs to one route (for logs and metrics). */
  readonly routeId?: string;
  /** Refusals on this path in the adapter's protocol; problem+json without it. */
  readonly renderError?: ErrorRenderer;
  /**
   * The media types this path's bodies may have (`type/subtype`, or `+suffix`
   * for any type with that suffix): any other Content-Type is refused with 415
   * LT_UNSUPPORTED_MEDIA_TYPE before the body is read or the caller
   * authenticated. A route accepts the media types it declares, nothing else.
   */
  readonly accept?: readonly string[];
  /** What that refusal tells the caller to send. */
  readonly acceptHint?: string;
  readonly handler: (req: HttpRequest, reply: HttpReply) => Promise<unknown>;
}

export interface HttpHost {
  /**
   * Serves a path. Errors the handler throws, and the host's own refusals
   * (LT_SHUTTING_DOWN while the gateway drains), are rendered by
   * `renderError` or as problem+json.
   */
  route(opts: HttpRouteOptions): void;
  /** The body bytes as received (decoded from their Content-Encoding): signatures are over these. */
  rawBody(req: HttpRequest): Buffer | undefined;
  /**
   * The running binding of routes served on the listener: nothing to start
   * or stop of its own (the listener drains them all), healthy until the
   * gateway begins to drain.
   */
  binding(name: string): InboundBinding;
}

/** Request headers as a flat lower-case map (repeated headers joined, as HTTP allows). */
export function flatHeaders(h: HttpRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
