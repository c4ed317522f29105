import type { Logger } from 'pino';
import type { PipelineMetrics } from './deps.js';
import type { PipelineHooks } from './hooks.js';

/** One info line per exchange (pino), subscribed to the end hook. */
export function logExchanges(hooks: PipelineHooks, log: Logger): void {
  hooks.onExchangeEnd((ex) => {
    log.info(
      {
        ex: ex.id,
        route: ex.routeId,
        client: ex.caller?.clientId || undefined,
        req: ex.requestId,
        trace: ex.trace?.traceId,
        code: ex.outcome?.code ?? 'LT_INTERNAL',
        ms: Math.round((ex.durationMs ?? 0) * 100) / 100,
      },
      'exchange',
    );
  });
}

/**
 * The per-route Prometheus series: in flight (start/end) and the outcome
 * with its latency (end). Each route's label children are resolved once.
 */
export function countExchanges(hooks: PipelineHooks, metrics: PipelineMetrics): void {
  const byRoute = new Map<string, ReturnType<PipelineMetrics['forRoute']>>();
  const of = (route: string) => {
    let m = byRoute.get(route);
    if (!m) byRoute.set(route, (m = metrics.forRoute(route)));
    return m;
  };
  hooks.onExchangeStart((ex) => of(ex.routeId).inFlight(1));
  hooks.onExchangeEnd((ex) => {
    const m = of(ex.routeId);
    m.inFlight(-1);
    m.observe(ex.outcome?.code ?? 'LT_INTERNAL', ex.durationMs ?? 0);
  });
}
