import { GatewayError, type ErrorCode } from '../message/errors.js';

/**
 * Which failures say something about the provider. Timeouts, refused or
 * dropped connections, 5xx, faults and unreadable or badly signed replies are
 * the provider's; a request that fails its contract, a citizen not found, a
 * policy refusal are the caller's and must not open the provider's breaker.
 */
const PROVIDER_FAILURES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'LT_UPSTREAM_TIMEOUT',
  'LT_UPSTREAM_UNREACHABLE',
  'LT_UPSTREAM_ERROR',
  'LT_UPSTREAM_FAULT',
  'LT_UPSTREAM_BAD_REPLY',
  'LT_UPSTREAM_AUTH',
  'LT_UPSTREAM_SIG_INVALID',
  'LT_CONTRACT_RESPONSE',
]);

/**
 * Worth another attempt of an idempotent call: the request may never have
 * been processed (unreachable), or the provider may do better next time
 * (timeout, 5xx). A fault or a bad reply would come back the same.
 */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'LT_UPSTREAM_TIMEOUT',
  'LT_UPSTREAM_UNREACHABLE',
  'LT_UPSTREAM_ERROR',
]);

export function isProviderFailure(err: GatewayError): boolean {
  return PROVIDER_FAILURES.has(err.code);
}

export function isRetryable(err: GatewayError): boolean {
  return RETRYABLE.has(err.code);
}

/** Socket-level errno values (node:net, undici) that mean "could not reach or lost the provider". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);
/** undici: connected, but the provider did not answer in time. */
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * Outbound adapters should throw GatewayErrors; this is the safety net for
 * the ones that let a raw network error through, so it still counts against
 * the provider (and can be retried) instead of becoming LT_INTERNAL.
 */
export function classifySendError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  let code = (err as { code?: unknown } | null)?.code;
  // undici wraps the socket error: fetch() rejects with TypeError { cause: { code } }.
  if (typeof code !== 'string') code = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof code === 'string') {
    if (UNREACHABLE_CODES.has(code)) {
      return new GatewayError('LT_UPSTREAM_UNREACHABLE', code, undefined, { cause: err });
    }
    if (TIMEOUT_CODES.has(code)) {
      return new GatewayError('LT_UPSTREAM_TIMEOUT', code, undefined, { cause: err });
    }
  }
  return new GatewayError('LT_INTERNAL', undefined, undefined, { cause: err });
}
