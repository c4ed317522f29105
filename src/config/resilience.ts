import type { Static } from '@sinclair/typebox';
import { RESILIENCE_SCHEMA_DEFAULTS } from './defaults.js';
import type { BreakerSchema, ResilienceSchema, RouteDef, RouteResilienceSchema } from './schema.js';

/** Timeout and retries of a provider call, every field set. */
export type ResiliencePolicy = Static<typeof ResilienceSchema>;
export type RouteResilience = Static<typeof RouteResilienceSchema>;
export type BreakerPolicy = Static<typeof BreakerSchema>;

/**
 * A route's policy: what the route sets, over its endpoint's policy (which
 * the loader filled from the schema's defaults). Called once per route at
 * start-up; a field the route leaves out is the endpoint's.
 */
export function routeResilience(
  endpoint: ResiliencePolicy,
  route: RouteResilience | undefined,
): ResiliencePolicy {
  const out = { ...endpoint };
  for (const [k, v] of Object.entries(route ?? {}) as [keyof ResiliencePolicy, number][])
    if (v !== undefined) out[k] = v;
  return out;
}

/**
 * The deadline of a whole exchange on this route: every attempt's timeout,
 * plus a second for the stages around the call. Retries whose backoff would
 * end past it are not made.
 */
export function exchangeBudgetMs(p: ResiliencePolicy): number {
  return p.timeoutMs * (p.retries + 1) + 1000;
}

/** The policy of the route's endpoint (schema defaults when it has none, e.g. in unit tests). */
export function policyOf(
  def: RouteDef,
  endpoints: ReadonlyMap<string, { readonly resilience?: ResiliencePolicy }>,
): ResiliencePolicy {
  return routeResilience(
    endpoints.get(def.to.endpoint)?.resilience ?? RESILIENCE_SCHEMA_DEFAULTS,
    def.resilience,
  );
}
