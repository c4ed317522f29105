import { GatewayError } from '../message/errors.js';
import type { KeyResolver, Signer } from './jwk.js';
import { signCompact, verifyCompact, type JwsHeader } from './jws.js';

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

/** A compact JWS whose payload is the JSON claims, `typ: JWT`. */
export function signJwt(
  claims: JwtClaims,
  signer: Signer,
  header: Record<string, unknown> = {},
): string {
  return signCompact(
    Buffer.from(JSON.stringify(claims), 'utf8'),
    { typ: 'JWT', ...header },
    signer,
  );
}

function tokenInvalid(detail: string, cause?: unknown, reason?: string): GatewayError {
  return new GatewayError(
    'LT_AUTH_TOKEN_INVALID',
    detail,
    reason ? { reason } : undefined,
    cause === undefined ? undefined : { cause },
  );
}

function isNumericDate(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Verify an ES256 JWT and its time window. A token is a credential, so every
 * signature failure is reported as LT_AUTH_TOKEN_INVALID (the LT_SIG_* code is
 * kept in `data.reason`); an expired one is LT_AUTH_TOKEN_EXPIRED.
 */
export function verifyJwt(
  token: string,
  resolveKey: KeyResolver,
  opts: VerifyJwtOptions = {},
): VerifiedJwt {
  let verified;
  try {
    verified = verifyCompact(token, resolveKey);
  } catch (err) {
    if (err instanceof GatewayError) throw tokenInvalid(err.detail ?? err.code, err, err.code);
    throw err;
  }
  let claims: unknown;
  try {
    claims = JSON.parse(verified.payload.toString('utf8'));
  } catch (err) {
    throw tokenInvalid('JWT payload is not JSON', err);
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw tokenInvalid('JWT payload is not a JSON object');
  }
  const c = claims as JwtClaims;
  const nowSec = (opts.now ?? Date.now()) / 1000;
  const skew = opts.clockSkewSec ?? DEFAULT_SKEW_SEC;

  if (c.exp === undefined) {
    if (opts.requireExp !== false) throw tokenInvalid('JWT has no exp claim');
  } else if (!isNumericDate(c.exp)) {
    throw tokenInvalid('JWT exp is not a NumericDate');
  } else if (nowSec >= c.exp + skew) {
    // RFC 7519 §4.1.4: the token must not be accepted on or after exp.
    throw new GatewayError('LT_AUTH_TOKEN_EXPIRED', 'JWT has expired', { exp: c.exp });
  }
  if (c.nbf !== undefined) {
    if (!isNumericDate(c.nbf)) throw tokenInvalid('JWT nbf is not a NumericDate');
    if (nowSec + skew < c.nbf) throw tokenInvalid('JWT is not valid yet (nbf)');
  }
  return { header: verified.header, claims: c };
}
