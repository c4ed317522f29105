import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../src/message/errors.js';
import { PendingReplies } from '../../src/queue/replies.js';
import type { HealthReport } from '../../src/adapter/spec.js';
import {
  type ConsumerHandle,
  type DeliveryHandler,
  type OutgoingMessage,
  type PublishTarget,
  type QueuedMessage,
  type QueuedReply,
  type QueueTransport,
  attemptOf,
} from '../../src/queue/transport.js';

/** Reply queues of requesters in this process. */
const REPLY_PREFIX = 'memq.reply.';

interface Stored {
  readonly msg: OutgoingMessage;
}

interface MemConsumer {
  readonly prefetch: number;
  readonly handler: DeliveryHandler;
  unacked: Set<Stored>;
  active: boolean;
}

interface MemQueue {
  readonly ready: Stored[];
  readonly consumers: MemConsumer[];
  next: number;
}

/**
 * An in-process broker with the behaviour the queue consumer relies on:
 * named queues, exchanges with exact-key bindings (the default exchange ''
 * routes to the queue named by the key), unroutable publishes refused, a
 * prefetch bound per consumer, delayed re-entry (the delay queues), and
 * unsettled deliveries returned to the queue when their consumer closes. One
 * per process (`MemoryBroker.shared`), so a gateway's publishing endpoints and
 * consuming routes meet. Nothing survives the process: for `npm start`,
 * demos and tests; production uses adapters/amqp.
 */
export class MemoryBroker implements QueueTransport {
  static readonly shared = new MemoryBroker();
  /** Messages a queue holds at most; a publish beyond it is refused (LT_QUEUE_NACKED), as RabbitMQ's reject-publish overflow. */
  static readonly MAX_LENGTH = 10_000;
  private readonly queues = new Map<string, MemQueue>();
  private readonly exchanges = new Map<string, Map<string, Set<string>>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly replies = new PendingReplies();
  private replyQueue?: string;

  declareQueue(name: string): void {
    if (!this.queues.has(name)) this.queues.set(name, { ready: [], consumers: [], next: 0 });
  }

  bind(exchange: string, queue: string, routingKey: string): void {
    this.declareQueue(queue);
    let byKey = this.exchanges.get(exchange);
    if (!byKey) this.exchanges.set(exchange, (byKey = new Map()));
    let qs = byKey.get(routingKey);
    if (!qs) byKey.set(routingKey, (qs = new Set()));
    qs.add(queue);
  }

  /** Messages waiting in a queue (not delivered), for tests and /readyz. */
  depth(queue: string): number {
    return this.queues.get(queue)?.ready.length ?? 0;
  }

  /** Takes the waiting messages out of a queue (tests; a dead-letter queue's reader). */
  drain(queue: string): OutgoingMessage[] {
    const q = this.queues.get(queue);
    return q ? q.ready.splice(0).map((s) => s.msg) : [];
  }

  async publish(target: PublishTarget, msg: OutgoingMessage, _deadline: number): Promise<void> {
    const queues =
      target.exchange === ''
        ? this.queues.has(target.routingKey)
          ? [target.routingKey]
          : []
        : [...(this.exchanges.get(target.exchange)?.get(target.routingKey) ?? [])];
    if (queues.length === 0) {
      throw new GatewayError(
        'LT_QUEUE_UNROUTABLE',
        `no queue is bound to exchange "${target.exchange}" with key "${target.routingKey}"`,
      );
    }
    const full = queues.find((q) => this.depth(q) >= MemoryBroker.MAX_LENGTH);
    if (full) {
      throw new GatewayError(
        'LT_QUEUE_NACKED',
        `queue "${full}" holds ${MemoryBroker.MAX_LENGTH} messages`,
      );
    }
    for (const q of queues) this.enqueue(q, msg);
  }

  isReplyAddress(replyTo: string): boolean {
    return replyTo.startsWith(REPLY_PREFIX);
  }

  async request(
    target: PublishTarget,
    msg: OutgoingMessage,
    deadline: number,
  ): Promise<QueuedReply> {
    if (!this.replyQueue) {
      const q = `${REPLY_PREFIX}${randomUUID()}`;
      this.declareQueue(q);
      await this.consume(q, 10_000, async (m, ctl) => {
        this.replies.settle(m.correlationId, m);
        await ctl.ack();
      });
      this.replyQueue = q;
    }
    const correlationId = randomUUID();
    const reply = this.replies.wait(correlationId, deadline);
    try {
      await this.publish(target, { ...msg, replyTo: this.replyQueue, correlationId }, deadline);
    } catch (err) {
      this.replies.cancel(correlationId);
      reply.catch(() => {});
      throw err;
    }
    return reply;
  }

  /** Puts a copy into `queue` after `ms` (what a TTL delay queue dead-lettering back does). */
  publishDelayed(queue: string, msg: OutgoingMessage, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.enqueue(queue, msg);
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private enqueue(queue: string, msg: OutgoingMessage): void {
    this.declareQueue(queue);
    this.queues.get(queue)!.ready.push({ msg });
    this.dispatch(queue);
  }

  async consume(
    queue: string,
    prefetch: number,
    handler: DeliveryHandler,
  ): Promise<ConsumerHandle> {
    this.declareQueue(queue);
    const q = this.queues.get(queue)!;
    const c: MemConsumer = { prefetch, handler, unacked: new Set(), active: true };
    q.consumers.push(c);
    this.dispatch(queue);
    const remove = () => {
      c.active = false;
      const i = q.consumers.indexOf(c);
      if (i >= 0) q.consumers.splice(i, 1);
    };
    return {
      consuming: () => c.active,
      cancel: async () => remove(),
      close: async () => {
        remove();
        // What the consumer took and did not settle goes back, first in line.
        q.ready.unshift(...c.unacked);
        c.unacked.clear();
        this.dispatch(queue);
      },
    };
  }

  private dispatch(queue: string): void {
    const q = this.queues.get(queue)!;
    while (q.ready.length > 0) {
      const free = q.consumers.filter((c) => c.active && c.unacked.size < c.prefetch);
      if (free.length === 0) return;
      const c = free[q.next++ % free.length];
      const s = q.ready.shift()!;
      c.unacked.add(s);
      void this.deliver(queue, c, s);
    }
  }

  private async deliver(queue: string, c: MemConsumer, s: Stored): Promise<void> {
    const m = s.msg;
    const headers = { ...m.headers };
    const { attempt, history } = attemptOf(headers);
    const delivery: QueuedMessage = {
      id: m.id,
      body: m.body,
      contentType: m.contentType,
      headers,
      attempt,
      history,
      replyTo: m.replyTo,
      correlationId: m.correlationId,
    };
    let settled = false;
    const settle = (then?: () => void) => {
      // Settling twice, or after the consumer closed and the message went back, is a no-op.
      if (settled || !c.unacked.delete(s)) return;
      settled = true;
      then?.();
      this.dispatch(queue);
    };
    await c.handler(delivery, {
      ack: async () => settle(),
      retryLater: async (ms, h) =>
        settle(() => this.publishDelayed(queue, { ...m, headers: { ...m.headers, ...h } }, ms)),
      deadLetter: async (h) =>
        settle(() => this.enqueueDead(queue, { ...m, headers: { ...m.headers, ...h } })),
    });
  }

  private readonly deadLetterQueues = new Map<string, string>();

  /** Where a queue's dead letters go (the binding's deadLetterQueue). */
  setDeadLetterQueue(queue: string, dlq: string): void {
    this.deadLetterQueues.set(queue, dlq);
    this.declareQueue(dlq);
  }

  private enqueueDead(queue: string, msg: OutgoingMessage): void {
    const dlq = this.deadLetterQueues.get(queue) ?? `${queue}.dlq`;
    this.declareQueue(dlq);
    this.queues.get(dlq)!.ready.push({ msg });
    this.dispatch(dlq);
  }

  health(): HealthReport {
    return { ok: true, detail: { broker: 'memory' } };
  }
}
