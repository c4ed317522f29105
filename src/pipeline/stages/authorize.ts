import { officerOf, purposeOf } from '../../policy/purpose.js';
import type { StageFactory } from '../deps.js';

/**
 * May this caller use this route's service, for the purpose it states? The
 * policy answers from its in-memory snapshot (src/policy/snapshot.ts) and
 * names the grant the exchange uses, which the project stage applies to the
 * reply; a refusal carries its code and reason (R8).
 */
export const authorize: StageFactory = {
  name: 'authorize',
  create(route, deps) {
    if (route.auth === 'none') return null;
    return (ex) => {
      const purpose = purposeOf(ex.request);
      const officer = officerOf(ex.request) ?? ex.caller!.officer;
      const grant = deps.policy.decide(
        {
          caller: ex.caller!,
          routeId: route.id,
          service: route.service,
          purpose,
          officer,
          now: Date.now(),
        },
        ex.id,
      );
      // A copy: authenticate hands out one cached Caller per token.
      ex.caller = officer ? { ...ex.caller!, grant, officer } : { ...ex.caller!, grant };
      return { route: route.id, service: route.service, allowed: true, grant: grant.id, purpose };
    };
  },
};
