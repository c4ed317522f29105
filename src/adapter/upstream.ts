import { GatewayError } from '../message/errors.js';
import { readGatewayFault, type SoapFault } from '../xml/soap.js';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * Turns whatever an HTTP client threw while talking to a provider into a code
 * from the table. Shared by every outbound adapter that speaks HTTP, so a
 * dropped connection means the same thing on every route.
 */
export function upstreamError(err: unknown, endpoint: string, signal?: AbortSignal): GatewayError {
  if (err instanceof GatewayError) return err;
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  if (e?.name === 'AbortError' || e?.code === 'UND_ERR_ABORTED' || signal?.aborted) {
    return new GatewayError(
      'LT_UPSTREAM_TIMEOUT',
      `${endpoint}: request aborted`,
      { endpoint },
      { cause: err },
    );
  }
  if (e?.code === 'UND_ERR_HEADERS_TIMEOUT' || e?.code === 'UND_ERR_BODY_TIMEOUT') {
    return new GatewayError(
      'LT_UPSTREAM_TIMEOUT',
      `${endpoint}: ${e.code}`,
      { endpoint },
      { cause: err },
    );
  }
  const code = e?.code ?? e?.cause?.code;
  if (code && UNREACHABLE.has(code)) {
    return new GatewayError(
      'LT_UPSTREAM_UNREACHABLE',
      `${endpoint}: ${code}`,
      { endpoint },
      { cause: err },
    );
  }
  // A client library's message can name internal addresses: logged, not shown.
  return new GatewayError(
    'LT_UPSTREAM_UNREACHABLE',
    `${endpoint}: ${code ?? 'the call failed'}`,
    { endpoint, provider: providerSaid(e?.message ?? String(err)) },
    { cause: err },
  );
}

/** The most characters of what a provider said that the log keeps. */
export const PROVIDER_TEXT_MAX = 2000;

/**
 * What a provider said (an error body, a faultstring, a parser's complaint
 * about its reply, a client library's message): internal. It goes in an
 * error's `data.provider`, which the exchange log writes at warn under the
 * exchange id (src/pipeline/runtime.ts) and no renderer shows: the caller
 * gets the code and the gateway's own fixed text, never a provider's stack
 * trace or database URL.
 */
export function providerSaid(text: string | Buffer): string {
  const s =
    typeof text === 'string' ? text : text.subarray(0, PROVIDER_TEXT_MAX * 4).toString('utf8');
  return s.length > PROVIDER_TEXT_MAX ? `${s.slice(0, PROVIDER_TEXT_MAX)}…` : s;
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
 * A reply the gateway cannot read (not XML, not JSON, not its Content-Encoding,
 * over a limit): LT_UPSTREAM_BAD_REPLY naming the reason's code when there is
 * one; what the parser said about the provider's bytes is logged.
 */
export function badReplyError(endpoint: string, err: unknown): GatewayError {
  const code = err instanceof GatewayError ? err.code : undefined;
  const said =
    err instanceof GatewayError ? (err.detail ?? err.code) : String((err as Error)?.message ?? err);
  return new GatewayError(
    'LT_UPSTREAM_BAD_REPLY',
    `${endpoint}: the reply could not be read${code ? ` (${code})` : ''}`,
    { endpoint, ...(code ? { cause: code } : {}), provider: providerSaid(said) },
    { cause: err },
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
