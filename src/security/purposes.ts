import { GatewayError } from '../message/errors.js';

/**
 * What a signature is for. A signature made for one purpose must never be
 * accepted for another (RFC 8725 §3.11): every JWS the gateway makes carries
 * its purpose as `typ`, and every verifier accepts exactly one. The table in
 * docs/signatures.md lists each purpose, its typ, its key and its verifier.
 */
export const TYP = {
  /** OAuth2 access token from POST /token (RFC 9068). */
  accessToken: 'at+jwt',
  /** A caller's signed request to the gateway (detached or application/jose). */
  request: 'lt-req+jws',
  /** A signed reply: the gateway's to its caller, a provider's to the gateway. */
  reply: 'lt-reply+jws',
  /** What the gateway signs towards a provider (its outbound request). */
  outbound: 'lt-out+jws',
  /** A portal's (NPSP, VNeID) assertion of the citizen it has logged in (R4; docs/limits.md). */
  citizen: 'lt-citizen+jwt',
  /** A signed head of one writer's sharing-log chain (src/audit/checkpoint.ts). */
  checkpoint: 'lt-checkpoint+jws',
  /** The manifest of a sharing-log export or archive (src/audit/archive.ts). */
  archive: 'lt-archive+jws',
} as const;

export type Typ = (typeof TYP)[keyof typeof TYP];

/**
 * Key purposes in the gateway's key ring: token keys sign access tokens and
 * verify only tokens; envelope keys sign replies and outbound requests and
 * are the ones published in the JWKS.
 */
export const KEY_PURPOSES = ['token', 'envelope'] as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[number];

export function isKeyPurpose(v: unknown): v is KeyPurpose {
  return (KEY_PURPOSES as readonly unknown[]).includes(v);
}

/**
 * RFC 7515 §4.1.9: typ is a media type, compared case-insensitively, with the
 * `application/` prefix optional. Anything else, or no typ, is refused.
 */
export function requireTyp(header: Readonly<Record<string, unknown>>, expected: Typ): void {
  const typ = header.typ;
  const bare = typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : '';
  if (bare !== expected) {
    throw new GatewayError(
      'LT_SIG_WRONG_TYPE',
      `expected typ ${expected}, got ${typeof typ === 'string' ? typ.slice(0, 64) : 'none'}`,
      { expected },
    );
  }
}

/** True when `aud` (a string or an array of strings, RFC 7519 §4.1.3) names `audience`. */
export function audienceMatches(aud: unknown, audience: string): boolean {
  return aud === audience || (Array.isArray(aud) && aud.includes(audience));
}
