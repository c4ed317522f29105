import { Type, type Static } from '@sinclair/typebox';
import { Pool } from 'undici';
import type { Outbound, OutboundContext } from '../../src/adapter/spec.js';
import { badReplyError, signatureOf, statusError } from '../../src/adapter/upstream.js';
import {
  DEFAULT_MAX_REPLY_BYTES,
  headerValue,
  httpExchange,
} from '../../src/adapter/http-exchange.js';
import { CONNECTIONS_OPTION } from '../../src/adapter/options.js';
import { GatewayError } from '../../src/message/errors.js';
import type { Message } from '../../src/message/index.js';
import { isJsonType } from '../../src/message/media-type.js';

export const HttpEndpointSchema = Type.Object(
  {
    method: Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('GET')], {
      default: 'POST',
      description: 'HTTP method of the call to the provider',
    }),
    path: Type.String({ default: '', description: 'Path appended to the endpoint URL' }),
    headers: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Sent on every request',
    }),
    connections: CONNECTIONS_OPTION,
    maxReplyBytes: Type.Integer({
      minimum: 1,
      default: DEFAULT_MAX_REPLY_BYTES,
      description: 'Larger replies are refused with LT_UPSTREAM_BAD_REPLY',
    }),
    idempotent: Type.Boolean({
      default: false,
      description: 'Allow retries (the provider tolerates repeats)',
    }),
    forwardHeaders: Type.Array(Type.String(), {
      default: ['x-request-id'],
      description: 'Caller headers passed on to the provider',
    }),
  },
  { additionalProperties: false, description: 'A JSON/REST provider' },
);
export type HttpEndpoint = Static<typeof HttpEndpointSchema>;

/** The media type of every reply of a JSON route, whatever the provider labelled its JSON with. */
const REPLY_TYPE = 'application/json; charset=utf-8';

/** JSON/REST provider over an undici keep-alive pool created once per endpoint. */
export function httpOutbound(cfg: HttpEndpoint, ctx: OutboundContext): Outbound {
  const base = new URL(ctx.url);
  const pool = new Pool(base.origin, { connections: cfg.connections, pipelining: 1 });
  const prefix = (base.pathname === '/' ? '' : base.pathname.replace(/\/$/, '')) + cfg.path;
  const forward = cfg.forwardHeaders.map((h) => h.toLowerCase());

  return {
    encode(msg) {
      if (!msg.raw) {
        msg.raw = Buffer.from(JSON.stringify(msg.body ?? null));
        msg.contentType = 'application/json';
      }
    },
    idempotent: () => cfg.idempotent,
    async send(msg: Message, ex, signal) {
      this.encode!(msg, ex);
      const headers: Record<string, string> = {
        ...cfg.headers,
        'content-type': msg.contentType,
        'x-lt-exchange-id': ex.id,
      };
      for (const h of forward) if (ex.request.headers[h]) headers[h] = ex.request.headers[h];
      if (ex.trace) headers.traceparent = ex.trace.traceparent;
      Object.assign(headers, signatureOf(msg.headers));
      const res = await httpExchange(pool, {
        method: cfg.method,
        path: prefix || '/',
        headers,
        body: cfg.method === 'GET' ? undefined : msg.raw,
        signal,
        maxBytes: cfg.maxReplyBytes,
        endpoint: ctx.name,
      });
      const raw = res.body;
      // A 3xx is not followed (the endpoint's URL is configured) and is no success.
      if (res.status < 200 || res.status >= 300) throw statusError(res.status, ctx.name, raw);
      // JSON routes answer JSON: a provider's other media type (an HTML error
      // page with 200, say) is an unreadable reply, never relayed as it came.
      const providerType = headerValue(res.headers, 'content-type');
      if (providerType !== undefined && !isJsonType(providerType))
        throw badReplyError(
          ctx.name,
          new GatewayError('LT_UNSUPPORTED_MEDIA_TYPE', `reply Content-Type ${providerType}`),
        );
      // Only the provider's signature travels on; its other headers are its own business.
      const sig = res.headers['x-jws-signature'];
      const replyHeaders: Record<string, string> =
        typeof sig === 'string' ? { 'x-jws-signature': sig } : {};
      let body: unknown;
      try {
        body = raw.length ? JSON.parse(raw.toString('utf8')) : null;
      } catch (err) {
        throw badReplyError(ctx.name, new GatewayError('LT_BAD_JSON', (err as Error).message));
      }
      const contentType = REPLY_TYPE;
      return { body, raw, contentType, headers: replyHeaders };
    },
    async close() {
      await pool.close();
    },
  };
}
