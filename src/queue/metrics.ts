import { Counter, Gauge, Histogram, type Metric, type Registry } from 'prom-client';

/**
 * Per-queue metrics of consumers and publishers, one set per process
 * (several gateways in one test process share them). The gateway's
 * /metrics registry takes them in (`registerQueueMetrics`, called by
 * src/server/metrics.ts); /readyz shows each consumer's counts too.
 */
const consumed = new Counter({
  name: 'lienthong_queue_consumed_total',
  help: 'Deliveries taken from a queue',
  labelNames: ['queue'],
  registers: [],
});
const acked = new Counter({
  name: 'lienthong_queue_acked_total',
  help: 'Deliveries processed by their route and acknowledged',
  labelNames: ['queue'],
  registers: [],
});
const retried = new Counter({
  name: 'lienthong_queue_retried_total',
  help: 'Deliveries parked in a delay queue for a later attempt',
  labelNames: ['queue'],
  registers: [],
});
const deadLettered = new Counter({
  name: 'lienthong_queue_dead_lettered_total',
  help: 'Deliveries moved to the dead-letter queue',
  labelNames: ['queue'],
  registers: [],
});
const duplicates = new Counter({
  name: 'lienthong_queue_duplicates_total',
  help: 'Redeliveries of an already processed message id, acknowledged without running the route',
  labelNames: ['queue'],
  registers: [],
});
const inFlight = new Gauge({
  name: 'lienthong_queue_in_flight',
  help: 'Deliveries being processed',
  labelNames: ['queue'],
  registers: [],
});
const confirmSeconds = new Histogram({
  name: 'lienthong_queue_publish_confirm_seconds',
  help: 'Time from publish to the broker’s confirm, per exchange',
  labelNames: ['exchange'],
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  registers: [],
});

const ALL = [
  consumed,
  acked,
  retried,
  deadLettered,
  duplicates,
  inFlight,
  confirmSeconds,
] as Metric[];

export function registerQueueMetrics(registry: Registry): void {
  for (const m of ALL) registry.registerMetric(m);
}

/** Counters of one queue, with a process-local copy for /readyz. */
export class QueueStats {
  private static readonly byQueue = new Map<string, QueueStats>();
  private readonly counts = { consumed: 0, acked: 0, retried: 0, deadLettered: 0, duplicates: 0 };
  private inFlightNow = 0;

  static for(queue: string): QueueStats {
    let s = QueueStats.byQueue.get(queue);
    if (!s) QueueStats.byQueue.set(queue, (s = new QueueStats(queue)));
    return s;
  }

  readonly consumed;
  readonly acked;
  readonly retried;
  readonly deadLettered;
  readonly duplicates;
  readonly inFlight;

  private constructor(private readonly queue: string) {
    this.consumed = this.counter(consumed, 'consumed');
    this.acked = this.counter(acked, 'acked');
    this.retried = this.counter(retried, 'retried');
    this.deadLettered = this.counter(deadLettered, 'deadLettered');
    this.duplicates = this.counter(duplicates, 'duplicates');
    const gauge = inFlight.labels(queue);
    this.inFlight = {
      inc: () => {
        gauge.inc();
        this.inFlightNow++;
      },
      dec: () => {
        gauge.dec();
        this.inFlightNow--;
      },
    };
  }

  private counter(c: Counter<'queue'>, key: keyof QueueStats['counts']) {
    const child = c.labels(this.queue);
    return {
      inc: () => {
        child.inc();
        this.counts[key]++;
      },
    };
  }

  snapshot(): Record<string, number> {
    return { ...this.counts, inFlight: this.inFlightNow };
  }
}

/** Records one publish's confirm latency. */
export function observeConfirm(exchange: string, ms: number): void {
  confirmSeconds.labels(exchange || '(default)').observe(ms / 1000);
}
