import { Type, type Static } from '@sinclair/typebox';
import type { BindingGroup, HttpInboundContext, InboundBinding } from '../../src/adapter/spec.js';
import { flatHeaders } from '../../src/adapter/http-host.js';
import type { Message } from '../../src/message/index.js';

/**
 * `GET` routes of the JSON side whose argument is in the path
 * (`/v1/vdxp/documents/:id/status`): the path parameters become the JSON
 * body the pipeline validates and the endpoint reads. (POST routes of the
 * JSON side use the plain `http` inbound.)
 */
export const VdxpHttpSchema = Type.Object(
  {
    adapter: Type.Literal('vdxp-http', { description: 'JSON read routes of the document axis' }),
    path: Type.String({
      pattern: '^/',
      description: 'Path with :parameters, e.g. /v1/vdxp/documents/:documentId/status',
    }),
  },
  { additionalProperties: false },
);
export type VdxpHttp = Static<typeof VdxpHttpSchema>;

/** A path parameter value: 1 to 200 characters, none of them a control character. */
const saneParam = (v: string) =>
  v.length >= 1 && v.length <= 200 && ![...v].some((c) => c < ' ' || c === '\u007f');

export function bindVdxpHttp(
  [{ binding, route }]: BindingGroup<VdxpHttp>,
  ctx: HttpInboundContext,
): InboundBinding {
  ctx.http.route({
    method: 'GET',
    url: binding.path,
    protocol: 'http',
    routeId: route.id,
    handler: async (req, reply) => {
      const params = (req.params ?? {}) as Record<string, string>;
      const body: Record<string, string> = {};
      for (const [k, v] of Object.entries(params)) if (saneParam(v)) body[k] = v;
      const request: Message = {
        body,
        raw: Buffer.from(JSON.stringify(body)),
        contentType: 'application/json',
        headers: flatHeaders(req.headers),
      };
      const ex = await ctx.dispatch({ request, channel: 'http', ip: req.ip, routeId: route.id });
      reply.header('x-lt-exchange-id', ex.id);
      const msg = ex.reply!;
      for (const [k, v] of Object.entries(msg.headers)) reply.header(k, v);
      reply.type(msg.contentType || 'application/json');
      return reply.send(msg.raw ?? JSON.stringify(msg.body ?? null));
    },
  });
  return ctx.http.binding(`vdxp-http GET ${binding.path}`);
}
