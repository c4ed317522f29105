import { Type } from '@sinclair/typebox';
import { defineAdapter } from '../../src/adapter/spec.js';
import { queueBinding } from '../../src/queue/consumer.js';
import { queueOutbound } from '../../src/queue/publisher.js';
import {
  checkRetry,
  consumerFields,
  dlqOf,
  publisherFields,
  QUEUE_NAME_PATTERN,
} from '../../src/queue/schema.js';
import { MemoryBroker } from './broker.js';

const BindSchema = Type.Array(
  Type.Object(
    {
      exchange: Type.String({ minLength: 1, description: 'Exchange to bind the queue to' }),
      routingKey: Type.String({ default: '', description: 'Exact routing key' }),
    },
    { additionalProperties: false },
  ),
  { default: [], description: 'Exchanges whose messages reach the queue' },
);

export const MemqInboundSchema = Type.Object(
  {
    adapter: Type.Literal('memq', { description: 'An in-memory queue (this process only)' }),
    ...consumerFields,
    bind: BindSchema,
  },
  { additionalProperties: false },
);

export const MemqEndpointSchema = Type.Object(
  {
    ...publisherFields,
    queues: Type.Array(Type.String({ pattern: QUEUE_NAME_PATTERN }), {
      default: [],
      description:
        'Queues declared (and bound to the exchange with the routing key) at start, so publishes are routable before any consumer runs',
    }),
  },
  { additionalProperties: false },
);

/**
 * The in-memory transport: the same consumer (retries, dead letters,
 * exactly once) and publisher as adapters/amqp over a broker in this process,
 * for the default `npm start` and tests. Endpoint url: `memq://local`.
 */
export default defineAdapter({
  name: 'memq',
  description:
    'In-memory message queues with the RabbitMQ adapter’s behaviour (retries, dead letters, exactly once); nothing survives a restart',
  inboundSchema: MemqInboundSchema,
  endpointSchema: MemqEndpointSchema,
  inbound: {
    kind: 'background',
    create([{ binding, route }], ctx) {
      const broker = MemoryBroker.shared;
      // Declared at once (nothing to release): a publishing endpoint may route to it before start.
      broker.declareQueue(binding.queue);
      broker.setDeadLetterQueue(binding.queue, dlqOf(binding));
      for (const b of binding.bind) broker.bind(b.exchange, binding.queue, b.routingKey);
      return queueBinding(`memq ${binding.queue}`, route, binding, broker, ctx);
    },
  },
  checkBinding: (b) => checkRetry(b.retry),
  checkEndpoint: (_o, url) =>
    url === undefined || url === 'memq://local' ? [] : ['a memq endpoint’s url is memq://local'],
  bindingKey: (b) => `memq queue ${b.queue}`,
  outbound(options) {
    const broker = MemoryBroker.shared;
    for (const q of options.queues) {
      if (options.exchange === '') broker.declareQueue(q);
      else broker.bind(options.exchange, q, options.routingKey);
    }
    return queueOutbound(options, broker, async () => {});
  },
});
