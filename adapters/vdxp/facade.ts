import { Type, type Static } from '@sinclair/typebox';
import type { BindingGroup, HttpInboundContext, InboundBinding } from '../../src/adapter/spec.js';
import type { HttpReply, HttpRequest } from '../../src/adapter/http-host.js';
import { GatewayError } from '../../src/message/errors.js';
import type { Message } from '../../src/message/index.js';
import { asciiJson } from './axis/replies.js';
import { fileHashMatches, fileOfBody, verifySdkRequest } from './axis/sdk-headers.js';
import { FACADE_OPERATIONS, isVdxpOutbound } from './outbound.js';
import { edxmlReader, SIGNATURE_OPTIONS, signatureOptionProblems } from './reading.js';

/**
 * The axis facade: a local document-management system that uses the vendor
 * SDK points its endpoint at `<path>` and works unchanged. Each request's
 * XroadVnpt signed headers are verified as DOMAIN.md §3 says a receiver must
 * (over the sign-header string as received; the SDK's extra signed
 * parameters and frozen timestamp accepted); a sendEdoc's hash-file is
 * checked against the body (with and without the SDK's trailing CRLF) and its
 * edXML validated (and its signature verified when configured); then the
 * pipeline runs and the endpoint relays the operation to the national axis
 * with the gateway's own credentials. Answers are the axis's: HTTP 200 and
 * `{status, ErrorCode, ErrorDesc, …}`, a refusal `FAIL` with the gateway's
 * error code as ErrorCode.
 */

export const FacadeSystemSchema = Type.Object(
  {
    systemId: Type.String({ minLength: 1, description: 'systemid the local system’s SDK sends' }),
    secret: Type.String({ minLength: 1, description: 'Its HMAC secret (use ${ENV})' }),
  },
  { additionalProperties: false },
);

export const VdxpFacadeSchema = Type.Object(
  {
    adapter: Type.Literal('vdxp-facade', { description: 'The axis facade for SDK clients' }),
    path: Type.String({
      pattern: '^/[^*:]*[^/*:]$',
      description: 'Base path the local systems use as their axis endpoint, e.g. /vdxp/axis',
    }),
    systems: Type.Array(FacadeSystemSchema, {
      minItems: 1,
      description: 'Local systems of the endpoint’s agency allowed to use the facade',
    }),
    lenientHex: Type.Boolean({
      default: false,
      description: 'Accept an HMAC in hex without leading zeros per byte (hand-written clients)',
    }),
    ...SIGNATURE_OPTIONS,
  },
  { additionalProperties: false },
);
export type VdxpFacade = Static<typeof VdxpFacadeSchema>;

export function facadeProblems(b: VdxpFacade): string[] {
  return signatureOptionProblems(b);
}

/** The body of an axis FAIL reply with the gateway's code. */
function failReply(err: GatewayError, op: string): Record<string, unknown> {
  return {
    status: 'FAIL',
    ErrorCode: err.code,
    ErrorDesc: err.spec.en,
    ...(op === 'sendEdoc' && { DocId: '' }),
  };
}

function answer(reply: HttpReply, body: unknown): HttpReply {
  // Always 200: the SDK ignores the status and reads the JSON.
  return reply.code(200).type('application/json').send(asciiJson(body));
}

const opOf = (req: HttpRequest) => req.url.split('?')[0].split('/').filter(Boolean).pop() ?? '';

export function bindFacade(
  [{ binding, route }]: BindingGroup<VdxpFacade>,
  ctx: HttpInboundContext,
): InboundBinding {
  const ep = ctx.endpoint(route.to.endpoint).outbound;
  if (!isVdxpOutbound(ep))
    throw new GatewayError('LT_CONFIG_INVALID', `${route.to.endpoint} is not a vdxp endpoint`);
  const secrets = new Map(binding.systems.map((s) => [s.systemId, s.secret]));
  const read = edxmlReader(binding);
  const known = new Set<string>(FACADE_OPERATIONS);

  ctx.http.route({
    method: 'POST',
    // The SDK joins endpoint and operation as strings (`…//getEdoc`): route on the last segment.
    url: `${binding.path}/*`,
    protocol: 'http',
    routeId: route.id,
    accept: ['application/octet-stream', 'application/json'],
    acceptHint: `${binding.path}/<operation> takes the vendor SDK's requests`,
    renderError: (err, req, reply) => answer(reply, failReply(err, opOf(req))),
    handler: async (req, reply) => {
      const op = opOf(req);
      if (!known.has(op))
        throw new GatewayError('LT_ROUTE_NOT_FOUND', `${op} is not an axis operation here`);
      const { systemId, params } = verifySdkRequest(req.headers, {
        secretOf: (id) => secrets.get(id),
        lenientHex: binding.lenientHex,
      });
      const raw = ctx.http.rawBody(req) ?? (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
      let file: Buffer | undefined;
      if (op === 'sendEdoc') {
        if (params.from !== ep.self.organId)
          throw new GatewayError(
            'LT_POLICY_ROUTE_NOT_ALLOWED',
            `${systemId} may send as ${ep.self.organId} only`,
          );
        const hash = params['hash-file'] ?? '';
        if (!fileHashMatches(hash, raw))
          throw new GatewayError('LT_VDXP_FILE_HASH_MISMATCH', 'hash-file is not the file’s');
        file = fileOfBody(hash, raw);
        read(file);
      }
      const request: Message = {
        body: { op, params },
        raw: file,
        contentType: file ? 'application/octet-stream' : 'application/json',
        headers: { 'x-vdxp-system-id': systemId },
      };
      const ex = await ctx.dispatch({ request, channel: 'vdxp', ip: req.ip, routeId: route.id });
      reply.header('x-lt-exchange-id', ex.id);
      return answer(reply, {
        status: 'OK',
        ErrorCode: '0',
        ErrorDesc: 'Thành công',
        ...(ex.reply!.body as Record<string, unknown>),
      });
    },
  });
  return ctx.http.binding(`vdxp-facade ${binding.path}`);
}
