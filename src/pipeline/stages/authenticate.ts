import { fail } from '../../message/errors.js';
import type { StageFactory } from '../deps.js';

/**
 * Who is calling: bearer token (from POST /token) → Caller. Routes with
 * `auth: none` skip it; on `auth: asserted` the inbound named the caller
 * (an X-Road client) and an exchange without one is refused, never let
 * through as anonymous.
 */
export const authenticate: StageFactory = {
  name: 'authenticate',
  create(route, deps) {
    if (route.auth === 'none') return null;
    if (route.auth === 'asserted')
      return (ex) => {
        if (!ex.caller)
          fail('LT_AUTH_MISSING', 'this route takes the caller its inbound asserts, and none came');
        return { clientId: ex.caller.clientId, orgId: ex.caller.orgId, asserted: true };
      };
    return (ex) => {
      const caller = deps.auth.authenticate(ex.request, ex.ip);
      ex.caller = caller;
      return { clientId: caller.clientId, orgId: caller.orgId };
    };
  },
};
