import { GatewayError } from '../message/errors.js';
import type { KeyResolver, Signer } from '../security/jwk.js';
import { signJwt, verifyJwt } from '../security/jwt.js';
import { TYP, audienceMatches } from '../security/purposes.js';

/** What a portal asserts about the citizen it logged in (R4). */
export interface CitizenAssertion {
  /** `sub`: the citizen's 12-digit personal id. */
  citizenId: string;
  /** `iss`: the portal. */
  portal: string;
  /** `idp`: how the citizen logged in (e.g. `vneid`, `npsp`), when said. */
  idp?: string;
}

export interface AssertionCheck {
  /** This gateway (tokens.audience): an assertion for another service is refused. */
  audience: string;
  maxAgeSeconds: number;
  now?: number;
}

const PERSONAL_ID = /^[0-9]{12}$/;

function invalid(detail: string, reason: string, cause?: unknown): GatewayError {
  return new GatewayError(
    'LT_CITIZEN_ASSERTION_INVALID',
    detail,
    { reason },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Verifies a portal's citizen assertion: an ES256 JWT with `typ:
 * lt-citizen+jwt` (no other signature of the portal's passes for it), signed
 * by a key of the portal's JWKS, `aud` this gateway, `sub` a 12-digit
 * personal id, `iat` and `exp` no further apart than maxAgeSeconds (a short
 * life bounds a leaked assertion). Every refusal is
 * LT_CITIZEN_ASSERTION_INVALID with `data.reason`.
 */
export function verifyCitizenAssertion(
  token: string,
  portalKeys: KeyResolver,
  check: AssertionCheck,
): CitizenAssertion {
  let claims;
  try {
    ({ claims } = verifyJwt(token, portalKeys, { typ: TYP.citizen, now: check.now }));
  } catch (err) {
    const e = err as GatewayError;
    const reason = e.code === 'LT_AUTH_TOKEN_EXPIRED' ? 'exp' : String(e.data?.reason ?? e.code);
    throw invalid(e.detail ?? 'assertion does not verify', reason, err);
  }
  if (!audienceMatches(claims.aud, check.audience))
    throw invalid('assertion is meant for another audience', 'aud');
  if (typeof claims.sub !== 'string' || !PERSONAL_ID.test(claims.sub))
    throw invalid('assertion names no 12-digit personal id', 'sub');
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number')
    throw invalid('assertion needs iat and exp', 'iat');
  if (claims.exp - claims.iat > check.maxAgeSeconds)
    throw invalid(`assertion lives longer than ${check.maxAgeSeconds} s`, 'exp');
  return {
    citizenId: claims.sub,
    portal: typeof claims.iss === 'string' ? claims.iss : '',
    idp: typeof claims.idp === 'string' ? claims.idp : undefined,
  };
}

/** What a portal signs once the citizen has logged in (the portal simulator and tests). */
export function signCitizenAssertion(
  signer: Signer,
  claims: {
    portal: string;
    citizenId: string;
    audience: string;
    idp?: string;
    ttlSeconds?: number;
  },
  nowMs = Date.now(),
): string {
  const iat = Math.floor(nowMs / 1000);
  return signJwt(
    {
      iss: claims.portal,
      sub: claims.citizenId,
      aud: claims.audience,
      iat,
      exp: iat + (claims.ttlSeconds ?? 300),
      ...(claims.idp ? { idp: claims.idp } : {}),
    },
    signer,
    TYP.citizen,
  );
}
