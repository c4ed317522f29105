import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { MemoryBroker } from '../../../adapters/memq/broker.js';
import { H } from '../../../src/queue/transport.js';
import { verifyDetached } from '../../../src/security/jws.js';
import { demoToken, startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { NOTICE, jwksResolver, routesDir, until } from '../../helpers/queue.js';

/**
 * Queue-fed routes over the in-memory transport (R7, issue 18): the same
 * consumer as RabbitMQ's, so retries, dead letters and exactly-once are
 * proved here without a broker and again against the real one
 * (test/integration/amqp-faults.test.ts).
 */
const broker = MemoryBroker.shared;
const run = randomUUID().slice(0, 8);
const q = {
  in: `t.${run}.in`,
  out: `t.${run}.out`,
  down: `t.${run}.down`,
  nowhere: `t.${run}.nowhere`,
};
let gw: TestGateway;

const send = (queue: string, id: string, body: unknown) =>
  broker.publish(
    { exchange: '', routingKey: queue },
    { id, body: Buffer.from(JSON.stringify(body)), contentType: 'application/json', headers: {} },
    Date.now() + 1000,
  );

beforeAll(async () => {
  broker.declareQueue(q.out);
  const from = (queue: string) => ({
    adapter: 'memq',
    queue,
    retry: { maxAttempts: 3, delaysMs: [100, 200] },
  });
  const common = {
    service: 'test.Notice',
    contract: 'local/notice',
    auth: 'none',
    signature: { signOutbound: true, signReply: false },
  };
  gw = await startTestGateway({
    routesDir: routesDir([
      { id: 'relay', from: from(q.in), to: { endpoint: 'out' }, ...common },
      {
        id: 'to-down',
        from: from(q.down),
        to: { endpoint: 'down' },
        ...common,
        strictResponse: false,
      },
      { id: 'to-nowhere', from: from(q.nowhere), to: { endpoint: 'nowhere' }, ...common },
    ]),
    endpoints: {
      out: { adapter: 'memq', url: 'memq://local', options: { exchange: '', routingKey: q.out } },
      nowhere: {
        adapter: 'memq',
        url: 'memq://local',
        options: { exchange: '', routingKey: `${q.nowhere}.absent` },
      },
      down: {
        adapter: 'http',
        url: 'http://127.0.0.1:9',
        resilience: { timeoutMs: 500, retries: 0 },
        options: { path: '/x' },
      },
    },
  });
});
afterAll(async () => {
  await gw?.stop();
});

describe('memq: queue → route → queue', () => {
  it('publishes a valid message once, with the same id, as a CloudEvent whose signature verifies with /jwks', async () => {
    const id = randomUUID();
    await send(q.in, id, NOTICE(1));
    await until('the relayed message', () => broker.depth(q.out) >= 1);
    const [m] = broker.drain(q.out);
    expect(m.id).toBe(id);
    expect(m.headers['cloudEvents:id']).toBe(id);
    expect(m.headers['cloudEvents:specversion']).toBe('1.0');
    expect(m.headers['cloudEvents:type']).toBe('relay');
    expect(JSON.parse(m.body.toString())).toEqual(NOTICE(1));
    const header = verifyDetached(
      m.headers['cloudEvents:ltjws'],
      m.body,
      await jwksResolver(gw.url),
    );
    expect(header.typ).toBe('lt-out+jws');
  });

  it('processes a redelivered id once (exactly once at the route)', async () => {
    const id = randomUUID();
    await send(q.in, id, NOTICE(2));
    await until('the first copy', () => broker.depth(q.out) >= 1);
    await send(q.in, id, NOTICE(2));
    await send(q.in, randomUUID(), NOTICE(3));
    await until('the next message', () => broker.depth(q.out) >= 2);
    const ids = broker.drain(q.out).map((m) => m.id);
    expect(ids.filter((x) => x === id)).toHaveLength(1);
    expect(ids).toHaveLength(2);
  });

  it('dead-letters a poison message at once with its code, and the messages behind it flow', async () => {
    const poison = randomUUID();
    await send(q.in, poison, { noticeId: 'bad' }); // fails the contract: never retried
    const after = randomUUID();
    await send(q.in, after, NOTICE(4));
    await until('the message behind', () => broker.depth(q.out) >= 1);
    expect(broker.drain(q.out).map((m) => m.id)).toEqual([after]);
    await until('the dead letter', () => broker.depth(`${q.in}.dlq`) >= 1);
    const [dead] = broker.drain(`${q.in}.dlq`);
    expect(dead.id).toBe(poison);
    expect(dead.headers[H.code]).toBe('LT_CONTRACT_REQUEST');
    expect(dead.headers[H.attempt]).toBe('1');
    expect(dead.headers[H.route]).toBe('relay');
    expect(JSON.parse(dead.headers[H.history])).toHaveLength(1);
  });

  it('dead-letters a message without an id with LT_QUEUE_MESSAGE_INVALID', async () => {
    await broker.publish(
      { exchange: '', routingKey: q.in },
      {
        id: undefined as never,
        body: Buffer.from('{}'),
        contentType: 'application/json',
        headers: {},
      },
      Date.now() + 1000,
    );
    await until('the dead letter', () => broker.depth(`${q.in}.dlq`) >= 1);
    expect(broker.drain(`${q.in}.dlq`)[0].headers[H.code]).toBe('LT_QUEUE_MESSAGE_INVALID');
  });

  it('retries a provider that is down with growing delays, then dead-letters it with the attempt history', async () => {
    const id = randomUUID();
    const t0 = Date.now();
    await send(q.down, id, NOTICE(5));
    await until('the dead letter', () => broker.depth(`${q.down}.dlq`) >= 1, 15_000);
    const [dead] = broker.drain(`${q.down}.dlq`);
    expect(dead.headers[H.attempt]).toBe('3');
    const history = JSON.parse(dead.headers[H.history]) as { code: string; at: string }[];
    expect(history).toHaveLength(3);
    for (const h of history)
      expect(['LT_UPSTREAM_UNREACHABLE', 'LT_BREAKER_OPEN']).toContain(h.code);
    // Two waits: 100 ms, then 200 ms.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    const gaps = history.slice(1).map((h, i) => Date.parse(h.at) - Date.parse(history[i].at));
    expect(gaps[1]).toBeGreaterThan(gaps[0] - 50);
  });

  it('an unroutable publish is LT_QUEUE_UNROUTABLE, dead-lettered rather than dropped', async () => {
    const id = randomUUID();
    await send(q.nowhere, id, NOTICE(6));
    await until('the dead letter', () => broker.depth(`${q.nowhere}.dlq`) >= 1);
    const [dead] = broker.drain(`${q.nowhere}.dlq`);
    expect(dead.headers[H.code]).toBe('LT_QUEUE_UNROUTABLE');
  });

  it('/readyz shows each consumer with its counts, /metrics the queue metrics', async () => {
    const ready = (await (await fetch(`${gw.url}/readyz`)).json()) as Record<string, any>;
    const text = JSON.stringify(ready);
    expect(text).toContain(q.in);
    expect(text).toContain('deadLettered');
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(
      new RegExp(`lienthong_queue_acked_total\\{queue="${q.in.replace(/\./g, '\\.')}"\\} [1-9]`),
    );
  });
});

describe('the example notice routes (npm start)', () => {
  it('POST /v1/notices answers with the message id once queued; notice-relay publishes it to notices.out with that id', async () => {
    const demo = await startTestGateway();
    try {
      const token = await demoToken(demo.url);
      const res = await fetch(`${demo.url}/v1/notices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(NOTICE(7)),
      });
      expect(res.status).toBe(202);
      const receipt = (await res.json()) as { messageId: string; status: string };
      expect(receipt.status).toBe('accepted');
      await until('the relayed notice', () =>
        broker.drain('notices.out').some((m) => m.id === receipt.messageId),
      );
    } finally {
      await demo.stop();
    }
  });
});
