import type { ChannelModel } from 'amqplib';
import { delayQueueOf } from '../../src/queue/schema.js';

export type QueueType = 'quorum' | 'classic';
export type ExchangeType = 'direct' | 'topic' | 'fanout' | 'headers';

export interface ExchangeDecl {
  readonly name: string;
  readonly type: ExchangeType;
}

export interface QueueDecl {
  readonly name: string;
  readonly type: QueueType;
  /** x-message-ttl plus dead-lettering back to `deadLetterTo` (a delay queue). */
  readonly ttlMs?: number;
  readonly deadLetterTo?: string;
}

export interface BindingDecl {
  readonly exchange: string;
  readonly queue: string;
  readonly routingKey: string;
}

/** What one binding or endpoint needs to exist on the broker. */
export interface Topology {
  readonly exchanges: readonly ExchangeDecl[];
  readonly queues: readonly QueueDecl[];
  readonly bindings: readonly BindingDecl[];
}

/**
 * A consumed queue's topology: the queue, its dead-letter queue, one delay
 * queue per retry delay (TTL, then dead-lettered by the broker back into the
 * queue through the default exchange), and its bindings.
 */
export function consumerTopology(b: {
  queue: string;
  queueType: QueueType;
  deadLetterQueue: string;
  delaysMs: readonly number[];
  bind: readonly { exchange: string; exchangeType: ExchangeType; routingKey: string }[];
}): Topology {
  return {
    exchanges: b.bind.map((x) => ({ name: x.exchange, type: x.exchangeType })),
    queues: [
      { name: b.queue, type: b.queueType },
      { name: b.deadLetterQueue, type: b.queueType },
      ...[...new Set(b.delaysMs)].map((ms) => ({
        name: delayQueueOf(b.queue, ms),
        type: b.queueType,
        ttlMs: ms,
        deadLetterTo: b.queue,
      })),
    ],
    bindings: b.bind.map((x) => ({
      exchange: x.exchange,
      queue: b.queue,
      routingKey: x.routingKey,
    })),
  };
}

/** The queue arguments RabbitMQ gets (and definitions.json carries). */
export function queueArguments(q: QueueDecl): Record<string, unknown> {
  const args: Record<string, unknown> = { 'x-queue-type': q.type };
  if (q.ttlMs !== undefined) {
    args['x-message-ttl'] = q.ttlMs;
    args['x-dead-letter-exchange'] = '';
    args['x-dead-letter-routing-key'] = q.deadLetterTo;
  }
  return args;
}

/**
 * Declares a topology (idempotent; run on every connection). A queue that
 * exists with other arguments fails the declaration (PRECONDITION_FAILED):
 * the connection attempt fails and /readyz shows why.
 */
export async function declare(conn: ChannelModel, t: Topology): Promise<void> {
  const ch = await conn.createChannel();
  try {
    for (const x of t.exchanges) {
      if (x.name !== '') await ch.assertExchange(x.name, x.type, { durable: true });
    }
    for (const q of t.queues) {
      await ch.assertQueue(q.name, { durable: true, arguments: queueArguments(q) });
    }
    for (const b of t.bindings) await ch.bindQueue(b.queue, b.exchange, b.routingKey);
  } finally {
    await ch.close().catch(() => {});
  }
}

/**
 * RabbitMQ definitions (the format `rabbitmqctl import_definitions` and the
 * management plugin load) for topologies, for operators who pre-provision:
 * deploy/rabbitmq/definitions.json is this for the example configuration.
 */
export function definitionsOf(ts: readonly Topology[], vhost = '/'): Record<string, unknown> {
  const exchanges = new Map<string, ExchangeDecl>();
  const queues = new Map<string, QueueDecl>();
  const bindings = new Map<string, BindingDecl>();
  for (const t of ts) {
    for (const x of t.exchanges) if (x.name !== '') exchanges.set(x.name, x);
    for (const q of t.queues) queues.set(q.name, q);
    for (const b of t.bindings)
      bindings.set(`${b.exchange}\u0000${b.queue}\u0000${b.routingKey}`, b);
  }
  const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);
  return {
    vhosts: [{ name: vhost }],
    exchanges: [...exchanges.values()].sort(byName).map((x) => ({
      name: x.name,
      vhost,
      type: x.type,
      durable: true,
      auto_delete: false,
      internal: false,
      arguments: {},
    })),
    queues: [...queues.values()].sort(byName).map((q) => ({
      name: q.name,
      vhost,
      durable: true,
      auto_delete: false,
      arguments: queueArguments(q),
    })),
    bindings: [...bindings.values()]
      .sort((a, b) =>
        `${a.exchange} ${a.queue} ${a.routingKey}`.localeCompare(
          `${b.exchange} ${b.queue} ${b.routingKey}`,
        ),
      )
      .map((b) => ({
        source: b.exchange,
        vhost,
        destination: b.queue,
        destination_type: 'queue',
        routing_key: b.routingKey,
        arguments: {},
      })),
  };
}
