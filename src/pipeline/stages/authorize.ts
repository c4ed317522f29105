import { fail } from '../../message/errors.js';
import type { StageFactory } from '../deps.js';

/**
 * May this caller use this route? Decided in memory from the caller's grants
 * (config clients for now; the policy model replaces the source, not the stage).
 */
export const authorize: StageFactory = {
  name: 'authorize',
  create(route) {
    if (route.auth === 'none') return null;
    return (ex) => {
      const caller = ex.caller!;
      if (caller.routes !== 'all' && !caller.routes.has(route.id)) {
        fail(
          'LT_POLICY_ROUTE_NOT_ALLOWED',
          `client "${caller.clientId}" is not granted route "${route.id}"`,
          {
            route: route.id,
            service: route.service,
          },
        );
      }
      return { route: route.id, service: route.service, allowed: true };
    };
  },
};
