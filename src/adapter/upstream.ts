import { GatewayError } from '../message/errors.js';
import { providerSaid } from '../message/provider-said.js';
import { networkErrorCode } from '../resilience/classify.js';
import { readGatewayFault, type SoapFault } from '../xml/soap.js';

// The pipeline's stages report unreadable replies too: these live beside the error table.
export { badReplyError, providerSaid } from '../message/provider-said.js';

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
  // A client library's own message can name internal addresses: logged, not shown.
  return new GatewayError(
    net?.code ?? 'LT_UPSTREAM_UNREACHABLE',
    `${endpoint}: ${net?.errno ?? 'the call failed'}`,
    net ? { endpoint } : { endpoint, provider: providerSaid(e?.message ?? String(err)) },
    { cause: err },
  );
}

/**
 * A provider's HTTP status that is not a success, as a code: 401/403 say the
 * gateway's own credentials failed; any other (3xx included: the gateway
 * follows no redirect) is LT_UPSTREAM_ERROR, a provider failure for the
 * breaker. The body is logged, not shown.
 */
export function statusError(
  status: number,
  endpoint: string,
  body?: string | Buffer,
): GatewayError {
  const detail = `${endpoint} answered HTTP ${status}`;
  const data = { endpoint, status, ...(body?.length ? { provider: providerSaid(body) } : {}) };
  if (status === 401 || status === 403) return new GatewayError('LT_UPSTREAM_AUTH', detail, data);
  return new GatewayError('LT_UPSTREAM_ERROR', detail, data);
}

/**
 * A provider's SOAP fault as LT_UPSTREAM_FAULT. The faultstring is logged;
 * the caller learns only the gateway's code — and, when the fault is one a
 * lienthong behind this one wrote with a code from the table, that code
 * (`providerCode`), which is the gateway's own fixed vocabulary.
 */
export function faultError(endpoint: string, fault: SoapFault, status: number): GatewayError {
  const inner = readGatewayFault(fault);
  const providerCode = inner?.known ? inner.code : undefined;
  return new GatewayError(
    'LT_UPSTREAM_FAULT',
    `${endpoint} answered a SOAP fault${providerCode ? ` (${providerCode})` : ''}`,
    {
      endpoint,
      status,
      faultcode: providerSaid(fault.faultcode),
      ...(providerCode ? { providerCode } : {}),
      provider: providerSaid(fault.faultstring),
    },
  );
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
