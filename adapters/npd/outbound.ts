import { Type, type Static, type TOptional, type TString } from '@sinclair/typebox';
import { CONNECTIONS_OPTION } from '../../src/adapter/options.js';
import { Pool } from 'undici';
import type { Outbound, OutboundContext } from '../../src/adapter/spec.js';
import { badReplyError, faultError, signatureOf, statusError } from '../../src/adapter/upstream.js';
import { httpExchange } from '../../src/adapter/http-exchange.js';
import { loadCatalogs, type Catalogs } from '../../src/catalogs/index.js';
import { GatewayError } from '../../src/message/errors.js';
import type { Exchange, Message } from '../../src/message/index.js';
import { bodyKind } from '../../src/message/media-type.js';
import {
  child,
  clark,
  forwardedSoapReply,
  gatewayEnvelope,
  isXmlElement,
  parseSoapEnvelope,
  type SoapEnvelope,
  type XmlElement,
} from '../../src/xml/index.js';
import {
  checkXRoadSoapReply,
  withHeaderBlocks,
  writeXRoadHeader,
  xroadParties,
  XRoadPartiesSchema,
  type XRoadHeader,
} from '../../src/xroad/index.js';
import { createAuth, NpdAuthSchema } from './auth.js';
import {
  DEFAULT_INTEGRATION_CODES,
  INTEGRATION_CODE_OPERATIONS,
  NPD_OPERATIONS,
  NPD_REQUEST_NS,
  npdOperation,
  REPLY_KIND,
  REQUEST_ELEMENT,
  type NpdOperation,
} from './constants.js';
import { createRequestWriter, type WireRequest } from './request.js';
import { createReplyReader } from './response.js';
import { askedIn, checkSubject, type Asked } from './subject.js';

// The verification has no entry: its request carries no MaTichHop (DOMAIN.md §2).
const IntegrationCodesSchema = Type.Object(
  Object.fromEntries(
    INTEGRATION_CODE_OPERATIONS.map((op) => [
      op,
      Type.Optional(
        Type.String({ pattern: '^[0-9]{3}$', description: `MaTichHop sent with ${op}` }),
      ),
    ]),
  ) as Record<(typeof INTEGRATION_CODE_OPERATIONS)[number], TOptional<TString>>,
  {
    additionalProperties: false,
    description:
      'MaTichHop per operation; default: TraCuuThongTinCongDan 037. The verification (XacThucThongTinCongDan) carries none',
  },
);

export const NpdEndpointSchema = Type.Object(
  {
    auth: Type.Optional(NpdAuthSchema),
    prefix: Type.Union([Type.Literal('dan'), Type.Literal('qldc')], {
      default: 'dan',
      description: 'Namespace prefix of the request elements the provider is used to',
    }),
    serviceCode: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'MaDVC when a JSON request carries no serviceCode',
      }),
    ),
    integrationCodes: Type.Optional(IntegrationCodesSchema),
    nameForm: Type.Union([Type.Literal('as-is'), Type.Literal('upper-ascii')], {
      default: 'as-is',
      description: "HoVaTen as given, or upper-case without diacritics (OpenCPS's form)",
    }),
    c06Fields: Type.Optional(
      Type.Object(
        {
          unitCode: Type.Optional(Type.String({ description: 'MaDonVi' })),
          account: Type.Optional(Type.String({ description: 'TaiKhoan' })),
          phone: Type.Optional(
            Type.String({
              pattern: '^(0|\\+?[0-9]{8,15})$',
              description: 'SoDienThoai; 0 (the default) when the officer has no phone on record',
            }),
          ),
        },
        {
          additionalProperties: false,
          description:
            'Extra request fields of the direct C06 variant, written right after MaCanBo',
        },
      ),
    ),
    xroad: Type.Optional(
      Type.Composite([XRoadPartiesSchema], {
        description:
          'Reach the NPD through NDXP: the endpoint URL is the organisation\u2019s X-Road security server, the operation is the service code (docs/adapters/ndxp.md)',
      }),
    ),
    connections: CONNECTIONS_OPTION,
    maxReplyBytes: Type.Integer({
      minimum: 1024,
      default: 4194304,
      description: 'Largest reply read',
    }),
    maxDepth: Type.Integer({
      minimum: 8,
      default: 64,
      description: 'Deepest reply nesting accepted',
    }),
    maxNodes: Type.Integer({
      minimum: 16,
      default: 100000,
      description: 'Elements plus attributes a reply may hold (LT_UPSTREAM_BAD_REPLY beyond)',
    }),
  },
  { additionalProperties: false },
);
export type NpdEndpoint = Static<typeof NpdEndpointSchema>;

const REPLY_XML = 'text/xml; charset=utf-8';

function contractError(detail: string): never {
  throw new GatewayError('LT_CONTRACT_REQUEST', detail);
}

/**
 * The SOAP request written for a message: its bytes, the MaYeuCau a JSON reply
 * is read with, and whom it asks about (the reply must be about them).
 */
interface Wire {
  kind: 'json' | 'xml';
  bytes: Buffer;
  requestId?: string;
  /** The X-Road header sent, when the NPD is reached through NDXP. */
  xroad?: XRoadHeader;
  asked: Asked;
}

/**
 * The caller's operation element, when it may go to the NPD at all: only a
 * message from the SOAP facade (channel soap, whose inbound parsed the
 * envelope) is forwarded as XML, and only when its Body element is the
 * request element of the operation the route sends. A JSON route given an
 * XML body, or a lookup route carrying a household request, is refused here
 * even if every stage before let it through (defence in depth).
 */
function passThroughElement(
  msg: Message,
  ex: Exchange,
  op: NpdOperation,
  endpoint: string,
): XmlElement {
  if (ex.channel !== 'soap' && ex.channel !== 'xroad') {
    throw new GatewayError(
      'LT_UNSUPPORTED_MEDIA_TYPE',
      `${endpoint}: XML is forwarded to the NPD from the SOAP facade only, not from a ${ex.channel} route`,
    );
  }
  const el = msg.body;
  const expected = { ns: NPD_REQUEST_NS, name: REQUEST_ELEMENT[op] };
  if (!isXmlElement(el) || el.ns !== expected.ns || el.name !== expected.name) {
    const found = isXmlElement(el) ? clark(el) : 'no element';
    throw new GatewayError(
      'LT_SOAP_OPERATION_MISMATCH',
      `${endpoint}: the route sends ${op}, whose Body element is ${clark(expected)}; the message carries ${found}`,
      { operation: op, element: found },
    );
  }
  return el;
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') contractError(`${key} must be a string`);
  return v;
}

/**
 * The NPD provider, reached directly (C06 headers) or through an LGSP
 * (OAuth2 or lgspaccesstoken). Two kinds of message:
 * - canonical JSON (`application/json`, `operation` = the NPD operation):
 *   written as the SOAP request, and the reply mapped to the canonical
 *   citizen (catalog names bound here, at start-up);
 * - pass-through XML from the SOAP facade (`msg.body` = the caller's Body
 *   element, which must be the route's operation): put into an envelope of
 *   the gateway's own, without the caller's Header, and sent with the
 *   endpoint's authentication; the reply travels back as bytes.
 * Provider faults become LT_UPSTREAM_FAULT in both, so the caller's inbound
 * renders them with the gateway's code.
 */
export function npdOutbound(
  cfg: NpdEndpoint,
  ctx: OutboundContext,
  catalogs: Catalogs = ctx.catalogs ?? loadCatalogs(),
): Outbound {
  let url: URL;
  try {
    url = new URL(ctx.url);
  } catch {
    throw new GatewayError('LT_CONFIG_INVALID', `${ctx.name}: "${ctx.url}" is not a URL`);
  }
  const endpoint = ctx.name;
  const path = url.pathname + url.search;
  const pool = new Pool(url.origin, { connections: cfg.connections, pipelining: 1 });
  const auth = createAuth(cfg.auth, ctx.url, endpoint);
  const write = createRequestWriter({ prefix: cfg.prefix ?? 'dan', nameForm: cfg.nameForm });
  const reader = createReplyReader(catalogs, endpoint);
  const codes: Partial<Record<NpdOperation, string>> = {
    ...DEFAULT_INTEGRATION_CODES,
    ...cfg.integrationCodes,
  };
  const limits = {
    maxBytes: cfg.maxReplyBytes ?? 4194304,
    maxDepth: cfg.maxDepth ?? 64,
    maxNodes: cfg.maxNodes,
  };
  const direct = cfg.c06Fields;
  // The direct variant sends all three; SoDienThoai is 0 without a phone on record.
  const c06 = direct
    ? { unitCode: direct.unitCode, account: direct.account, phone: direct.phone || '0' }
    : {};
  const xroad = cfg.xroad && xroadParties(cfg.xroad, endpoint);

  /**
   * The canonical request on the wire. What must be present (serviceCode,
   * officer, an id) is the route's contract (contracts/npd/*.request.json),
   * checked by the pipeline after the endpoint's serviceCode was filled in
   * (requestDefaults below); here only the types are held.
   */
  function toWire(body: unknown, op: NpdOperation, ex: Exchange): WireRequest {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      contractError('the request must be a JSON object');
    const b = body as Record<string, unknown>;
    // The verification's contract has no integrationCode; it is never written there.
    const integrationCode =
      REPLY_KIND[op] === 'verification'
        ? undefined
        : (optionalString(b, 'integrationCode') ?? codes[op]);
    return {
      requestId: optionalString(b, 'requestId') || ex.id,
      serviceCode: optionalString(b, 'serviceCode') ?? '',
      integrationCode,
      officer: optionalString(b, 'officer') ?? '',
      idNumber: optionalString(b, 'idNumber'),
      oldIdNumber: optionalString(b, 'oldIdNumber'),
      fullName: optionalString(b, 'fullName'),
      birthDate: optionalString(b, 'birthDate'),
      ...c06,
    };
  }

  /** POSTs the envelope; after a 401 with a token-based auth, once more with a fresh token. */
  async function post(
    payload: Buffer,
    msg: Message,
    ex: Exchange,
    signal: AbortSignal,
  ): Promise<{ status: number; body: Buffer }> {
    for (let attempt = 0; ; attempt++) {
      const authHeaders = await auth.headers(signal);
      // Every header is the gateway's own: the endpoint's authentication, and
      // the gateway's signature (sign-outbound, over exactly `payload`); the
      // request's headers are the caller's, and a signature there is not ours.
      const headers: Record<string, string> = {
        'content-type': auth.contentType,
        soapaction: '""',
        'x-lt-exchange-id': ex.id,
        ...(msg === ex.request ? {} : signatureOf(msg.headers)),
        ...authHeaders,
      };
      if (ex.trace) headers.traceparent = ex.trace.traceparent;
      const { status, body } = await httpExchange(pool, {
        method: 'POST',
        path,
        headers,
        body: payload,
        signal,
        maxBytes: limits.maxBytes,
        endpoint,
      });
      if (status === 401 && attempt === 0 && auth.invalidate(authHeaders)) continue;
      return { status, body };
    }
  }

  function classify(status: number, body: Buffer): SoapEnvelope {
    let env: SoapEnvelope | undefined;
    let parseError: GatewayError | undefined;
    try {
      env = parseSoapEnvelope(body, limits);
    } catch (err) {
      parseError = err instanceof GatewayError ? err : new GatewayError('LT_INTERNAL', String(err));
    }
    const fault = env?.fault;
    // What the provider said (faultstring, body, parser's complaint) is logged, never shown.
    if (status === 401 || status === 403)
      throw statusError(status, endpoint, fault ? fault.faultstring : body);
    if (fault) throw faultError(endpoint, fault, status);
    if (status < 200 || status >= 300) throw statusError(status, endpoint, body);
    if (!env) throw badReplyError(endpoint, parseError);
    return env;
  }

  function operationOf(msg: Message): NpdOperation {
    const op = npdOperation(msg.operation);
    if (!op) {
      // The operation is the route's configuration, never the caller's choice.
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `${endpoint}: "${msg.operation ?? ''}" is not an NPD operation (${NPD_OPERATIONS.join(', ')})`,
      );
    }
    return op;
  }

  /**
   * The envelope the NPD gets, written once per message (encode, then every
   * attempt, send the same bytes). JSON: the request written from the
   * canonical fields. XML: a new envelope of the gateway's, with the caller's
   * operation element in its Body and no caller Header: an `xrd:client`
   * naming another organisation or a `wsa:Action` naming another operation
   * never reaches the provider; who calls is said by the endpoint's own
   * headers.
   */
  const wires = new WeakMap<Message, Wire>();
  function wireOf(msg: Message, ex: Exchange, op: NpdOperation): Wire {
    let w = wires.get(msg);
    if (w) return w;
    const kind = bodyKind(msg.contentType);
    if (kind === 'json') {
      const wire = toWire(msg.body, op, ex);
      w = {
        kind,
        bytes: Buffer.from(write(op, wire), 'utf8'),
        requestId: wire.requestId,
        asked: { idNumber: wire.idNumber ?? '', oldIdNumber: wire.oldIdNumber ?? '' },
      };
    } else if (kind === 'xml') {
      const el = passThroughElement(msg, ex, op, endpoint);
      w = { kind, bytes: gatewayEnvelope(el), asked: askedIn(el) };
    } else {
      throw new GatewayError(
        'LT_UNSUPPORTED_MEDIA_TYPE',
        `${endpoint}: NPD messages are JSON or SOAP XML, not ${msg.contentType}`,
      );
    }
    if (xroad) {
      // Through NDXP: the X-Road header of this exchange (its id the message id, the officer its userId).
      const officer =
        ex.caller?.officer ??
        (kind === 'json'
          ? (msg.body as { officer?: unknown }).officer
          : child(msg.body as XmlElement, 'MaCanBo', NPD_REQUEST_NS)?.text.trim());
      const header = xroad.header(op, ex.id, typeof officer === 'string' ? officer : undefined);
      w = { ...w, xroad: header, bytes: withHeaderBlocks(w.bytes, writeXRoadHeader(header)) };
    }
    wires.set(msg, w);
    return w;
  }

  const defaults = cfg.serviceCode ? Object.freeze({ serviceCode: cfg.serviceCode }) : undefined;

  return {
    idempotent: () => true,
    requestDefaults: () => defaults,
    /** Sets `raw` to the bytes `send` posts, so sign-outbound signs exactly those. */
    encode(msg: Message, ex: Exchange): void {
      msg.raw = wireOf(msg, ex, operationOf(msg)).bytes;
    },
    async send(msg: Message, ex: Exchange, signal: AbortSignal): Promise<Message> {
      const op = operationOf(msg);
      const wire = wireOf(msg, ex, op);
      const { status, body } = await post(wire.bytes, msg, ex, signal);
      if (wire.xroad) {
        const env = checkXRoadSoapReply(
          endpoint,
          status,
          body,
          { header: wire.xroad, bytes: wire.bytes },
          limits,
        );
        if (wire.kind === 'xml' && env && !env.fault && status >= 200 && status < 300) {
          // The caller gets the answer without the gateway's X-Road headers.
          return {
            contentType: REPLY_XML,
            raw: gatewayEnvelope(env.body),
            body: env.body,
            headers: {},
            operation: op,
          };
        }
      }
      if (wire.kind === 'json') {
        const env = classify(status, body);
        return {
          contentType: 'application/json',
          body: reader.read(op, env, wire.requestId!, wire.asked),
          headers: {},
          operation: op,
        };
      }
      if (REPLY_KIND[op] !== 'verification') {
        // A reply naming a person is read before it is forwarded: it must be
        // about the person the caller asked for (subject.ts). The bytes still
        // travel as the provider sent them.
        const env = classify(status, body);
        checkSubject(op, env.body, wire.asked, endpoint);
        return { contentType: REPLY_XML, raw: body, headers: {}, operation: op, body: env };
      }
      // Forwarded as bytes; the SOAP facade reads no body (src/xml/soap.ts).
      return forwardedSoapReply(
        status,
        { contentType: REPLY_XML, raw: body, headers: {}, operation: op },
        () => classify(status, body),
      );
    },
    async close() {
      await Promise.all([pool.close(), auth.close()]);
    },
  };
}
