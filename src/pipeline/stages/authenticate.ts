import type { StageFactory } from '../deps.js';

/** Who is calling: bearer token (from POST /token) → Caller. Routes with `auth: none` skip it. */
export const authenticate: StageFactory = {
  name: 'authenticate',
  create(route, deps) {
    if (route.auth === 'none') return null;
    return (ex) => {
      const caller = deps.auth.authenticate(ex.request, ex.ip);
      ex.caller = caller;
      return { clientId: caller.clientId, orgId: caller.orgId };
    };
  },
};
