import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { xsdOffloadStats } from '../xml/xsd-offload.js';

export interface RouteMetrics {
  observe(code: string, ms: number): void;
  inFlight(delta: number): void;
}

const BREAKER_VALUE = { closed: 0, halfOpen: 1, open: 2 } as const;

/**
 * Prometheus metrics. Label children are resolved once per route (and per
 * code on first use), not looked up per request.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'lienthong_requests_total',
    help: 'Exchanges by route and outcome code (OK or an LT_* code)',
    labelNames: ['route', 'code'],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'lienthong_errors_total',
    help: 'Failed exchanges by route and error code',
    labelNames: ['route', 'code'],
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'lienthong_request_duration_seconds',
    help: 'Exchange latency through the whole pipeline, per route',
    labelNames: ['route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly routeInFlight = new Gauge({
    name: 'lienthong_route_in_flight',
    help: 'Exchanges in progress per route',
    labelNames: ['route'],
    registers: [this.registry],
  });
  private readonly breaker = new Gauge({
    name: 'lienthong_breaker_state',
    help: 'Circuit breaker state per outbound endpoint (0 closed, 1 half-open, 2 open)',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  private readonly breakerTransitions = new Counter({
    name: 'lienthong_breaker_transitions_total',
    help: 'Breaker state changes per endpoint',
    labelNames: ['endpoint', 'state'],
    registers: [this.registry],
  });
  private readonly endpointInFlightGauge = new Gauge({
    name: 'lienthong_endpoint_in_flight',
    help: 'Requests in flight per outbound endpoint (bulkhead occupancy)',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  private readonly contractViolations = new Counter({
    name: 'lienthong_contract_violations_total',
    help: 'Provider replies that violated the contract on routes with strictResponse: false',
    labelNames: ['route'],
    registers: [this.registry],
  });

  private readonly xsdWorker = new Gauge({
    name: 'lienthong_xsd_worker_validations',
    help: 'XSD validations since start by where they were answered: worker-valid, main-thread (invalid, or the worker could not answer), worker-failures',
    labelNames: ['answer'],
    registers: [this.registry],
    collect() {
      const s = xsdOffloadStats();
      this.labels('worker-valid').set(s.valid);
      this.labels('main-thread').set(s.offloaded - s.valid);
      this.labels('worker-failures').set(s.workerFailures);
    },
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'lienthong_' });
  }

  forRoute(route: string): RouteMetrics {
    const hist = this.duration.labels(route);
    const gauge = this.routeInFlight.labels(route);
    const byCode = new Map<
      string,
      { req: ReturnType<Counter['labels']>; err?: ReturnType<Counter['labels']> }
    >();
    return {
      observe: (code, ms) => {
        let c = byCode.get(code);
        if (!c) {
          c = {
            req: this.requests.labels(route, code),
            err: code === 'OK' ? undefined : this.errors.labels(route, code),
          };
          byCode.set(code, c);
        }
        c.req.inc();
        c.err?.inc();
        hist.observe(ms / 1000);
      },
      inFlight: (d) => gauge.inc(d),
    };
  }

  breakerState(endpoint: string, state: keyof typeof BREAKER_VALUE): void {
    this.breaker.labels(endpoint).set(BREAKER_VALUE[state]);
    this.breakerTransitions.labels(endpoint, state).inc();
  }

  /** A setter bound to the endpoint's gauge child: called twice per outbound call. */
  endpointInFlight(endpoint: string): (n: number) => void {
    const child = this.endpointInFlightGauge.labels(endpoint);
    return (n) => child.set(n);
  }

  contractViolation(route: string): void {
    this.contractViolations.labels(route).inc();
  }
}
