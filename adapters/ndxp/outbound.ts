import { Type, type Static } from '@sinclair/typebox';
import { Pool } from 'undici';
import { CONNECTIONS_OPTION, XML_REPLY_LIMIT_OPTIONS } from '../../src/adapter/options.js';
import type { Outbound, OutboundContext } from '../../src/adapter/spec.js';
import { badReplyError, faultError, statusError } from '../../src/adapter/upstream.js';
import { headerValue, httpExchange, type HttpAnswer } from '../../src/adapter/http-exchange.js';
import { GatewayError } from '../../src/message/errors.js';
import type { Exchange, Message } from '../../src/message/index.js';
import { bodyKind } from '../../src/message/media-type.js';
import {
  gatewayEnvelope,
  isXmlElement,
  parseSoapEnvelope,
  serializeElement,
  soapEnvelope,
} from '../../src/xml/index.js';
import {
  checkXRoadSoapReply,
  formatClientId,
  H,
  restErrorOf,
  restPath,
  writeXRoadHeader,
  xroadParties,
  XRoadPartiesSchema,
  type XRoadHeader,
} from '../../src/xroad/index.js';

export const NdxpEndpointSchema = Type.Composite(
  [
    XRoadPartiesSchema,
    Type.Object({
      profile: Type.Union([Type.Literal('soap'), Type.Literal('rest')], {
        default: 'soap',
        description:
          'X-Road message protocol: soap (4.0, xrd: headers) or rest (/r1/…, X-Road-* headers)',
      }),
      restMethod: Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('GET')], {
        default: 'POST',
        description: 'REST profile: the method of the service call',
      }),
      restPath: Type.String({
        default: '',
        pattern: "^(/[A-Za-z0-9._~!$&'()*+,;=:@%-]*)*$",
        description: 'REST profile: the service\u2019s own path after /r1/{service id}',
      }),
      connections: CONNECTIONS_OPTION,
      idempotent: Type.Boolean({
        default: false,
        description: 'Allow retries (read-only services)',
      }),
      ...XML_REPLY_LIMIT_OPTIONS,
    }),
  ],
  {
    additionalProperties: false,
    description:
      'An NDXP service reached through the organisation\u2019s own X-Road security server (the endpoint URL)',
  },
);
export type NdxpEndpoint = Static<typeof NdxpEndpointSchema>;

const XML = 'text/xml; charset=utf-8';

/**
 * The consumer side: any NDXP service through the configured security
 * server. The route's operation is the service code; the exchange id is the
 * X-Road message id (the sharing log and the security server's log join on
 * it); the officer is the userId. X-Road faults and `X-Road-Error` become
 * their codes with the source kept; a SOAP answer must carry the request's
 * headers and a requestHash of the bytes sent.
 */
export function ndxpOutbound(cfg: NdxpEndpoint, ctx: OutboundContext): Outbound {
  const url = new URL(ctx.url);
  const pool = new Pool(url.origin, { connections: cfg.connections });
  const base = url.pathname.replace(/\/$/, '');
  const parties = xroadParties(cfg, ctx.name);
  const clientHeader = formatClientId(parties.client);
  const limits = { maxBytes: cfg.maxBytes, maxDepth: cfg.maxDepth, maxNodes: cfg.maxNodes };
  const endpoint = ctx.name;

  /** Written once per message: every attempt sends the same bytes (and so the same requestHash). */
  const sent = new WeakMap<Message, { header: XRoadHeader; bytes: Buffer }>();
  function soapWire(msg: Message, ex: Exchange) {
    let w = sent.get(msg);
    if (w) return w;
    if (bodyKind(msg.contentType) !== 'xml')
      throw new GatewayError(
        'LT_UNSUPPORTED_MEDIA_TYPE',
        `${endpoint}: the SOAP profile carries XML, not ${msg.contentType}`,
      );
    const op = isXmlElement(msg.body)
      ? msg.body
      : msg.raw
        ? parseSoapEnvelope(msg.raw, limits).body
        : undefined;
    if (!op) throw new GatewayError('LT_INTERNAL', `${endpoint}: no operation element to send`);
    const header = parties.header(msg.operation, ex.id, ex.caller?.officer);
    // The caller's own Header never travels: who calls is this endpoint's client id.
    w = {
      header,
      bytes: Buffer.from(soapEnvelope(serializeElement(op), writeXRoadHeader(header)), 'utf8'),
    };
    sent.set(msg, w);
    return w;
  }

  async function sendSoap(msg: Message, ex: Exchange, signal: AbortSignal): Promise<Message> {
    const wire = soapWire(msg, ex);
    const res = await httpExchange(pool, {
      method: 'POST',
      path: base || '/',
      headers: {
        'content-type': XML,
        soapaction: '""',
        ...(ex.trace && { traceparent: ex.trace.traceparent }),
      },
      body: wire.bytes,
      signal,
      maxBytes: cfg.maxBytes,
      endpoint,
    });
    const env = checkXRoadSoapReply(endpoint, res.status, res.body, wire, limits);
    if (env?.fault) throw faultError(endpoint, env.fault, res.status);
    if (res.status < 200 || res.status >= 300) throw statusError(res.status, endpoint, res.body);
    if (!env) throw badReplyError(endpoint, new Error('not a SOAP envelope'));
    // The caller gets the provider's answer in an envelope of the gateway's own: the X-Road headers stay here.
    return {
      body: env.body,
      raw: gatewayEnvelope(env.body),
      contentType: XML,
      headers: {},
      operation: msg.operation,
    };
  }

  function restReply(res: HttpAnswer, ex: Exchange, msg: Message): Message {
    const error = headerValue(res.headers, H.error);
    if (error !== undefined) throw restErrorOf(endpoint, error, res.body, res.status);
    if (res.status < 200 || res.status >= 300) throw statusError(res.status, endpoint, res.body);
    const id = headerValue(res.headers, H.id);
    if (id !== undefined && id !== ex.id)
      throw new GatewayError(
        'LT_XROAD_REPLY_MISMATCH',
        `${endpoint}: the response's X-Road-Id is not the request's`,
        { endpoint, header: 'X-Road-Id' },
      );
    const contentType = headerValue(res.headers, 'content-type') ?? 'application/json';
    if (bodyKind(contentType) !== 'json')
      return { body: res.body, raw: res.body, contentType, headers: {}, operation: msg.operation };
    let body: unknown;
    try {
      body = res.body.length ? JSON.parse(res.body.toString('utf8')) : null;
    } catch (err) {
      throw badReplyError(endpoint, err);
    }
    return { body, contentType: 'application/json', headers: {}, operation: msg.operation };
  }

  async function sendRest(msg: Message, ex: Exchange, signal: AbortSignal): Promise<Message> {
    const officer = ex.caller?.officer;
    const headers: Record<string, string> = {
      [H.client]: clientHeader,
      [H.id]: ex.id,
      ...(officer ? { [H.userId]: officer.slice(0, 255) } : {}),
      ...(ex.trace && { traceparent: ex.trace.traceparent }),
    };
    let body: Buffer | undefined;
    if (cfg.restMethod !== 'GET') {
      body = msg.raw ?? Buffer.from(JSON.stringify(msg.body ?? null), 'utf8');
      headers['content-type'] = msg.contentType || 'application/json';
    }
    const res = await httpExchange(pool, {
      method: cfg.restMethod,
      path: base + restPath(parties.service(msg.operation), cfg.restPath),
      headers,
      body,
      signal,
      maxBytes: cfg.maxBytes,
      endpoint,
    });
    return restReply(res, ex, msg);
  }

  return {
    idempotent: () => cfg.idempotent,
    encode(msg, ex) {
      if (cfg.profile === 'soap') msg.raw = soapWire(msg, ex).bytes;
    },
    send: (msg, ex, signal) =>
      cfg.profile === 'soap' ? sendSoap(msg, ex, signal) : sendRest(msg, ex, signal),
    async close() {
      await pool.close();
    },
  };
}
