import type { FastifyError, FastifyReply } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import {
  ERRORS,
  GatewayError,
  shownDetail,
  toGatewayError,
  type ErrorCode,
} from '../message/errors.js';
import { uuidv7 } from '../message/ids.js';

/** Route-level hook: an inbound adapter that renders errors in its own protocol (SOAP fault, …). */
export type { ErrorRenderer } from '../adapter/http-host.js';

/** RFC 9457 problem details, plus the table's code and Vietnamese text. */
export function problemBody(err: GatewayError): Record<string, unknown> {
  const spec = ERRORS[err.code];
  return {
    type: `urn:lienthong:error:${err.code}`,
    title: spec.en,
    status: spec.http,
    code: err.code,
    detail: shownDetail(err) ?? spec.en,
    message_vi: spec.vi,
    ...(err.exchangeId ? { instance: `urn:lienthong:exchange:${err.exchangeId}` } : {}),
    ...(err.data && 'violations' in err.data
      ? { violations: err.data.violations, violationCount: err.data.violationCount }
      : {}),
  };
}

const OAUTH_ERROR: Partial<Record<ErrorCode, string>> = {
  LT_AUTH_MISSING: 'invalid_client',
  LT_AUTH_INVALID_CLIENT: 'invalid_client',
  LT_AUTH_UNSUPPORTED_GRANT: 'unsupported_grant_type',
  LT_AUTH_BUSY: 'temporarily_unavailable',
  LT_AUTH_THROTTLED: 'temporarily_unavailable',
};

/** The OAuth2 `error` (RFC 6749 §5.2) that /token answers a refusal's code with. */
export function oauthError(code: ErrorCode): string {
  return OAUTH_ERROR[code] ?? 'invalid_request';
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

/**
 * Requests Node's HTTP parser refuses before any route sees them (headers over
 * the size limit, a request line that is not HTTP, a request that does not
 * arrive in time): answered in problem+json with a code from the table, like
 * every other refusal, instead of fastify's own JSON. The connection closes,
 * as it must after a parse error. Fastify's `clientErrorHandler` (bound to
 * `onRefused`, which logs and counts the refusal under a new request id, also
 * sent back in X-Request-Id).
 */
export function answerClientError(
  err: NodeJS.ErrnoException,
  socket: Socket,
  onRefused?: (ge: GatewayError, requestId: string, ip: string | undefined) => void,
): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const ge =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new GatewayError('LT_HEADERS_TOO_LARGE', 'the request headers exceed the server limit')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new GatewayError('LT_REQUEST_TIMEOUT', 'the request did not arrive in time')
        : new GatewayError('LT_HTTP_MALFORMED', `${err.code ?? 'parse error'}: ${err.message}`);
  const requestId = uuidv7();
  onRefused?.(ge, requestId, socket.remoteAddress);
  if (socket.writable) {
    const status = ERRORS[ge.code].http;
    const body = JSON.stringify(problemBody(ge));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
        `X-Request-Id: ${requestId}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
