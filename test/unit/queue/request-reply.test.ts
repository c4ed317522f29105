import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { demoToken, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { MemoryBroker } from '../../../adapters/memq/broker.js';
import { QueueStats } from '../../../src/queue/metrics.js';
import { routesDir, until } from '../../helpers/queue.js';

const broker = MemoryBroker.shared;

/**
 * Request/reply over a queue (`requestReply: true`, issue 18), on memq: an
 * HTTP route publishes with a reply-to address and answers its caller with
 * the reply of the queue-fed route behind (which calls the test provider);
 * a refusal there comes back as its code, not as a timeout.
 */
const run = randomUUID().slice(0, 8);
const askQ = `rr.${run}.ask`;
let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway({
    routesDir: routesDir([
      {
        id: 'ask',
        from: { adapter: 'http', method: 'POST', path: '/t/ask' },
        to: { endpoint: 'asker' },
        service: 'test.Ask',
        resilience: { timeoutMs: 3000 },
      },
      {
        id: 'answer',
        from: { adapter: 'memq', queue: askQ },
        to: { endpoint: 'test-provider' },
        service: 'test.Answer',
        contract: 'local/connection-test',
        auth: 'none',
      },
    ]),
    endpoints: {
      asker: {
        adapter: 'memq',
        url: 'memq://local',
        options: { exchange: '', routingKey: askQ, requestReply: true, queues: [askQ] },
      },
    },
  });
});
afterAll(async () => {
  await gw?.stop();
});

async function ask(body: unknown) {
  const res = await fetch(`${gw.url}/t/ask`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await demoToken(gw.url)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('request/reply over a queue (memq)', () => {
  it('the caller gets the reply of the queue-fed route behind', async () => {
    const r = await ask({ message: 'xin chao', reference: 'rr-1' });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).toContain('xin chao');
    expect(r.body.messageId).toBeUndefined();
  });

  it('a reply-to that is not a requester’s reply address gets no reply (no publishing into a queue of the producer’s choosing)', async () => {
    const victim = `rr.${run}.victim`;
    broker.declareQueue(victim);
    const before = QueueStats.for(askQ).snapshot().acked;
    await broker.publish(
      { exchange: '', routingKey: askQ },
      {
        id: randomUUID(),
        body: Buffer.from(JSON.stringify({ message: 'x' })),
        contentType: 'application/json',
        headers: {},
        replyTo: victim,
        correlationId: 'c1',
      },
      Date.now() + 1000,
    );
    await until('the message processed', () => QueueStats.for(askQ).snapshot().acked > before);
    expect(broker.depth(victim)).toBe(0);
  });

  it('a refusal behind comes back with its code', async () => {
    const r = await ask({ notTheContract: true });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('LT_CONTRACT_REQUEST');
  });
});
