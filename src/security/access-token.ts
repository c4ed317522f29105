import { uuidv7 } from '../message/ids.js';
import type { KeyResolver, Signer } from './jwk.js';
import { signJwt, tokenInvalid, verifyJwt, type JwtClaims } from './jwt.js';
import { TYP, audienceMatches } from './purposes.js';

/** Who issues the gateway's access tokens and who they are for. */
export interface TokenIdentity {
  /** `iss`: tokens.issuer. */
  issuer: string;
  /** `aud`: this gateway as a resource server, tokens.audience. */
  audience: string;
}

/** The claims of an access token (RFC 9068 §2.2), client credentials: sub is the client. */
export interface AccessTokenClaims extends JwtClaims {
  iss: string;
  sub: string;
  aud: string;
  client_id: string;
  iat: number;
  exp: number;
  jti: string;
}

/** An RFC 9068 access token (`typ: at+jwt`) for a client, signed with a token key. */
export function issueAccessToken(
  signer: Signer,
  id: TokenIdentity,
  client: { id: string; orgId: string },
  ttlSeconds: number,
  nowMs = Date.now(),
): string {
  const now = Math.floor(nowMs / 1000);
  const claims: AccessTokenClaims & { org: string } = {
    iss: id.issuer,
    sub: client.id,
    aud: id.audience,
    client_id: client.id,
    org: client.orgId,
    iat: now,
    exp: now + ttlSeconds,
    jti: uuidv7(),
  };
  return signJwt(claims, signer, TYP.accessToken);
}

/**
 * Verify an access token: signature by one of the token keys (`resolveTokenKey`
 * must resolve nothing else), `typ: at+jwt`, time window, then iss, aud and
 * a client named consistently in sub and client_id. Every refusal is
 * LT_AUTH_TOKEN_INVALID (or LT_AUTH_TOKEN_EXPIRED) with `data.reason`.
 */
export function verifyAccessToken(
  token: string,
  resolveTokenKey: KeyResolver,
  id: TokenIdentity,
  nowMs = Date.now(),
): AccessTokenClaims {
  const { claims } = verifyJwt(token, resolveTokenKey, { typ: TYP.accessToken, now: nowMs });
  if (claims.iss !== id.issuer) throw tokenInvalid('token was issued by someone else', 'iss');
  if (!audienceMatches(claims.aud, id.audience)) {
    throw tokenInvalid('token is meant for another audience', 'aud');
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') {
    throw tokenInvalid('token names no subject', 'sub');
  }
  if (claims.client_id !== claims.sub) {
    throw tokenInvalid('token client_id does not match its subject', 'client_id');
  }
  return claims as AccessTokenClaims;
}
