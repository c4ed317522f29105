import type { KeyObject } from 'node:crypto';
import { GatewayError } from '../message/errors.js';
import { isEs256Jwk, jwkThumbprint, publicKeyFromJwk, type KeyResolver } from './jwk.js';

/**
 * A peer's published keys (its JWKS), turned once into kid → public KeyObject
 * so that verifying a message is a map lookup plus one ECDSA verify.
 *
 * Keys that cannot verify ES256 (RSA, encryption keys, other curves) are
 * skipped: a peer's JWKS may serve other purposes too. A P-256 key that is
 * malformed, or two keys with one kid, are configuration errors.
 */
export class PeerKeys {
  private readonly byKid: ReadonlyMap<string, KeyObject>;

  /** kid → KeyObject; bound, so it can be handed to verifyCompact directly. */
  readonly resolve: KeyResolver;

  constructor(jwks: unknown, name = 'peer JWKS') {
    const keys = (jwks as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) {
      throw new GatewayError('LT_CONFIG_INVALID', `${name}: expected {"keys": [...]}`);
    }
    const map = new Map<string, KeyObject>();
    for (const [i, jwk] of keys.entries()) {
      if (!isEs256Jwk(jwk)) continue;
      const kid = typeof jwk.kid === 'string' && jwk.kid !== '' ? jwk.kid : jwkThumbprint(jwk);
      if (map.has(kid))
        throw new GatewayError('LT_CONFIG_INVALID', `${name}: duplicate kid ${kid}`);
      map.set(kid, publicKeyFromJwk(jwk, `${name} key #${i}`));
    }
    this.byKid = map;
    this.resolve = (kid) => map.get(kid);
  }

  kids(): string[] {
    return [...this.byKid.keys()];
  }

  get size(): number {
    return this.byKid.size;
  }
}
