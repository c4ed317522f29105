import type { Exchange } from '../../message/index.js';
import { bytesOf, requestDigestOf } from '../digests.js';
import type { StageFactory } from '../deps.js';
import { sha256b64url } from '../../security/jws.js';
import { ANSWERS, SIGNATURE_HEADER } from '../../security/envelope.js';

export { SIGNATURE_HEADER };

/**
 * Digest of the bytes sent to the provider, which its signed reply must name
 * in `lt-req`; computed once (sign-outbound already has it when it ran).
 */
export function sentDigest(ex: Exchange): string {
  let d = ex.attrs.sentDigest as string | undefined;
  if (!d) {
    d = sha256b64url(bytesOf(ex.outbound ?? ex.request));
    ex.attrs.sentDigest = d;
  }
  return d;
}

/** `signature.signOutbound`: sign exactly the bytes sent to the provider. */
export const signOutbound: StageFactory = {
  name: 'sign-outbound',
  create(route, deps) {
    if (!route.signature.signOutbound) return null;
    const endpoint = deps.endpoints.get(route.to.endpoint)!;
    return async (ex) => {
      const msg = (ex.outbound ??= { ...ex.request, headers: {} });
      endpoint.outbound.encode?.(msg, ex);
      const s = await deps.envelopes.sign('outbound', bytesOf(msg), {
        jti: ex.id,
        'lt-org': ex.caller?.orgId,
      });
      msg.headers[SIGNATURE_HEADER] = s.jws;
      return { kid: s.kid, digest: sentDigest(ex) };
    };
  },
};

/** `signature.signReply`: the caller can verify the reply against /.well-known/jwks.json. */
export const signReply: StageFactory = {
  name: 'sign-reply',
  create(route, deps) {
    if (!route.signature.signReply) return null;
    return async (ex) => {
      const reply = ex.reply!;
      const bytes = bytesOf(reply);
      const s = await deps.envelopes.sign('reply', bytes, {
        jti: ex.id,
        [ANSWERS]: requestDigestOf(ex),
      });
      // What was signed is what the sharing log names as the reply.
      ex.replyDigest = sha256b64url(bytes);
      reply.headers[SIGNATURE_HEADER] = s.jws;
      return { kid: s.kid };
    };
  },
};
