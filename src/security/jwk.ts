import {
  createECDH,
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
} from 'node:crypto';
import { GatewayError } from '../message/errors.js';

/** The key the hot path signs with: its kid goes into the JWS header. */
export interface Signer {
  readonly kid: string;
  readonly key: KeyObject;
}

/** kid → public (or private) KeyObject; undefined when the kid is not known. */
export type KeyResolver = (kid: string) => KeyObject | undefined;

/** The members of a P-256 JWK this gateway reads; anything else is carried through. */
export interface EcJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d?: string;
  kid?: string;
  alg?: string;
  use?: string;
  [member: string]: unknown;
}

/** A JSON Web Key Set (RFC 7517 §5). */
export interface Jwks {
  keys: Record<string, unknown>[];
}

const B64URL = /^[A-Za-z0-9_-]+$/;

/** 32-byte coordinates and scalars of P-256, base64url without padding. */
function isP256Member(v: unknown): v is string {
  return typeof v === 'string' && v.length === 43 && B64URL.test(v);
}

/**
 * True when the JWK can take part in ES256: EC on P-256, not marked for
 * encryption and not bound to another algorithm.
 */
export function isEs256Jwk(jwk: unknown): jwk is EcJwk {
  if (typeof jwk !== 'object' || jwk === null) return false;
  const k = jwk as Record<string, unknown>;
  return (
    k.kty === 'EC' &&
    k.crv === 'P-256' &&
    (k.alg === undefined || k.alg === 'ES256') &&
    (k.use === undefined || k.use === 'sig')
  );
}

/**
 * RFC 7638 thumbprint of an EC key: SHA-256 over the required members in
 * lexicographic order, no whitespace, base64url. Used as the kid so the same
 * key always gets the same id, on any machine.
 */
export function jwkThumbprint(jwk: Pick<EcJwk, 'crv' | 'kty' | 'x' | 'y'>): string {
  const canonical = `{"crv":${JSON.stringify(jwk.crv)},"kty":${JSON.stringify(jwk.kty)},"x":${JSON.stringify(jwk.x)},"y":${JSON.stringify(jwk.y)}}`;
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

/** The public part of an ES256 JWK, with kid/alg/use, nothing private. */
export function publicJwk(jwk: EcJwk): EcJwk {
  const out: EcJwk = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  if (jwk.kid !== undefined) out.kid = jwk.kid;
  out.use = 'sig';
  out.alg = 'ES256';
  return out;
}

/** RFC 7638 thumbprint of each public KeyObject made here, computed once at load. */
const THUMBPRINTS = new WeakMap<KeyObject, string>();

/**
 * The identity of a verifying key: its RFC 7638 thumbprint, not the kid a
 * JWKS gives it (two peers' JWKS could name different keys alike, or one key
 * differently). Replay protection is scoped by it. Undefined for a key not
 * made by publicKeyFromJwk.
 */
export function keyIdentity(key: KeyObject): string | undefined {
  return THUMBPRINTS.get(key);
}

/** Public KeyObject from an ES256 JWK; LT_CONFIG_INVALID when it is not a P-256 point. */
export function publicKeyFromJwk(jwk: EcJwk, where: string): KeyObject {
  if (!isP256Member(jwk.x) || !isP256Member(jwk.y)) {
    throw new GatewayError('LT_CONFIG_INVALID', `${where}: EC key has malformed x/y`);
  }
  try {
    const key = createPublicKey({ key: publicJwk(jwk), format: 'jwk' });
    THUMBPRINTS.set(key, jwkThumbprint(jwk));
    return key;
  } catch (err) {
    throw new GatewayError(
      'LT_CONFIG_INVALID',
      `${where}: not a valid P-256 public key`,
      undefined,
      {
        cause: err,
      },
    );
  }
}

/** Private KeyObject from an ES256 JWK with `d`; LT_CONFIG_INVALID otherwise. */
export function privateKeyFromJwk(jwk: EcJwk, where: string): KeyObject {
  if (!isP256Member(jwk.x) || !isP256Member(jwk.y) || !isP256Member(jwk.d)) {
    throw new GatewayError('LT_CONFIG_INVALID', `${where}: EC private key has malformed x/y/d`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({
      key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d },
      format: 'jwk',
    });
  } catch (err) {
    throw new GatewayError(
      'LT_CONFIG_INVALID',
      `${where}: not a valid P-256 private key`,
      undefined,
      {
        cause: err,
      },
    );
  }
  // A hand-edited file could pair d with someone else's x/y: the public JWKS
  // would then announce a key that verifies nothing we sign. Checked once, at load.
  // (The JWK import keeps the given x/y as is, so derive the point from d.)
  let point: Buffer; // 0x04 || x || y
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(jwk.d as string, 'base64url'));
    point = ecdh.getPublicKey();
  } catch (err) {
    throw new GatewayError('LT_CONFIG_INVALID', `${where}: d is not a P-256 scalar`, undefined, {
      cause: err,
    });
  }
  const x = point.subarray(1, 33).toString('base64url');
  const y = point.subarray(33).toString('base64url');
  if (x !== jwk.x || y !== jwk.y) {
    throw new GatewayError('LT_CONFIG_INVALID', `${where}: x/y do not match the private key d`);
  }
  return key;
}
