import { fail } from '../../message/errors.js';
import type { RequestBinding, StageFactory } from '../deps.js';

/**
 * Routes with `signature.require`: the caller's JWS must verify against its
 * JWKS, be typed as a request, name this route's method and path and this
 * gateway, be fresh and unseen. A route binds one method and path, so what
 * the signature must name is known at start-up.
 */
export const verifySignature: StageFactory = {
  name: 'verify-signature',
  create(route, deps) {
    if (!route.signature.require) return null;
    const from = route.from as { method?: string; path?: string };
    const binding: RequestBinding = {
      htm: from.method ?? 'POST',
      htu: from.path ?? `urn:lienthong:route:${route.id}`,
      aud: deps.config.tokens.audience,
    };
    return async (ex) => {
      const clientId = ex.caller?.clientId;
      const peer = clientId ? deps.auth.peerOf(clientId) : undefined;
      if (!peer)
        fail('LT_SIG_UNKNOWN_KEY', `no JWKS is configured for client "${clientId ?? '?'}"`);
      const v = await deps.envelopes.verifyRequest(ex.request, peer, binding);
      return { kid: v.kid, jti: v.jti, iat: v.iat };
    };
  },
};
