import { GatewayError } from '../message/errors.js';
import { networkErrorCode } from '../resilience/classify.js';

/**
 * Turns whatever an HTTP client threw while talking to a provider into a code
 * from the table. Shared by every outbound adapter that speaks HTTP, so a
 * dropped connection means the same thing on every route; the network codes
 * themselves are the one mapping in src/resilience/classify.ts, which the
 * breaker's safety net uses too.
 */
export function upstreamError(err: unknown, endpoint: string, signal?: AbortSignal): GatewayError {
  if (err instanceof GatewayError) return err;
  const e = err as { code?: string; name?: string; message?: string };
  if (e?.name === 'AbortError' || e?.code === 'UND_ERR_ABORTED' || signal?.aborted) {
    return new GatewayError(
      'LT_UPSTREAM_TIMEOUT',
      `${endpoint}: request aborted`,
      { endpoint },
      { cause: err },
    );
  }
  const net = networkErrorCode(err);
  return new GatewayError(
    net?.code ?? 'LT_UPSTREAM_UNREACHABLE',
    `${endpoint}: ${net?.errno ?? e?.message ?? String(err)}`,
    { endpoint },
    { cause: err },
  );
}

/** A provider's HTTP status that is not a success, as a code. */
export function statusError(status: number, endpoint: string, snippet?: string): GatewayError {
  const detail = `${endpoint} answered HTTP ${status}${snippet ? `: ${snippet.slice(0, 200)}` : ''}`;
  if (status === 401 || status === 403)
    return new GatewayError('LT_UPSTREAM_AUTH', detail, { endpoint, status });
  return new GatewayError('LT_UPSTREAM_ERROR', detail, { endpoint, status });
}

/**
 * The only message header an outbound adapter passes on by default: the
 * gateway's signature. A caller's own headers (its bearer token above all)
 * never reach the provider.
 */
export function signatureOf(headers: Record<string, string>): Record<string, string> {
  const sig = headers['x-jws-signature'];
  return sig ? { 'x-jws-signature': sig } : {};
}
