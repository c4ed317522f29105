import { policyOf } from '../../config/resilience.js';
import type { StageFactory } from '../deps.js';
import { sentDigest } from './sign.js';

/** Calls the provider through its breaker, bulkhead, timeout and (idempotent-only) retry. */
export const send: StageFactory = {
  name: 'send',
  create(route, deps) {
    const endpoint = deps.endpoints.get(route.to.endpoint)!;
    // Route over endpoint over schema defaults, merged here once.
    const policy = policyOf(route, deps.endpoints);
    return async (ex) => {
      const msg = ex.outbound ?? ex.request;
      // The route names the provider's operation, never the caller: a SOAP
      // facade's message carries the one its Body element chose, and the
      // provider adapter refuses a Body that is not this one's.
      if (route.to.operation) msg.operation = route.to.operation;
      const idempotent = endpoint.outbound.idempotent?.(msg) ?? false;
      ex.reply = await endpoint.call(msg, ex, { policy, idempotent });
      return { endpoint: endpoint.name, adapter: endpoint.adapter, breaker: endpoint.state() };
    };
  },
};

/**
 * Replies from endpoints with `verifyReplyWith` must carry a valid provider
 * signature, typed as a reply, fresh, and naming the request it answers.
 */
export const verifyReply: StageFactory = {
  name: 'verify-reply',
  create(route, deps) {
    const endpoint = deps.endpoints.get(route.to.endpoint)!;
    const peer = endpoint.verifyReplyWith;
    if (!peer) return null;
    return async (ex) => {
      const v = await deps.envelopes.verifyReply(ex.reply!, peer, sentDigest(ex));
      return { peer, kid: v.kid, valid: true };
    };
  },
};
