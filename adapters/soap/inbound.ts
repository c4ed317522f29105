import { Type, type Static } from '@sinclair/typebox';
import { join } from 'node:path';
import type { BindingGroup, HttpInboundContext, InboundBinding } from '../../src/adapter/spec.js';
import { flatHeaders, type HttpReply, type HttpRequest } from '../../src/adapter/http-host.js';
import { GatewayError } from '../../src/message/errors.js';
import type { Message } from '../../src/message/index.js';
import {
  KEEP_OPERATION_SOURCE,
  parseSoapEnvelope,
  soapFaultFor,
  type XmlLimits,
} from '../../src/xml/index.js';
import { PublishedWsdl, requestOrigin } from '../../src/xml/wsdl.js';

export const SoapInboundSchema = Type.Object(
  {
    adapter: Type.Literal('soap', { description: 'SOAP 1.1 on the gateway port' }),
    path: Type.String({ pattern: '^/', description: 'Path of the SOAP service, e.g. /npd' }),
    operation: Type.String({
      description: 'Operation (local name of the Body element) this route serves',
    }),
    namespace: Type.Optional(Type.String({ description: 'Namespace the Body element must be in' })),
    requestElement: Type.Optional(
      Type.String({
        description: 'Body element name when it differs from the operation (e.g. …Request)',
      }),
    ),
    wsdl: Type.Optional(
      Type.String({ description: 'WSDL under contracts/, published at <path>?wsdl' }),
    ),
  },
  { additionalProperties: false },
);
export type SoapInbound = Static<typeof SoapInboundSchema>;

interface SoapService {
  /** Body element local name → route. */
  ops: Map<string, { routeId: string; namespace?: string; operation: string }>;
  wsdl?: PublishedWsdl;
  /** The gateway's `xml.*` limits (the same for every SOAP path). */
  limits: XmlLimits;
}

const XML = 'text/xml; charset=utf-8';
/** SOAP 1.1 travels as text/xml (SOAP 1.2's application/soap+xml is refused, as its envelope is). */
const SOAP11_MEDIA_TYPES = ['text/xml'];
const SOAP11_HINT = 'SOAP 1.1 requests use Content-Type: text/xml';

/** SOAP 1.1 faults travel with HTTP 500 (WS-I Basic Profile R1126), whatever the cause. */
export function renderSoapFault(err: GatewayError, _req: HttpRequest, reply: HttpReply): HttpReply {
  if (err.exchangeId) reply.header('x-lt-exchange-id', err.exchangeId);
  return reply.code(500).type(XML).send(soapFaultFor(err));
}

/** The configured public URL, or the origin the caller used when its Host names a host. */
function baseUrl(req: HttpRequest, publicUrl?: string): string {
  return publicUrl ?? requestOrigin(req.protocol, req.host);
}

/**
 * Several routes (one per operation, each its own service for policy) share
 * one SOAP path: they arrive together (the adapter groups bindings by path)
 * and form the path's operation table. The handler picks the route by the
 * Body element. The first binding's limits, and the first WSDL named, serve
 * the path.
 */
export function bindSoap(
  routes: BindingGroup<SoapInbound>,
  ctx: HttpInboundContext,
): InboundBinding {
  const [{ binding }] = routes;
  const wsdlOf = routes.find((r) => r.binding.wsdl)?.binding.wsdl;
  const svc: SoapService = {
    ops: new Map(
      routes.map(({ binding: b, route }) => [
        b.requestElement ?? b.operation,
        { routeId: route.id, namespace: b.namespace, operation: b.operation },
      ]),
    ),
    wsdl: wsdlOf ? new PublishedWsdl(join(ctx.contractsDir, wsdlOf), binding.path) : undefined,
    limits: ctx.xmlLimits,
  };
  const publicUrl = ctx.publicUrl?.replace(/\/$/, '');

  ctx.http.route({
    method: 'GET',
    url: binding.path,
    protocol: 'soap',
    renderError: renderSoapFault,
    handler: async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      if (!svc.wsdl)
        throw new GatewayError('LT_ROUTE_NOT_FOUND', 'this SOAP service publishes no WSDL');
      const base = baseUrl(req, publicUrl);
      if ('wsdl' in q || 'WSDL' in q) return reply.type(XML).send(svc.wsdl.wsdl(base));
      if (q.xsd) {
        const xsd = svc.wsdl.xsd(q.xsd, base);
        if (xsd) return reply.type(XML).send(xsd);
      }
      throw new GatewayError(
        'LT_ROUTE_NOT_FOUND',
        `GET ${binding.path} serves ?wsdl and ?xsd=<file>`,
      );
    },
  });

  ctx.http.route({
    method: 'POST',
    url: binding.path,
    protocol: 'soap',
    renderError: renderSoapFault,
    accept: SOAP11_MEDIA_TYPES,
    acceptHint: SOAP11_HINT,
    handler: async (req, reply) => {
      const raw = ctx.http.rawBody(req);
      // A POST without a body has no envelope; one with a body passed the accept check.
      if (!raw) throw new GatewayError('LT_UNSUPPORTED_MEDIA_TYPE', SOAP11_HINT);
      // The operation element's source is kept: its text is what a provider gets (gatewayEnvelope).
      const env = parseSoapEnvelope(raw, svc.limits, KEEP_OPERATION_SOURCE);
      const op = svc.ops.get(env.operation.name);
      if (!op || (op.namespace && op.namespace !== env.operation.ns)) {
        throw new GatewayError(
          'LT_SOAP_UNKNOWN_OPERATION',
          `{${env.operation.ns}}${env.operation.name} is not served at ${binding.path} (known: ${[...svc.ops.keys()].join(', ')})`,
        );
      }
      const request: Message = {
        body: env.body,
        raw,
        contentType: req.headers['content-type'] ?? XML,
        headers: flatHeaders(req.headers),
        operation: op.operation,
      };
      const ex = await ctx.dispatch({ request, channel: 'soap', ip: req.ip, routeId: op.routeId });
      const out = ex.reply!;
      for (const [k, v] of Object.entries(out.headers)) reply.header(k, v);
      reply.header('x-lt-exchange-id', ex.id);
      if (!out.raw)
        throw new GatewayError('LT_INTERNAL', 'SOAP route produced a reply without an XML body');
      return reply.type(XML).send(out.raw);
    },
  });
  return ctx.http.binding(`soap ${binding.path}`);
}
