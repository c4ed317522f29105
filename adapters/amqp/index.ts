import { Type, type Static } from '@sinclair/typebox';
import type { Logger } from 'pino';
import { defineAdapter, type InboundBinding } from '../../src/adapter/spec.js';
import { queueBinding } from '../../src/queue/consumer.js';
import { queueOutbound } from '../../src/queue/publisher.js';
import {
  QUEUE_NAME_PATTERN,
  checkRetry,
  consumerFields,
  dlqOf,
  publisherFields,
} from '../../src/queue/schema.js';
import { BrokerConnection, type ConnectionOptions } from './connection.js';
import { consumerTopology, declare, type Topology } from './topology.js';
import { AmqpTransport, Publisher } from './transport.js';

const QueueType = Type.Union([Type.Literal('quorum'), Type.Literal('classic')], {
  default: 'quorum',
  description: 'quorum: RabbitMQ’s replicated, durable queue type; classic when asked',
});
const ExchangeType = Type.Union(
  [Type.Literal('direct'), Type.Literal('topic'), Type.Literal('fanout'), Type.Literal('headers')],
  { default: 'direct', description: 'Exchange type, declared durable' },
);
const Url = Type.String({ pattern: '^amqps?://', description: 'amqp:// or amqps:// URL' });

const connectionFields = {
  reconnect: Type.Object(
    {
      baseMs: Type.Integer({
        minimum: 10,
        default: 200,
        description: 'First reconnect delay ceiling',
      }),
      maxMs: Type.Integer({
        minimum: 10,
        default: 15_000,
        description: 'Largest reconnect delay ceiling',
      }),
    },
    {
      additionalProperties: false,
      default: {},
      description: 'Reconnect with exponential backoff and full jitter',
    },
  ),
  publishBuffer: Type.Integer({
    minimum: 0,
    maximum: 100_000,
    default: 1000,
    description:
      'Publishes that wait for the broker while it is unreachable (within the route’s deadline); more are refused with LT_QUEUE_BUFFER_FULL',
  }),
};

export const AmqpInboundSchema = Type.Object(
  {
    adapter: Type.Literal('amqp', { description: 'A RabbitMQ queue (amqplib)' }),
    urls: Type.Array(Url, {
      minItems: 1,
      description: 'Broker URLs (cluster nodes, tried in turn)',
    }),
    ...consumerFields,
    queueType: QueueType,
    bind: Type.Array(
      Type.Object(
        {
          exchange: Type.String({ minLength: 1, description: 'Exchange, declared at start' }),
          exchangeType: ExchangeType,
          routingKey: Type.String({ default: '', description: 'Binding key' }),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'Exchanges whose messages reach the queue' },
    ),
    ...connectionFields,
  },
  { additionalProperties: false },
);
export type AmqpInbound = Static<typeof AmqpInboundSchema>;

export const AmqpEndpointSchema = Type.Object(
  {
    urls: Type.Array(Url, {
      default: [],
      description: 'Further cluster nodes, tried after the endpoint’s url',
    }),
    ...publisherFields,
    exchangeType: ExchangeType,
    queues: Type.Array(
      Type.Object(
        {
          name: Type.String({ pattern: QUEUE_NAME_PATTERN, description: 'Queue to declare' }),
          type: QueueType,
          routingKey: Type.String({
            default: '',
            description: 'Bound to the exchange with this key',
          }),
        },
        { additionalProperties: false },
      ),
      {
        default: [],
        description:
          'Queues declared and bound at start, so publishes are routable before any consumer runs',
      },
    ),
    ...connectionFields,
  },
  { additionalProperties: false },
);
export type AmqpEndpoint = Static<typeof AmqpEndpointSchema>;

/**
 * Connections shared by every binding and endpoint that name the same
 * broker URLs in this process; opened at the first start, closed with the
 * last user.
 */
const shared = new Map<string, { conn: BrokerConnection; publisher: Publisher }>();

function connectionFor(opts: ConnectionOptions, log: Logger) {
  const key = opts.urls.join(' ');
  let c = shared.get(key);
  if (!c) {
    const conn = new BrokerConnection(opts, log.child({ component: 'amqp' }));
    c = { conn, publisher: new Publisher(conn) };
    shared.set(key, c);
  }
  return c;
}

function acquire(c: { conn: BrokerConnection }, topology: Topology): () => Promise<void> {
  c.conn.refs++;
  const off = c.conn.onUp((conn) => declare(conn, topology));
  c.conn.start();
  return async () => {
    off();
    if (--c.conn.refs === 0) {
      for (const [k, v] of shared) if (v.conn === c.conn) shared.delete(k);
      await c.conn.close();
    }
  };
}

export function endpointTopology(o: AmqpEndpoint): Topology {
  return {
    exchanges: o.exchange === '' ? [] : [{ name: o.exchange, type: o.exchangeType }],
    queues: o.queues.map((q) => ({ name: q.name, type: q.type })),
    bindings:
      o.exchange === ''
        ? []
        : o.queues.map((q) => ({ exchange: o.exchange, queue: q.name, routingKey: q.routingKey })),
  };
}

export function bindingTopology(b: AmqpInbound): Topology {
  return consumerTopology({
    queue: b.queue,
    queueType: b.queueType,
    deadLetterQueue: dlqOf(b),
    delaysMs: b.retry.delaysMs,
    bind: b.bind,
  });
}

/** RabbitMQ through amqplib: queue-fed routes and routes that publish to an exchange. */
export default defineAdapter({
  name: 'amqp',
  description:
    'RabbitMQ (AMQP 0-9-1): routes fed from a queue with retries, dead letters and exactly-once processing; publishing with confirms as CloudEvents',
  inboundSchema: AmqpInboundSchema,
  endpointSchema: AmqpEndpointSchema,
  inbound: {
    kind: 'background',
    create([{ binding, route }], ctx): InboundBinding {
      const c = connectionFor(binding, ctx.log);
      const transport = new AmqpTransport(
        c.conn,
        c.publisher,
        { deadLetterQueue: dlqOf(binding) },
        ctx.log,
      );
      const inner = queueBinding(`amqp ${binding.queue}`, route, binding, transport, ctx);
      let release: (() => Promise<void>) | undefined;
      return {
        name: inner.name,
        async start() {
          release = acquire(c, bindingTopology(binding));
          await inner.start();
        },
        async stop(deadline) {
          await inner.stop(deadline);
          await release?.();
          release = undefined;
        },
        health: () => inner.health(),
      };
    },
  },
  checkBinding: (b) => checkRetry(b.retry),
  checkEndpoint: (_o, url) =>
    url === undefined || /^amqps?:\/\//.test(url)
      ? []
      : ['an amqp endpoint needs an amqp:// or amqps:// url'],
  bindingKey: (b) => `amqp queue ${b.urls[0]} ${b.queue}`,
  outbound(options, ctx) {
    const c = connectionFor({ ...options, urls: [ctx.url, ...options.urls] }, ctx.log);
    const release = acquire(c, endpointTopology(options));
    return queueOutbound(options, c.publisher, release);
  },
});
