import { fail } from '../../message/errors.js';
import type { StageFactory } from '../deps.js';

/** Routes with `signature.require`: the caller's JWS must verify against its JWKS, be fresh and unseen. */
export const verifySignature: StageFactory = {
  name: 'verify-signature',
  create(route, deps) {
    if (!route.signature.require) return null;
    return async (ex) => {
      const clientId = ex.caller?.clientId;
      const peer = clientId ? deps.auth.peerOf(clientId) : undefined;
      if (!peer)
        fail('LT_SIG_UNKNOWN_KEY', `no JWKS is configured for client "${clientId ?? '?'}"`);
      const v = await deps.envelopes.verifyRequest(ex.request, peer, clientId!);
      return { kid: v.kid, jti: v.jti, iat: v.iat };
    };
  },
};
