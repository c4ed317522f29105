import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteDef } from '../../src/config/schema.js';
import type { InboundContext } from '../../src/adapter/spec.js';
import type { Message } from '../../src/message/index.js';
import { rawBodyOf } from '../../src/server/body.js';
import { acceptOnly } from '../../src/server/accept.js';

export const HttpInboundSchema = Type.Object(
  {
    adapter: Type.Literal('http'),
    method: Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('GET')], {
      default: 'POST',
    }),
    path: Type.String({
      pattern: '^/',
      description: 'Path the gateway serves, e.g. /v1/connection-test',
    }),
    operation: Type.Optional(
      Type.String({ description: 'Operation name handed to the provider adapter' }),
    ),
    accept: Type.Optional(
      Type.Array(
        Type.String({ pattern: '^([a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+|\\+[a-z0-9]+)$' }),
        {
          minItems: 1,
          description:
            'Media types of the request body (type/subtype, or +suffix); default application/json and +json, plus application/jose when the route requires signatures. Anything else: 415',
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type HttpInbound = Static<typeof HttpInboundSchema>;

/** Request headers as a flat lower-case map (repeated headers joined, as HTTP allows). */
export function flatHeaders(h: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) {
    const v = h[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Writes a pipeline reply: the exact signed bytes when there are any. */
export function sendReply(reply: FastifyReply, msg: Message): FastifyReply {
  for (const [k, v] of Object.entries(msg.headers)) reply.header(k, v);
  reply.type(msg.contentType || 'application/json');
  return reply.send(msg.raw ?? JSON.stringify(msg.body ?? null));
}

/** JSON (and a JWS compact body where signatures are required), unless the binding lists its own. */
export function acceptedByHttp(binding: HttpInbound, route: RouteDef): string[] {
  if (binding.accept) return binding.accept;
  const json = ['application/json', '+json'];
  return route.signature.require ? [...json, 'application/jose'] : json;
}

/**
 * Binds a route to an HTTP path. A body in a media type the route does not
 * accept is refused (415) before it is read; JSON bodies were decoded by the
 * server's content-type parser (which keeps the raw bytes for signatures);
 * errors go back as problem+json through the server's one error handler.
 */
export function bindHttp(binding: HttpInbound, route: RouteDef, ctx: InboundContext): void {
  ctx.server.route({
    method: binding.method,
    url: binding.path,
    config: { protocol: 'http', routeId: route.id },
    onRequest: acceptOnly(acceptedByHttp(binding, route), `${binding.path} takes a JSON body`),
    handler: async (req, reply) => {
      const request: Message = {
        body: req.body ?? null,
        raw: rawBodyOf(req),
        contentType: req.headers['content-type'] ?? 'application/json',
        headers: flatHeaders(req.headers),
        operation: binding.operation,
      };
      const ex = await ctx.dispatch({ request, channel: 'http', ip: req.ip, routeId: route.id });
      reply.header('x-lt-exchange-id', ex.id);
      return sendReply(reply, ex.reply!);
    },
  });
}
