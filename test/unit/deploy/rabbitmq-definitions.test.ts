import { describe, expect, it } from '@jest/globals';
import { Value } from '@sinclair/typebox/value';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AmqpEndpointSchema,
  AmqpInboundSchema,
  bindingTopology,
  endpointTopology,
  type AmqpEndpoint,
  type AmqpInbound,
} from '../../../adapters/amqp/index.js';
import { definitionsOf } from '../../../adapters/amqp/topology.js';
import { loadConfig } from '../../../src/config/load.js';
import { ROOT } from '../../helpers/paths.js';

/**
 * deploy/rabbitmq/definitions.json pre-provisions, on RabbitMQ, the topology
 * the example configuration declares at start-up once its queues move from
 * memq to amqp (the same options; README "Moving to RabbitMQ"): it must
 * parse and be exactly what the gateway would declare.
 */
const URL_ = 'amqp://broker.example:5672';

describe('deploy/rabbitmq/definitions.json', () => {
  it('parses and matches the topology of the example configuration', () => {
    const file = JSON.parse(readFileSync(join(ROOT, 'deploy/rabbitmq/definitions.json'), 'utf8'));
    const { config, routes } = loadConfig({ file: join(ROOT, 'lienthong.yaml'), env: {} });
    const queued = routes
      .map((r) => r.def.from)
      .filter((f) => f.adapter === 'memq' || f.adapter === 'amqp');
    expect(queued.length).toBeGreaterThan(0);
    const fromRoutes = queued.map((f) =>
      bindingTopology(
        Value.Default(AmqpInboundSchema, {
          ...structuredClone(f),
          adapter: 'amqp',
          urls: [URL_],
        }) as AmqpInbound,
      ),
    );
    const fromEndpoints = Object.values(config.endpoints)
      .filter((e) => e.adapter === 'memq' || e.adapter === 'amqp')
      .map((e) => {
        const o = structuredClone(e.options) as Record<string, unknown>;
        if (e.adapter === 'memq')
          o.queues = ((o.queues as string[]) ?? []).map((name) => ({ name }));
        return endpointTopology(Value.Default(AmqpEndpointSchema, o) as AmqpEndpoint);
      });
    expect(file).toEqual(definitionsOf([...fromRoutes, ...fromEndpoints]));
    // What an operator looks for first: quorum queues, delay queues that dead-letter back.
    const q = (name: string) => file.queues.find((x: { name: string }) => x.name === name);
    expect(q('notices.in').arguments).toEqual({ 'x-queue-type': 'quorum' });
    expect(q('notices.in.delay.5000').arguments).toMatchObject({
      'x-message-ttl': 5000,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'notices.in',
    });
  });
});
