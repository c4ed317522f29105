import type { Logger } from 'pino';
import type { ClientConfig, LimitsConfig, RouteDef } from '../config/schema.js';
import type { Caller } from '../message/message.js';
import type { RequestLimits } from '../pipeline/deps.js';
import type { Store } from '../store/store.js';
import { QuotaCounters } from './quota.js';
import { RateLimiter } from './rate.js';
import { resolveLimit, type ResolvedLimit } from './spec.js';

/** One thing a request is counted against: a client, or a client on a route. */
interface Scope {
  key: string;
  label: string;
  limit: ResolvedLimit;
}

/**
 * Rates and daily quotas per client (`clients[].limits`, across its routes)
 * and per client on a route (`routes[].limits`, each client its own count).
 * Specs are resolved once; the limit stage asks `check` per request.
 *
 * Where the policy model's grants carry a LimitSpec (per client × service),
 * `scopesOf` gains a third scope keyed by the grant: the counting is the same.
 */
export class Limiter implements RequestLimits {
  private readonly byClient = new Map<string, ResolvedLimit>();
  private readonly byRoute = new Map<string, ResolvedLimit>();
  private readonly rates: RateLimiter;
  private readonly quotas: QuotaCounters;

  constructor(
    cfg: LimitsConfig,
    clients: readonly ClientConfig[],
    routes: readonly RouteDef[],
    store: Store,
    log?: Logger,
    now: () => number = Date.now,
  ) {
    for (const c of clients) {
      const l = resolveLimit(c.limits, cfg.tiers);
      if (l) this.byClient.set(c.id, l);
    }
    for (const r of routes) {
      const l = resolveLimit(r.limits, cfg.tiers);
      if (l) this.byRoute.set(r.id, l);
    }
    this.rates = new RateLimiter(cfg.maxKeys, now);
    this.quotas = new QuotaCounters(
      store,
      {
        batch: cfg.quotaBatch,
        syncMs: cfg.quotaSyncMs,
        dayOffsetMinutes: cfg.dayOffsetMinutes,
        maxKeys: cfg.maxKeys,
      },
      log,
      now,
    );
  }

  /** False when nothing limits this route's callers: the stage is left out. */
  applies(route: RouteDef): boolean {
    return this.byRoute.has(route.id) || this.byClient.size > 0;
  }

  check(
    route: RouteDef,
    caller: Caller,
  ): Record<string, unknown> | undefined | Promise<Record<string, unknown>> {
    const scopes = this.scopesOf(route, caller);
    if (!scopes.length) return undefined;
    const rates = scopes.flatMap((s) =>
      s.limit.perMinute ? [{ key: s.key, label: s.label, perMinute: s.limit.perMinute }] : [],
    );
    if (rates.length) this.rates.take(rates);
    const days = scopes.flatMap((s) =>
      s.limit.perDay ? [{ key: s.key, label: s.label, perDay: s.limit.perDay }] : [],
    );
    const saw = { limited: scopes.map((s) => s.label) };
    // Rates alone answer synchronously (the pipeline then skips an await).
    return days.length ? this.quotas.take(days).then(() => saw) : saw;
  }

  private scopesOf(route: RouteDef, caller: Caller): Scope[] {
    const out: Scope[] = [];
    const client = this.byClient.get(caller.clientId);
    if (client)
      out.push({
        key: `c:${caller.clientId}`,
        label: `client "${caller.clientId}"`,
        limit: client,
      });
    const onRoute = this.byRoute.get(route.id);
    if (onRoute)
      out.push({
        key: `c:${caller.clientId}|r:${route.id}`,
        label: `client "${caller.clientId}" on route "${route.id}"`,
        limit: onRoute,
      });
    return out;
  }

  /** Reports every quota count this instance holds (shutdown, tests). */
  flush(): Promise<void> {
    return this.quotas.flush();
  }

  close(): void {
    this.quotas.close();
  }
}
