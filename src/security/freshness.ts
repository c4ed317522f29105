import { GatewayError } from '../message/errors.js';

/**
 * Remember a jti until expiresAtMs; resolves true when it was newly
 * remembered, false when it was already there (a replay). Store.rememberOnce
 * bound to a namespace fits.
 */
export type RememberJtiOnce = (jti: string, expiresAtMs: number) => Promise<boolean>;

export interface FreshnessOptions {
  /** A signed message is accepted within ±windowSec of its iat. */
  windowSec: number;
  /** Current time in milliseconds since the epoch. Default Date.now(). */
  now?: number;
}

/** The header members read here; any verified JWS header (JwsHeader) fits too. */
export interface FreshnessClaims {
  iat?: unknown;
  jti?: unknown;
}

/** Bounded so an attacker cannot fill the replay store with huge keys. */
const MAX_JTI_LENGTH = 256;
/** Control characters (NUL among them, which PostgreSQL text cannot hold) are never part of an id. */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * The time window alone: iat within ±windowSec of now (LT_SIG_STALE
 * otherwise). Signed replies get this without a jti check: they are bound to
 * the request they answer instead. Returns the iat.
 */
export function checkIat(
  header: FreshnessClaims | Readonly<Record<string, unknown>>,
  opts: FreshnessOptions,
): number {
  const now = opts.now ?? Date.now();
  const { iat } = header as FreshnessClaims;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    throw new GatewayError('LT_SIG_STALE', 'signed header has no numeric iat');
  }
  const ageSec = now / 1000 - iat;
  if (Math.abs(ageSec) > opts.windowSec) {
    throw new GatewayError('LT_SIG_STALE', `iat is ${Math.round(ageSec)} s from now`, {
      iat,
      windowSec: opts.windowSec,
    });
  }
  return iat;
}

/**
 * Replay protection for signed messages: iat within the window, jti never
 * seen. A jti only needs remembering until iat + window: after that the iat
 * check alone refuses the message, which is what bounds the store's size.
 */
export async function checkFreshness(
  header: FreshnessClaims | Readonly<Record<string, unknown>>,
  opts: FreshnessOptions,
  rememberJtiOnce: RememberJtiOnce,
): Promise<void> {
  const iat = checkIat(header, opts);
  const { jti } = header as FreshnessClaims;
  if (
    typeof jti !== 'string' ||
    jti.length === 0 ||
    jti.length > MAX_JTI_LENGTH ||
    CONTROL_CHARS.test(jti)
  ) {
    throw new GatewayError('LT_SIG_INVALID', 'signed header has no usable jti');
  }
  const fresh = await rememberJtiOnce(jti, Math.ceil((iat + opts.windowSec) * 1000));
  if (!fresh) throw new GatewayError('LT_SIG_REPLAYED', `jti ${jti} was already used`, { jti });
}
