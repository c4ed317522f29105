import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, GatewayError, toGatewayError } from '../message/errors.js';

/** Route-level hook: an inbound adapter that renders errors in its own protocol (SOAP fault, …). */
export type ErrorRenderer = (
  err: GatewayError,
  req: FastifyRequest,
  reply: FastifyReply,
) => FastifyReply;

/** RFC 9457 problem details, plus the table's code and Vietnamese text. */
export function problemBody(err: GatewayError): Record<string, unknown> {
  const spec = ERRORS[err.code];
  return {
    type: `urn:lienthong:error:${err.code}`,
    title: spec.en,
    status: spec.http,
    code: err.code,
    detail: err.detail ?? spec.en,
    message_vi: spec.vi,
    ...(err.exchangeId ? { instance: `urn:lienthong:exchange:${err.exchangeId}` } : {}),
    ...(err.data && 'violations' in err.data
      ? { violations: err.data.violations, violationCount: err.data.violationCount }
      : {}),
  };
}

export function sendProblem(reply: FastifyReply, err: GatewayError): FastifyReply {
  if (err.exchangeId) reply.header('x-lt-exchange-id', err.exchangeId);
  return reply
    .code(ERRORS[err.code].http)
    .type('application/problem+json')
    .send(JSON.stringify(problemBody(err)));
}

/** Fastify's own errors (body limit, bad media type, …) mapped onto the one table. */
export function fromFastifyError(err: FastifyError | Error): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = (err as FastifyError).code;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError('LT_BODY_TOO_LARGE', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatewayError('LT_UNSUPPORTED_MEDIA_TYPE', err.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new GatewayError('LT_BAD_JSON', err.message);
    default:
      return toGatewayError(err);
  }
}
