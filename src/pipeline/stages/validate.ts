import { GatewayError } from '../../message/errors.js';
import type { StageFactory } from '../deps.js';

/** The request must satisfy the route's contract (JSON Schema or XSD, compiled at start-up). */
export const validateRequest: StageFactory = {
  name: 'validate-request',
  create(route, deps) {
    if (!route.contract) return null;
    const contract = deps.contracts.get(route.contract);
    if (!contract.hasRequest) return null;
    return async (ex) => {
      await contract.validateRequest(ex.request);
      return { contract: route.contract, valid: true };
    };
  },
};

/**
 * The provider's reply must satisfy the contract: a reply that does not is
 * the provider's fault (LT_CONTRACT_RESPONSE), never passed on silently. With
 * `strictResponse: false` the violation is logged and counted instead.
 */
export const validateResponse: StageFactory = {
  name: 'validate-response',
  create(route, deps) {
    if (!route.contract) return null;
    const contract = deps.contracts.get(route.contract);
    if (!contract.hasResponse) return null;
    const endpoint = route.to.endpoint;
    return async (ex) => {
      try {
        await contract.validateResponse(ex.reply!);
      } catch (err) {
        // Unreadable is not "violates the contract": never passed on, and it
        // names the provider as the adapters' own LT_UPSTREAM_BAD_REPLY does.
        if (err instanceof GatewayError && err.code === 'LT_UPSTREAM_BAD_REPLY') {
          if (err.data?.endpoint) throw err;
          throw new GatewayError(
            err.code,
            `${endpoint}: ${err.detail}`,
            { endpoint, ...err.data },
            { cause: err },
          );
        }
        if (route.strictResponse) throw err;
        deps.log.warn(
          { ex: ex.id, route: route.id, err: (err as Error).message },
          'provider reply violates contract (strictResponse: false)',
        );
        deps.metrics.contractViolation(route.id);
        return { contract: route.contract, valid: false, strict: false };
      }
      return { contract: route.contract, valid: true };
    };
  },
};
