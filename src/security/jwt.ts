import { GatewayError } from '../message/errors.js';
import type { KeyResolver, Signer } from './jwk.js';
import { signCompact, verifyCompact, type JwsHeader } from './jws.js';
import { requireTyp, type Typ } from './purposes.js';

/** Registered claims (RFC 7519 §4.1); NumericDate values are seconds since the epoch. */
export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
  [claim: string]: unknown;
}

export interface VerifyJwtOptions {
  /** The only typ accepted (RFC 8725 §3.11): a JWT made for another purpose is refused. */
  typ: Typ;
  /** Current time in milliseconds since the epoch (Date.now()); injectable for tests. */
  now?: number;
  /** Tolerated clock difference with the issuer, in seconds. Default 30. */
  clockSkewSec?: number;
  /** Refuse tokens without `exp`, so no token is valid forever. Default true. */
  requireExp?: boolean;
}

export interface VerifiedJwt {
  header: JwsHeader;
  claims: JwtClaims;
}

const DEFAULT_SKEW_SEC = 30;

/** A compact JWS whose payload is the JSON claims, typed for its one purpose. */
export function signJwt(claims: JwtClaims, signer: Signer, typ: Typ): string {
  return signCompact(Buffer.from(JSON.stringify(claims), 'utf8'), { typ }, signer);
}

/**
 * A refused token. `data.reason` says which check refused it: the LT_SIG_*
 * code for signature problems, otherwise the claim or member at fault.
 */
export function tokenInvalid(detail: string, reason: string, cause?: unknown): GatewayError {
  return new GatewayError(
    'LT_AUTH_TOKEN_INVALID',
    detail,
    { reason },
    cause === undefined ? undefined : { cause },
  );
}

function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Verify an ES256 JWT, its typ and its time window. A token is a credential,
 * so every signature failure is reported as LT_AUTH_TOKEN_INVALID (the
 * LT_SIG_* code is kept in `data.reason`); an expired one is LT_AUTH_TOKEN_EXPIRED.
 */
export function verifyJwt(
  token: string,
  resolveKey: KeyResolver,
  opts: VerifyJwtOptions,
): VerifiedJwt {
  let verified;
  try {
    verified = verifyCompact(token, resolveKey);
    requireTyp(verified.header, opts.typ);
  } catch (err) {
    if (err instanceof GatewayError) throw tokenInvalid(err.detail ?? err.code, err.code, err);
    throw err;
  }
  let claims: unknown;
  try {
    claims = JSON.parse(verified.payload.toString('utf8'));
  } catch (err) {
    throw tokenInvalid('JWT payload is not JSON', 'payload', err);
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw tokenInvalid('JWT payload is not a JSON object', 'payload');
  }
  const c = claims as JwtClaims;
  const nowSec = (opts.now ?? Date.now()) / 1000;
  const skew = opts.clockSkewSec ?? DEFAULT_SKEW_SEC;

  if (c.exp === undefined) {
    if (opts.requireExp !== false) throw tokenInvalid('JWT has no exp claim', 'exp');
  } else if (!isNumericDate(c.exp)) {
    throw tokenInvalid('JWT exp is not a NumericDate', 'exp');
  } else if (nowSec >= c.exp + skew) {
    // RFC 7519 §4.1.4: the token must not be accepted on or after exp.
    throw new GatewayError('LT_AUTH_TOKEN_EXPIRED', 'JWT has expired', { exp: c.exp });
  }
  if (c.nbf !== undefined) {
    if (!isNumericDate(c.nbf)) throw tokenInvalid('JWT nbf is not a NumericDate', 'nbf');
    if (nowSec + skew < c.nbf) throw tokenInvalid('JWT is not valid yet (nbf)', 'nbf');
  }
  return { header: verified.header, claims: c };
}
