import { Type, type Static } from '@sinclair/typebox';
import { join } from 'node:path';
import type { BindingGroup, HttpInboundContext, InboundBinding } from '../../src/adapter/spec.js';
import { flatHeaders, type HttpReply, type HttpRequest } from '../../src/adapter/http-host.js';
import { GatewayError, shownDetail } from '../../src/message/errors.js';
import type { Caller, Message } from '../../src/message/index.js';
import { bodyKind } from '../../src/message/media-type.js';
import {
  clark,
  escapeAttr,
  isXmlElement,
  parseSoapEnvelope,
  serializeElement,
  soapEnvelope,
  soapFaultFor,
  type XmlElement,
} from '../../src/xml/index.js';
import { PublishedWsdl, requestOrigin } from '../../src/xml/wsdl.js';
import {
  copiedHeaders,
  formatClientId,
  formatServiceId,
  H,
  parseServiceId,
  readXRoadHeader,
  restClientOf,
  ClientIdString,
  ServiceIdString,
  xroadErrorBody,
  type XRoadClientId,
} from '../../src/xroad/index.js';

export const NdxpInboundSchema = Type.Object(
  {
    adapter: Type.Literal('ndxp', {
      description:
        'An X-Road service published to other agencies through this organisation\u2019s security server',
    }),
    profile: Type.Union([Type.Literal('soap'), Type.Literal('rest')], {
      default: 'soap',
      description: 'X-Road SOAP (4.0) or REST profile',
    }),
    path: Type.String({
      pattern: '^/',
      description: 'Path the security server calls, e.g. /xroad (SOAP services share it)',
    }),
    service: ServiceIdString(
      'The X-Road service this route is, INSTANCE/CLASS/MEMBER/SUBSYSTEM/SERVICECODE[/VERSION]',
    ),
    method: Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('GET')], {
      default: 'POST',
      description: 'REST: the method the service answers',
    }),
    requestElement: Type.Optional(
      Type.String({
        description: 'SOAP: the Body element when it is not named after the service code',
      }),
    ),
    namespace: Type.Optional(
      Type.String({ description: 'SOAP: the namespace the Body element must be in' }),
    ),
    wsdl: Type.Optional(
      Type.String({
        description:
          'SOAP: WSDL under contracts/, published at <path>?wsdl (the getWsdl metaservice)',
      }),
    ),
    allowClients: Type.Array(ClientIdString('An X-Road client this route grants'), {
      default: [],
      description:
        'With auth: asserted, X-Road clients this route grants by configuration; any other client is decided by the policy model (its organisation = the member code)',
    }),
  },
  { additionalProperties: false },
);
export type NdxpInbound = Static<typeof NdxpInboundSchema>;

const XML = 'text/xml; charset=utf-8';

/**
 * Who calls: the X-Road client id the security server asserts (it
 * authenticated the client's server). On `auth: asserted` routes authorize
 * decides on it: a client the binding lists is granted this route by
 * configuration, any other goes to the policy model by its member code.
 */
function callerOf(
  client: XRoadClientId,
  ip: string,
  userId: string | undefined,
  routeId: string,
  allow: readonly string[],
): Caller {
  const clientId = formatClientId(client);
  return {
    clientId,
    orgId: client.memberCode,
    ...(client.subsystemCode ? { subsystem: client.subsystemCode } : {}),
    routes: allow.includes(clientId) ? new Set([routeId]) : new Set<string>(),
    ...(userId ? { officer: userId } : {}),
    ip,
  };
}

function renderFault(err: GatewayError, _req: HttpRequest, reply: HttpReply): HttpReply {
  if (err.exchangeId) reply.header('x-lt-exchange-id', err.exchangeId);
  return reply.code(500).type(XML).send(soapFaultFor(err));
}

/** The REST profile's error: X-Road-Error naming the code and side, and the `{type, message, detail}` body. */
function renderRestError(err: GatewayError, _req: HttpRequest, reply: HttpReply): HttpReply {
  const type = `${err.spec.blame === 'caller' ? 'Client' : 'Server.ServerProxy'}.${err.code}`;
  if (err.exchangeId) reply.header('x-lt-exchange-id', err.exchangeId);
  return reply
    .code(err.spec.http)
    .header(H.error, type)
    .type('application/json')
    .send(xroadErrorBody(type, shownDetail(err) ?? err.spec.en, err.code));
}

/** The answer element `<serviceCode>Response` (document/literal wrapped), around the reply when it is named otherwise. */
function responseElement(reply: XmlElement, serviceCode: string, ns: string): string {
  if (reply.name === `${serviceCode}Response`) return serializeElement(reply);
  const tag = ns ? `xr:${serviceCode}Response` : `${serviceCode}Response`;
  const decl = ns ? ` xmlns:xr="${escapeAttr(ns)}"` : '';
  return `<${tag}${decl}>${serializeElement(reply)}</${tag}>`;
}

function replyElement(msg: Message, limits: HttpInboundContext['xmlLimits']): XmlElement {
  // A reply forwarded as bytes (the SOAP and NPD outbounds) is read here, its Body's element taken.
  if (msg.raw && bodyKind(msg.contentType) === 'xml')
    return parseSoapEnvelope(msg.raw, limits).body;
  if (isXmlElement(msg.body)) return msg.body;
  throw new GatewayError(
    'LT_INTERNAL',
    'an X-Road SOAP service route produced a reply without an XML body',
  );
}

/**
 * SOAP services on one path: the security server posts the whole message;
 * the X-Road headers are checked, the service picks the route, the Body
 * element must be the service's, and the answer carries every request header
 * back in the same order, its element `<serviceCode>Response`.
 */
function bindSoap(routes: BindingGroup<NdxpInbound>, ctx: HttpInboundContext): InboundBinding {
  const [{ binding }] = routes;
  const services = new Map(
    routes.map(({ binding: b, route }) => {
      const id = parseServiceId(b.service, 'LT_CONFIG_INVALID');
      return [
        formatServiceId(id),
        {
          routeId: route.id,
          allow: b.allowClients,
          element: b.requestElement ?? id.serviceCode,
          ns: b.namespace,
          code: id.serviceCode,
        },
      ];
    }),
  );
  const wsdlOf = routes.find((r) => r.binding.wsdl)?.binding.wsdl;
  const wsdl = wsdlOf ? new PublishedWsdl(join(ctx.contractsDir, wsdlOf), binding.path) : undefined;
  const publicUrl = ctx.publicUrl?.replace(/\/$/, '');
  // A provider's reply was read within its endpoint's limits already; these only bound the re-read.
  const replyLimits = { maxBytes: 64 * 1024 * 1024, maxDepth: 128, maxNodes: 1_000_000 };

  ctx.http.route({
    method: 'GET',
    url: binding.path,
    protocol: 'soap',
    renderError: renderFault,
    handler: async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      if (!wsdl || !('wsdl' in q || 'WSDL' in q))
        throw new GatewayError('LT_ROUTE_NOT_FOUND', `GET ${binding.path} serves ?wsdl`);
      return reply.type(XML).send(wsdl.wsdl(publicUrl ?? requestOrigin(req.protocol, req.host)));
    },
  });

  ctx.http.route({
    method: 'POST',
    url: binding.path,
    protocol: 'soap',
    renderError: renderFault,
    accept: ['text/xml'],
    acceptHint: 'X-Road SOAP messages use Content-Type: text/xml',
    handler: async (req, reply) => {
      const raw = ctx.http.rawBody(req);
      if (!raw)
        throw new GatewayError('LT_UNSUPPORTED_MEDIA_TYPE', 'an X-Road SOAP message has a body');
      const env = parseSoapEnvelope(raw, ctx.xmlLimits);
      const h = readXRoadHeader(env.header);
      const svc = services.get(formatServiceId(h.service));
      if (!svc)
        throw new GatewayError(
          'LT_XROAD_SERVICE_UNKNOWN',
          `${formatServiceId(h.service)} is not published at ${binding.path}`,
          { service: formatServiceId(h.service) },
        );
      if (env.body.name !== svc.element || (svc.ns !== undefined && env.body.ns !== svc.ns))
        throw new GatewayError(
          'LT_SOAP_OPERATION_MISMATCH',
          `the Body element ${clark(env.body)} is not the request of ${svc.code}`,
        );
      const request: Message = {
        body: env.body,
        raw,
        contentType: req.headers['content-type'] ?? XML,
        headers: flatHeaders(req.headers),
        operation: svc.code,
      };
      const ex = await ctx.dispatch({
        request,
        channel: 'xroad',
        ip: req.ip,
        routeId: svc.routeId,
        caller: callerOf(h.client, req.ip, h.userId, svc.routeId, svc.allow),
      });
      const answer = responseElement(replyElement(ex.reply!, replyLimits), svc.code, env.body.ns);
      reply.header('x-lt-exchange-id', ex.id);
      return reply.type(XML).send(soapEnvelope(answer, copiedHeaders(env.header)));
    },
  });
  return ctx.http.binding(`ndxp soap ${binding.path}`);
}

/**
 * A REST service: `X-Road-Client` is mandatory, `X-Road-Service` must be
 * this route's service; the answer carries `X-Road-Client`, `X-Road-Service`
 * and `X-Road-Id` back, and a refusal `X-Road-Error` with its JSON body.
 */
function bindRest(
  [{ binding, route }]: BindingGroup<NdxpInbound>,
  ctx: HttpInboundContext,
): InboundBinding {
  const service = formatServiceId(parseServiceId(binding.service, 'LT_CONFIG_INVALID'));
  ctx.http.route({
    method: binding.method,
    url: binding.path,
    protocol: 'http',
    routeId: route.id,
    renderError: renderRestError,
    accept: ['application/json', '+json'],
    acceptHint: `${binding.path} takes a JSON body`,
    handler: async (req, reply) => {
      const headers = flatHeaders(req.headers);
      const client = restClientOf(headers);
      const asked = headers[H.service];
      if (!asked)
        throw new GatewayError(
          'LT_XROAD_HEADER_MISSING',
          'the X-Road header X-Road-Service is missing',
          { header: 'X-Road-Service' },
        );
      if (formatServiceId(parseServiceId(asked.trim())) !== service)
        throw new GatewayError(
          'LT_XROAD_SERVICE_UNKNOWN',
          `${asked.slice(0, 200)} is not published at ${binding.path}`,
        );
      const request: Message = {
        body: req.body ?? null,
        raw: ctx.http.rawBody(req),
        contentType: headers['content-type'] ?? 'application/json',
        headers,
        operation: service.split('/')[4],
      };
      const ex = await ctx.dispatch({
        request,
        channel: 'xroad',
        ip: req.ip,
        routeId: route.id,
        caller: callerOf(client, req.ip, headers[H.userId], route.id, binding.allowClients),
      });
      const out = ex.reply!;
      reply
        .header(H.client, formatClientId(client))
        .header(H.service, service)
        .header('x-lt-exchange-id', ex.id);
      const id = headers[H.id];
      if (id) reply.header(H.id, id);
      for (const [k, v] of Object.entries(out.headers)) reply.header(k, v);
      reply.type(out.contentType || 'application/json');
      if (bodyKind(out.contentType) !== 'json' && out.raw) return reply.send(out.raw);
      return reply.send(out.raw ?? JSON.stringify(out.body ?? null));
    },
  });
  return ctx.http.binding(`ndxp rest ${binding.method} ${binding.path}`);
}

export function bindNdxp(
  routes: BindingGroup<NdxpInbound>,
  ctx: HttpInboundContext,
): InboundBinding {
  return routes[0].binding.profile === 'rest' ? bindRest(routes, ctx) : bindSoap(routes, ctx);
}
