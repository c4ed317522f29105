import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HttpHost, HttpRouteOptions } from '../adapter/http-host.js';
import type { InboundBinding } from '../adapter/spec.js';
import { GatewayError } from '../message/errors.js';
import { acceptOnly } from './accept.js';
import { rawBodyOf } from './body.js';

/**
 * The gateway's listener as HTTP inbound adapters see it. Once `drain` is
 * called (shutdown), every adapter route answers LT_SHUTTING_DOWN in its own
 * protocol (the route's renderError: a SOAP fault on a SOAP path) with
 * `Connection: close`, while requests already handed to the pipeline finish.
 * The check is one boolean in the route's handler: no hook, no allocation.
 */
export class ListenerHost implements HttpHost {
  private draining = false;

  constructor(private readonly server: FastifyInstance) {}

  route(o: HttpRouteOptions): void {
    const handler = o.handler;
    this.server.route({
      method: o.method,
      url: o.url,
      config: { protocol: o.protocol, routeId: o.routeId, renderError: o.renderError },
      ...(o.accept
        ? {
            onRequest: acceptOnly(
              o.accept,
              o.acceptHint ?? `${o.url} takes ${o.accept.join(', ')}`,
            ),
          }
        : {}),
      handler: (req, reply) => (this.draining ? refuse(reply) : handler(req, reply)),
    });
  }

  rawBody = rawBodyOf;

  binding(name: string): InboundBinding {
    return {
      name,
      start: async () => {},
      stop: async () => {},
      health: () => ({ ok: !this.draining }),
    };
  }

  /** From now on adapter routes refuse new requests. */
  drain(): void {
    this.draining = true;
  }
}

function refuse(reply: FastifyReply): Promise<never> {
  reply.header('connection', 'close');
  return Promise.reject(
    new GatewayError(
      'LT_SHUTTING_DOWN',
      'the gateway is shutting down: send the request again, to another instance',
    ),
  );
}

/**
 * Closes the listener: no new connections, idle keep-alive ones closed, the
 * requests still being answered given until `deadline` (epoch ms), then cut.
 */
export async function closeListener(server: FastifyInstance, deadline: number): Promise<void> {
  const force = setTimeout(
    () => server.server.closeAllConnections(),
    Math.max(0, deadline - Date.now()),
  );
  try {
    await server.close();
  } finally {
    clearTimeout(force);
  }
}
