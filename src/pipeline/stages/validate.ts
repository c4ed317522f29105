import { GatewayError } from '../../message/errors.js';
import { badReplyError } from '../../message/provider-said.js';
import type { StageFactory } from '../deps.js';

/** The request must satisfy the route's contract (JSON Schema or XSD, compiled at start-up). */
export const validateRequest: StageFactory = {
  name: 'validate-request',
  create(route, deps) {
    if (!route.contract) return null;
    const contract = deps.contracts.get(route.contract);
    if (!contract.hasRequest) return null;
    return async (ex) => {
      // With the endpoint's defaults applied (apply-defaults), what is sent is what must hold.
      await contract.validateRequest(ex.outbound ?? ex.request);
      return { contract: route.contract, valid: true };
    };
  },
};

/**
 * A reply libxml2 cannot read at all (malformed, or carrying a DTD) is not a
 * contract violation and not the caller's bad XML: it is the provider's
 * unreadable reply, named as the adapters name theirs, whatever the route's
 * strictResponse says. An adapter's own LT_UPSTREAM_BAD_REPLY (a lazily read
 * body) already is.
 */
function unreadableReply(err: unknown, endpoint: string): GatewayError | undefined {
  if (!(err instanceof GatewayError)) return undefined;
  if (err.code === 'LT_UPSTREAM_BAD_REPLY') return err;
  if (err.code !== 'LT_XML_MALFORMED' && err.code !== 'LT_XML_DTD_FORBIDDEN') return undefined;
  return badReplyError(endpoint, err);
}

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
        const unreadable = unreadableReply(err, endpoint);
        if (unreadable) throw unreadable;
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
