import { Type, type Static } from '@sinclair/typebox';
import type { BindingGroup, HttpInboundContext, InboundBinding } from '../../src/adapter/spec.js';
import { flatHeaders, type HttpReply } from '../../src/adapter/http-host.js';
import type { RouteDef } from '../../src/config/schema.js';
import type { Message } from '../../src/message/index.js';

export const HttpInboundSchema = Type.Object(
  {
    adapter: Type.Literal('http', { description: 'JSON over HTTP on the gateway port' }),
    method: Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('GET')], {
      default: 'POST',
      description: 'HTTP method the route answers',
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

/** Writes a pipeline reply: the exact signed bytes when there are any. */
export function sendReply(reply: HttpReply, msg: Message): HttpReply {
  for (const [k, v] of Object.entries(msg.headers)) reply.header(k, v);
  reply.type(msg.contentType || 'application/json');
  if (msg.status) reply.code(msg.status);
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
export function bindHttp(
  [{ binding, route }]: BindingGroup<HttpInbound>,
  ctx: HttpInboundContext,
): InboundBinding {
  ctx.http.route({
    method: binding.method,
    url: binding.path,
    protocol: 'http',
    routeId: route.id,
    accept: acceptedByHttp(binding, route),
    acceptHint: binding.accept
      ? `${binding.path} takes ${binding.accept.join(', ')}`
      : `${binding.path} takes a JSON body`,
    handler: async (req, reply) => {
      const request: Message = {
        body: req.body ?? null,
        raw: ctx.http.rawBody(req),
        contentType: req.headers['content-type'] ?? 'application/json',
        headers: flatHeaders(req.headers),
        operation: binding.operation,
      };
      const ex = await ctx.dispatch({ request, channel: 'http', ip: req.ip, routeId: route.id });
      reply.header('x-lt-exchange-id', ex.id);
      return sendReply(reply, ex.reply!);
    },
  });
  return ctx.http.binding(`http ${binding.method} ${binding.path}`);
}
