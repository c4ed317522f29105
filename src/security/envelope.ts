import { GatewayError, fail } from '../message/errors.js';
import type { Message } from '../message/index.js';
import type { Envelopes, VerifiedSignature } from '../pipeline/deps.js';
import type { Store } from '../store/store.js';
import { checkFreshness } from './freshness.js';
import { signDetachedAsync, verifyCompact, verifyDetachedAsync } from './jws.js';
import type { KeyResolver } from './jwk.js';
import type { KeyRing } from './keyring.js';
import { bodyKind } from '../message/media-type.js';

export const SIGNATURE_HEADER = 'x-jws-signature';

/**
 * Signed envelopes on the wire (docs/signatures.md):
 * - detached: the body travels as is, header `X-JWS-Signature: <b64 header>..<b64 sig>`
 *   (RFC 7515 Appendix F) over the exact body bytes;
 * - enveloped: `Content-Type: application/jose`, the body is a compact JWS whose
 *   payload is the JSON document.
 * Both carry `iat` (replay window) and `jti` (seen once per caller).
 */
export class EnvelopeService implements Envelopes {
  constructor(
    private readonly keys: KeyRing,
    private readonly peers: ReadonlyMap<string, KeyResolver>,
    private readonly store: Store,
    private readonly windowSec: number,
  ) {}

  async sign(
    payload: Buffer,
    claims: Record<string, unknown> = {},
  ): Promise<{ header: string; kid: string; jws: string }> {
    const signer = this.keys.signer();
    const jws = await signDetachedAsync(
      payload,
      { typ: 'JOSE', iat: Math.floor(Date.now() / 1000), ...claims },
      signer,
    );
    return { header: SIGNATURE_HEADER, kid: signer.kid, jws };
  }

  private resolver(peer: string): KeyResolver {
    const r = this.peers.get(peer);
    if (!r)
      throw new GatewayError('LT_SIG_UNKNOWN_KEY', `no JWKS is configured for peer "${peer}"`);
    return r;
  }

  async verifyRequest(msg: Message, peer: string, scope: string): Promise<VerifiedSignature> {
    const resolve = this.resolver(peer);
    let header: Record<string, unknown> & { kid: string };
    if (bodyKind(msg.contentType) === 'jose') {
      const text = (msg.raw ?? Buffer.alloc(0)).toString('ascii').trim();
      const v = verifyCompact(text, resolve);
      header = v.header;
      let body: unknown;
      try {
        body = JSON.parse(v.payload.toString('utf8'));
      } catch (err) {
        fail('LT_BAD_JSON', `signed payload is not JSON: ${(err as Error).message}`);
      }
      // From here on the pipeline sees the plain JSON document that was signed.
      msg.body = body;
      msg.raw = v.payload;
      msg.contentType = 'application/json';
    } else {
      const sig = msg.headers[SIGNATURE_HEADER];
      if (!sig)
        fail(
          'LT_SIG_MISSING',
          `send ${SIGNATURE_HEADER} (detached JWS) or an application/jose body`,
        );
      header = await verifyDetachedAsync(sig, msg.raw ?? Buffer.alloc(0), resolve);
    }
    await checkFreshness(header, { windowSec: this.windowSec }, (jti, exp) =>
      this.store.rememberOnce(`jti:${scope}`, jti, exp),
    );
    return { kid: header.kid, jti: header.jti as string, iat: header.iat as number, header };
  }

  async verifyReply(msg: Message, peer: string): Promise<VerifiedSignature> {
    const resolve = this.resolver(peer);
    const sig = msg.headers[SIGNATURE_HEADER];
    if (!sig)
      throw new GatewayError('LT_UPSTREAM_SIG_INVALID', `reply from "${peer}" is not signed`);
    try {
      const header = await verifyDetachedAsync(sig, msg.raw ?? Buffer.alloc(0), resolve);
      return { kid: header.kid, header };
    } catch (err) {
      const code = (err as GatewayError).code;
      throw new GatewayError(
        'LT_UPSTREAM_SIG_INVALID',
        `reply from "${peer}": ${code ?? 'invalid'}`,
        { cause: code },
      );
    }
  }
}
