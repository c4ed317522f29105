import { GatewayError, fail } from '../message/errors.js';
import type { Message } from '../message/index.js';
import type {
  EnvelopeKind,
  Envelopes,
  RequestBinding,
  VerifiedSignature,
} from '../pipeline/deps.js';
import type { Store } from '../store/store.js';
import { checkFreshness, checkIat } from './freshness.js';
import {
  signDetachedAsync,
  verifyCompact,
  verifyDetached,
  verifyDetachedAsync,
  type JwsHeader,
} from './jws.js';
import { keyIdentity, type KeyResolver } from './jwk.js';
import type { KeyRing } from './keyring.js';
import { bodyKind } from '../message/media-type.js';
import { TYP, audienceMatches, requireTyp } from './purposes.js';

export const SIGNATURE_HEADER = 'x-jws-signature';

/** Header member of a reply naming the request it answers: base64url SHA-256 of that request's bytes. */
export const ANSWERS = 'lt-req';

function notBound(detail: string, member: string): GatewayError {
  return new GatewayError('LT_SIG_NOT_BOUND', detail, { member });
}

/**
 * A caller's signed request names the request it signs: method, path and this
 * gateway (RFC 9449's htm/htu, and aud). A signature captured on one route, or
 * made for another gateway, is refused on this one.
 */
export function checkRequestBinding(header: Readonly<Record<string, unknown>>, b: RequestBinding) {
  if (header.htm !== b.htm) throw notBound(`signature is for method ${String(header.htm)}`, 'htm');
  if (header.htu !== b.htu) throw notBound(`signature is for path ${String(header.htu)}`, 'htu');
  if (!audienceMatches(header.aud, b.aud))
    throw notBound('signature is for another audience', 'aud');
}

/**
 * What a provider does with the gateway's signed outbound request: verify it
 * against the gateway's published JWKS and accept it only as typ lt-out+jws
 * (never a reply or anything else the gateway signed). The test provider uses
 * it; a lienthong instance that is itself a provider would too.
 */
export function verifyOutbound(sig: string, body: Buffer, gatewayKeys: KeyResolver): JwsHeader {
  const header = verifyDetached(sig, body, gatewayKeys);
  requireTyp(header, TYP.outbound);
  return header;
}

/**
 * Signed envelopes on the wire (docs/signatures.md):
 * - detached: the body travels as is, header `X-JWS-Signature: <b64 header>..<b64 sig>`
 *   (RFC 7515 Appendix F) over the exact body bytes;
 * - enveloped: `Content-Type: application/jose`, the body is a compact JWS whose
 *   payload is the JSON document.
 * Every envelope is typed for its purpose (src/security/purposes.ts) and made
 * with an envelope key, never a token key.
 */
export class EnvelopeService implements Envelopes {
  constructor(
    private readonly keys: KeyRing,
    private readonly peers: ReadonlyMap<string, KeyResolver>,
    private readonly store: Store,
    private readonly windowSec: number,
  ) {}

  async sign(
    kind: EnvelopeKind,
    payload: Buffer,
    claims: Record<string, unknown> = {},
  ): Promise<{ header: string; kid: string; jws: string }> {
    const signer = this.keys.signer('envelope');
    // typ last: no claim can change what the signature is for.
    const header = { iat: Math.floor(Date.now() / 1000), ...claims, typ: TYP[kind] };
    const jws = await signDetachedAsync(payload, header, signer);
    return { header: SIGNATURE_HEADER, kid: signer.kid, jws };
  }

  private resolver(peer: string): KeyResolver {
    const r = this.peers.get(peer);
    if (!r)
      throw new GatewayError('LT_SIG_UNKNOWN_KEY', `no JWKS is configured for peer "${peer}"`);
    return r;
  }

  async verifyRequest(
    msg: Message,
    peer: string,
    binding: RequestBinding,
  ): Promise<VerifiedSignature> {
    const resolve = this.resolver(peer);
    let header: JwsHeader;
    let signed: Buffer | undefined;
    if (bodyKind(msg.contentType) === 'jose') {
      const text = (msg.raw ?? Buffer.alloc(0)).toString('ascii').trim();
      const v = verifyCompact(text, resolve);
      header = v.header;
      signed = v.payload;
    } else {
      const sig = msg.headers[SIGNATURE_HEADER];
      if (!sig)
        fail(
          'LT_SIG_MISSING',
          `send ${SIGNATURE_HEADER} (detached JWS) or an application/jose body`,
        );
      header = await verifyDetachedAsync(sig, msg.raw ?? Buffer.alloc(0), resolve);
    }
    requireTyp(header, TYP.request);
    checkRequestBinding(header, binding);
    // Replays are recognised per signing key, whoever presents the signature:
    // two clients sharing an agency key share one jti space.
    const signer = keyIdentity(resolve(header.kid)!) ?? `${peer}/${header.kid}`;
    await checkFreshness(header, { windowSec: this.windowSec }, (jti, exp) =>
      this.store.rememberOnce(`jti:${signer}`, jti, exp),
    );
    if (signed) {
      let body: unknown;
      try {
        body = JSON.parse(signed.toString('utf8'));
      } catch (err) {
        fail('LT_BAD_JSON', `signed payload is not JSON: ${(err as Error).message}`);
      }
      // From here on the pipeline sees the plain JSON document that was signed.
      msg.body = body;
      msg.raw = signed;
      msg.contentType = 'application/json';
    }
    return { kid: header.kid, jti: header.jti as string, iat: header.iat as number, header };
  }

  async verifyReply(msg: Message, peer: string, sentDigest: string): Promise<VerifiedSignature> {
    const resolve = this.resolver(peer);
    const sig = msg.headers[SIGNATURE_HEADER];
    if (!sig)
      throw new GatewayError('LT_UPSTREAM_SIG_INVALID', `reply from "${peer}" is not signed`, {
        cause: 'LT_SIG_MISSING',
      });
    try {
      const header = await verifyDetachedAsync(sig, msg.raw ?? Buffer.alloc(0), resolve);
      requireTyp(header, TYP.reply);
      checkIat(header, { windowSec: this.windowSec });
      if (header[ANSWERS] !== sentDigest)
        throw notBound(`reply does not answer the request sent (${ANSWERS})`, ANSWERS);
      return { kid: header.kid, iat: header.iat as number, header };
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
