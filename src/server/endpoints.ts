import type { Logger } from 'pino';
import type { Outbound } from '../adapter/spec.js';
import type { EndpointConfig } from '../config/schema.js';
import type { Exchange, Message } from '../message/index.js';
import type { ProtectedEndpoint } from '../pipeline/deps.js';
import { performance } from 'node:perf_hooks';
import { createProtectedCall } from '../resilience/index.js';
import { classifySendError } from '../resilience/classify.js';
import type { GatewayMetrics } from './metrics.js';

/**
 * Wraps an adapter's outbound side in its bulkhead, breaker, timeout and
 * retry, created once per endpoint at start-up. Breaker transitions are
 * logged and counted; in-flight counts feed /metrics and /readyz.
 */
export function protectEndpoint(
  name: string,
  cfg: EndpointConfig,
  outbound: Outbound,
  metrics: GatewayMetrics,
  log: Logger,
): ProtectedEndpoint {
  const r = cfg.resilience ?? {};
  const setInFlight = metrics.endpointInFlight(name);
  const timeUpstream = metrics.upstream(name);
  const call = createProtectedCall<{ msg: Message; ex: Exchange }, Message>(
    name,
    // Each attempt is timed on its own: the provider's latency, not the retries'.
    ({ msg, ex }, signal) => {
      const t0 = performance.now();
      return outbound.send(msg, ex, signal).then(
        (reply) => {
          timeUpstream('OK', performance.now() - t0);
          return reply;
        },
        (err: unknown) => {
          timeUpstream(classifySendError(err).code, performance.now() - t0);
          throw err;
        },
      );
    },
    {
      timeoutMs: r.timeoutMs ?? 5000,
      retries: r.retries ?? 0,
      backoffMs: r.backoffMs ?? 100,
      maxBackoffMs: r.maxBackoffMs ?? 2000,
      breaker: {
        errorThresholdPercentage: cfg.breaker?.errorThresholdPercentage ?? 50,
        volumeThreshold: cfg.breaker?.volumeThreshold ?? 5,
        resetTimeoutMs: cfg.breaker?.resetTimeoutMs ?? 10_000,
        rollingCountTimeoutMs: cfg.breaker?.rollingCountTimeoutMs ?? 10_000,
      },
      bulkhead: { maxInFlight: cfg.maxInFlight },
    },
    {
      onStateChange: (ep, state) => {
        metrics.breakerState(ep, state);
        const level = state === 'open' ? 'warn' : 'info';
        log[level]({ endpoint: ep, breaker: state }, `breaker ${state}`);
      },
      onInFlight: (_ep, n) => setInFlight(n),
    },
  );
  metrics.breakerState(name, 'closed');
  let closed = false;
  return {
    name,
    adapter: cfg.adapter,
    outbound,
    verifyReplyWith: cfg.verifyReplyWith,
    call: (msg, ex, o) =>
      call.call(
        { msg, ex },
        {
          deadline: ex.deadline,
          timeoutMs: o.timeoutMs,
          idempotent: o.idempotent,
          retries: o.retries,
        },
      ),
    state: () => call.state(),
    inFlight: () => call.inFlight(),
    // An open breaker is reported, not counted against readiness: every
    // instance sees the same provider, and taking them all out of the load
    // balancer would also stop the routes that do not use it.
    health: () => {
      const own = closed ? { ok: false } : (outbound.health?.() ?? { ok: true });
      return {
        ok: own.ok,
        detail: { ...own.detail, breaker: call.state(), inFlight: call.inFlight() },
      };
    },
    close: async () => {
      closed = true;
      call.shutdown();
      await outbound.close();
    },
  };
}
