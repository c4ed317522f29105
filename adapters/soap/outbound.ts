import { Type, type Static } from '@sinclair/typebox';
import { CONNECTIONS_OPTION, XML_REPLY_LIMIT_OPTIONS } from '../../src/adapter/options.js';
import { Pool } from 'undici';
import type { Outbound, OutboundContext } from '../../src/adapter/spec.js';
import { badReplyError, faultError, signatureOf, statusError } from '../../src/adapter/upstream.js';
import { httpExchange } from '../../src/adapter/http-exchange.js';
import { GatewayError } from '../../src/message/errors.js';
import type { Message } from '../../src/message/index.js';
import {
  forwardedSoapReply,
  gatewayEnvelope,
  isXmlElement,
  parseSoapEnvelope,
} from '../../src/xml/index.js';

export const SoapEndpointSchema = Type.Object(
  {
    soapAction: Type.String({ default: '', description: 'SOAPAction header value' }),
    headers: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Sent on every request',
    }),
    connections: CONNECTIONS_OPTION,
    idempotent: Type.Boolean({
      default: false,
      description: 'Allow retries (read-only operations)',
    }),
    ...XML_REPLY_LIMIT_OPTIONS,
  },
  { additionalProperties: false, description: 'A SOAP 1.1 document/literal provider' },
);
export type SoapEndpoint = Static<typeof SoapEndpointSchema>;

/**
 * Forwards a caller's SOAP request (already validated) to a generic SOAP 1.1
 * provider, its operation element in an envelope of the gateway's own (the
 * caller's Header stays behind); provider faults become LT_UPSTREAM_FAULT so
 * the inbound side renders them with the gateway's code.
 */
export function soapOutbound(cfg: SoapEndpoint, ctx: OutboundContext): Outbound {
  const url = new URL(ctx.url);
  const pool = new Pool(url.origin, { connections: cfg.connections });
  const path = url.pathname + url.search;
  const limits = { maxBytes: cfg.maxBytes, maxDepth: cfg.maxDepth, maxNodes: cfg.maxNodes };
  /** Written once per message: encode (before sign-outbound) and every attempt send the same bytes. */
  const sent = new WeakMap<Message, Buffer>();
  function wire(msg: Message): Buffer {
    let bytes = sent.get(msg);
    if (bytes) return bytes;
    // The SOAP facade hands on the parsed operation element; anything else is parsed here.
    const op = isXmlElement(msg.body)
      ? msg.body
      : msg.raw
        ? parseSoapEnvelope(msg.raw, limits).body
        : undefined;
    if (!op) throw new GatewayError('LT_INTERNAL', 'soap outbound needs an XML envelope');
    bytes = gatewayEnvelope(op);
    sent.set(msg, bytes);
    return bytes;
  }
  return {
    idempotent: () => cfg.idempotent,
    encode(msg) {
      msg.raw = wire(msg);
    },
    async send(msg, ex, signal) {
      const body = wire(msg);
      const res = await httpExchange(pool, {
        method: 'POST',
        path,
        headers: {
          ...cfg.headers,
          // The gateway's signature (sign-outbound), never one the caller sent.
          ...(msg === ex.request ? {} : signatureOf(msg.headers)),
          'content-type': 'text/xml; charset=utf-8',
          soapaction: `"${cfg.soapAction}"`,
          'x-lt-exchange-id': ex.id,
          ...(ex.trace && { traceparent: ex.trace.traceparent }),
        },
        body,
        signal,
        maxBytes: cfg.maxBytes,
        endpoint: ctx.name,
      });
      const raw = res.body;
      // The reply's Body, or the coded error of a fault, an HTTP error or unreadable bytes.
      const read = () => {
        let env;
        try {
          env = parseSoapEnvelope(raw, limits);
        } catch (err) {
          if (res.status < 200 || res.status >= 300) throw statusError(res.status, ctx.name, raw);
          throw badReplyError(ctx.name, err);
        }
        if (env.fault) throw faultError(ctx.name, env.fault, res.status);
        if (res.status < 200 || res.status >= 300) throw statusError(res.status, ctx.name);
        return env.body;
      };
      return forwardedSoapReply(
        res.status,
        { raw, contentType: 'text/xml; charset=utf-8', headers: {}, operation: msg.operation },
        read,
      );
    },
    async close() {
      await pool.close();
    },
  };
}
