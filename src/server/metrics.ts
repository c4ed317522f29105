import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { cryptoOffloadStats } from '../security/offload.js';
import { xsdOffloadStats } from '../xml/xsd-offload.js';
import { registerQueueMetrics } from '../queue/metrics.js';

export interface RouteMetrics {
  observe(code: string, ms: number): void;
  inFlight(delta: number): void;
}

/** Where a request was refused before a route's pipeline ran (lienthong_refusals_total). */
export type RefusalStage = 'http-parser' | 'pre-route' | 'token';

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

  // A counter (the totals only grow), read from the offload's own tallies at scrape time.
  private readonly xsdWorker = new Counter({
    name: 'lienthong_xsd_worker_validations_total',
    help: 'XSD validations since start by where they were answered: worker-valid, main-thread (invalid, or the worker could not answer), worker-failures',
    labelNames: ['answer'],
    registers: [this.registry],
    collect() {
      const s = xsdOffloadStats();
      this.reset();
      this.labels('worker-valid').inc(s.valid);
      this.labels('main-thread').inc(s.offloaded - s.valid);
      this.labels('worker-failures').inc(s.workerFailures);
    },
  });
  private readonly cryptoOffload = new Counter({
    name: 'lienthong_crypto_operations_total',
    help: 'ES256 signatures and verifications of exchanges by where they ran: pool (libuv thread pool, other exchanges in flight) or inline (a lone exchange)',
    labelNames: ['where'],
    registers: [this.registry],
    collect() {
      const s = cryptoOffloadStats();
      this.reset();
      this.labels('pool').inc(s.pool);
      this.labels('inline').inc(s.inline);
    },
  });
  private readonly upstreamDuration = new Histogram({
    name: 'lienthong_upstream_request_duration_seconds',
    help: 'One attempt at a provider, per outbound endpoint and outcome (OK or an LT_* code)',
    labelNames: ['endpoint', 'outcome'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly tokensIssued = new Counter({
    name: 'lienthong_tokens_issued_total',
    help: 'Access tokens issued at /token, per client',
    labelNames: ['client'],
    registers: [this.registry],
  });
  private readonly tokenFailures = new Counter({
    name: 'lienthong_token_failures_total',
    help: 'Refused /token requests by error code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: 'lienthong_refusals_total',
    help: 'Requests refused before any route pipeline ran, by code and stage (http-parser: Node refused the bytes; pre-route: fastify or an inbound adapter refused them; token: /token)',
    labelNames: ['code', 'stage'],
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false)
      collectDefaultMetrics({ register: this.registry, prefix: 'lienthong_' });
    // Queue consumers' and publishers' counts (src/queue/metrics.ts).
    registerQueueMetrics(this.registry);
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

  /** Times one provider attempt: a function to call with its outcome when it settles. */
  upstream(endpoint: string): (outcome: string, ms: number) => void {
    const byOutcome = new Map<string, ReturnType<Histogram['labels']>>();
    return (outcome, ms) => {
      let h = byOutcome.get(outcome);
      if (!h) byOutcome.set(outcome, (h = this.upstreamDuration.labels(endpoint, outcome)));
      h.observe(ms / 1000);
    };
  }

  tokenIssued(client: string): void {
    this.tokensIssued.labels(client).inc();
  }

  tokenFailed(code: string): void {
    this.tokenFailures.labels(code).inc();
  }

  refused(code: string, stage: RefusalStage): void {
    this.refusals.labels(code, stage).inc();
  }

  contractViolation(route: string): void {
    this.contractViolations.labels(route).inc();
  }
}
