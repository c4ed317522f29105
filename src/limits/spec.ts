import type { LimitSpec, LimitsConfig } from '../config/schema.js';
import { GatewayError } from '../message/errors.js';

/** A limit with its tier resolved into numbers; absent fields are unlimited. */
export interface ResolvedLimit {
  readonly perMinute?: number;
  readonly perDay?: number;
}

/**
 * A LimitSpec (from a client, a route, later a policy grant) as numbers: the
 * tier's fields, then the spec's own numbers over them. Undefined when it
 * limits nothing (no spec, or the Unlimited tier). An unknown tier is an
 * operator's mistake `lienthong check` reports; here it is LT_CONFIG_INVALID.
 */
export function resolveLimit(
  spec: LimitSpec | undefined,
  tiers: LimitsConfig['tiers'],
): ResolvedLimit | undefined {
  if (!spec) return undefined;
  let base: ResolvedLimit = {};
  if (spec.tier !== undefined) {
    if (!Object.prototype.hasOwnProperty.call(tiers, spec.tier))
      throw new GatewayError('LT_CONFIG_INVALID', `unknown limits tier "${spec.tier}"`);
    base = tiers[spec.tier];
  }
  const perMinute = spec.perMinute ?? base.perMinute;
  const perDay = spec.perDay ?? base.perDay;
  if (perMinute === undefined && perDay === undefined) return undefined;
  return { perMinute, perDay };
}
