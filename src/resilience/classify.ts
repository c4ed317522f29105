import { ERRORS, GatewayError, type ErrorCode } from '../message/errors.js';

/**
 * Which failures say something about the provider: the table's `blame`
 * column. Timeouts, refused or dropped connections, 5xx, faults and
 * unreadable or badly signed replies are the provider's; a request that fails
 * its contract, a citizen not found, a policy refusal are the caller's and
 * must not open the provider's breaker; the gateway's own refusals (breaker
 * open, bulkhead full) are no evidence about the provider either.
 */
export function isProviderFailure(err: GatewayError): boolean {
  return ERRORS[err.code].blame === 'provider';
}

/**
 * Worth another attempt of an idempotent call, at once: the provider failed
 * and the table says a retry can help (unreachable: the request may never
 * have been processed; timeout, 5xx: it may do better next time). A fault or
 * a bad reply would come back the same; a gateway-side refusal (breaker open)
 * must stop the retry sequence, not feed it.
 */
export function isRetryable(err: GatewayError): boolean {
  const spec = ERRORS[err.code];
  return spec.blame === 'provider' && spec.retry;
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
/** Every errno networkErrorCode maps. */
export const NETWORK_ERRNOS: readonly string[] = [...UNREACHABLE_CODES, ...TIMEOUT_CODES];

/**
 * The one mapping of a network error to a code: the errno (or undici's code,
 * or the code of the socket error undici wrapped, as fetch() does) →
 * LT_UPSTREAM_UNREACHABLE or LT_UPSTREAM_TIMEOUT; undefined when the error
 * carries no network code. Used by the outbound HTTP path
 * (src/adapter/upstream.ts) and by the breaker's safety net below.
 */
export function networkErrorCode(
  err: unknown,
):
  | { code: ErrorCode & ('LT_UPSTREAM_UNREACHABLE' | 'LT_UPSTREAM_TIMEOUT'); errno: string }
  | undefined {
  let errno = (err as { code?: unknown } | null)?.code;
  if (typeof errno !== 'string' || !(UNREACHABLE_CODES.has(errno) || TIMEOUT_CODES.has(errno)))
    errno = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof errno !== 'string') return undefined;
  if (UNREACHABLE_CODES.has(errno)) return { code: 'LT_UPSTREAM_UNREACHABLE', errno };
  if (TIMEOUT_CODES.has(errno)) return { code: 'LT_UPSTREAM_TIMEOUT', errno };
  return undefined;
}

/**
 * Outbound adapters should throw GatewayErrors; this is the safety net for
 * the ones that let a raw network error through, so it still counts against
 * the provider (and can be retried) instead of becoming LT_INTERNAL.
 */
export function classifySendError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  const net = networkErrorCode(err);
  if (net) return new GatewayError(net.code, net.errno, undefined, { cause: err });
  return new GatewayError('LT_INTERNAL', undefined, undefined, { cause: err });
}
