import { GatewayError } from './errors.js';

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
