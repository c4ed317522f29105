import type { StageFactory } from '../deps.js';

/**
 * Is the caller within its rate and daily quota (client, client on this
 * route)? Right after authorize, so a refused caller costs no quota and an
 * over-quota one nothing beyond this. Left out where nothing limits the route.
 */
export const limit: StageFactory = {
  name: 'limit',
  create(route, deps) {
    const limits = deps.limits;
    if (route.auth === 'none' || !limits?.applies(route)) return null;
    return (ex) => limits.check(route, ex.caller!);
  },
};
