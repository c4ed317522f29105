import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import amqp, { type ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { listDeadLetters, replayDeadLetters } from '../../adapters/amqp/dlq.js';
import { QueueStats } from '../../src/queue/metrics.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { NOTICE, routesDir, until } from '../helpers/queue.js';

/**
 * Faults against the REAL RabbitMQ (issue 18). Unique queue names per run,
 * deleted afterwards; the shared broker is never stopped. When it is down
 * these tests FAIL with the command that starts it.
 */
const URL_ = process.env.LT_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const PG_URL = process.env.LT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const HINT = 'start RabbitMQ with: rabbitmq-server -detached';
const run = `${process.pid}-${randomUUID().slice(0, 6)}`;
const created: string[] = [];
let conn: ChannelModel;

const qname = (what: string) => {
  const q = `lt-test.${run}.${what}`;
  created.push(q, `${q}.dlq`, `${q}.delay.200`, `${q}.delay.400`, `${q}.delay.800`);
  return q;
};

beforeAll(async () => {
  try {
    conn = await amqp.connect(URL_, { timeout: 5000 });
  } catch (err) {
    throw new Error(`RabbitMQ is not reachable at ${URL_} (${(err as Error).message}); ${HINT}`);
  }
});

afterAll(async () => {
  if (!conn) return;
  const ch = await conn.createChannel();
  for (const q of created) await ch.deleteQueue(q).catch(() => {});
  await conn.close();
});

async function publish(queue: string, id: string, body: unknown): Promise<void> {
  const ch = await conn.createConfirmChannel();
  await new Promise<void>((resolve, reject) =>
    ch.sendToQueue(
      queue,
      Buffer.from(JSON.stringify(body)),
      { messageId: id, contentType: 'application/json', persistent: true },
      (err) => (err ? reject(err) : resolve()),
    ),
  );
  await ch.close();
}

/** Every message id arriving on `queue`, with how many times. */
async function collect(
  queue: string,
): Promise<{ seen: Map<string, number>; stop(): Promise<void> }> {
  const ch = await conn.createChannel();
  await ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'classic' } });
  const seen = new Map<string, number>();
  await ch.consume(queue, (m) => {
    if (!m) return;
    const id = m.properties.messageId as string;
    seen.set(id, (seen.get(id) ?? 0) + 1);
    ch.ack(m);
  });
  return { seen, stop: () => ch.close() };
}

const binding = (queue: string, extra: Record<string, unknown> = {}) => ({
  adapter: 'amqp',
  urls: [URL_],
  queue,
  retry: { maxAttempts: 4, delaysMs: [200, 400, 800] },
  reconnect: { baseMs: 50, maxMs: 500 },
  ...extra,
});
const outEndpoint = (out: string) => ({
  adapter: 'amqp',
  url: URL_,
  options: { exchange: '', routingKey: out, queues: [{ name: out, type: 'classic' }] },
});
const noticeRoute = (id: string, from: unknown, endpoint: string, extra = {}) => ({
  id,
  from,
  to: { endpoint },
  service: 'test.Notice',
  contract: 'local/notice',
  auth: 'none',
  signature: { signOutbound: true, signReply: false },
  ...extra,
});

describe('RabbitMQ faults', () => {
  it('a poison message reaches the DLQ with its code without holding up the others; dlq replay after the fix delivers it once', async () => {
    const inQ = qname('poison');
    const out = qname('poison-out');
    const sink = await collect(out);
    const cfg = (contract: boolean) => ({
      routesDir: routesDir([
        noticeRoute('poison', binding(inQ), 'out', contract ? {} : { contract: undefined }),
      ]),
      endpoints: { out: outEndpoint(out) },
    });
    let gw: TestGateway | undefined = await startTestGateway(cfg(true));
    try {
      await until('consumer ready', async () => (await fetch(`${gw!.url}/readyz`)).ok);
      const poison = randomUUID();
      await publish(inQ, poison, { noticeId: 'P', subject: 'no recipient' });
      const good = Array.from({ length: 20 }, () => randomUUID());
      for (const [i, id] of good.entries()) await publish(inQ, id, NOTICE(i));
      await until('the good messages', () => good.every((id) => sink.seen.get(id) === 1));
      await until(
        'the dead letter',
        async () => (await listDeadLetters(URL_, `${inQ}.dlq`)).length === 1,
      );
      const [dead] = await listDeadLetters(URL_, `${inQ}.dlq`);
      expect(dead).toMatchObject({
        id: poison,
        code: 'LT_CONTRACT_REQUEST',
        attempt: '1',
        queue: inQ,
      });
      expect(sink.seen.has(poison)).toBe(false);
      await gw.stop();
      // "Fixed": the route no longer has the contract the message failed.
      gw = await startTestGateway(cfg(false));
      await until('consumer ready', async () => (await fetch(`${gw!.url}/readyz`)).ok);
      const replayed = await replayDeadLetters(URL_, `${inQ}.dlq`, { id: poison });
      expect(replayed.map((r) => r.id)).toEqual([poison]);
      await until('the replayed message', () => sink.seen.get(poison) === 1);
      expect(await listDeadLetters(URL_, `${inQ}.dlq`)).toEqual([]);
      await new Promise((r) => setTimeout(r, 300));
      expect(sink.seen.get(poison)).toBe(1);
    } finally {
      await gw?.stop();
      await sink.stop();
    }
  }, 60_000);

  it('a provider that is down: retried with growing delays, delivered once when it recovers', async () => {
    const inQ = qname('down');
    // A port nobody listens on yet.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const gw = await startTestGateway({
      routesDir: routesDir([
        noticeRoute(
          'down',
          binding(inQ, { retry: { maxAttempts: 10, delaysMs: [200, 400, 800] } }),
          'prov',
          {
            strictResponse: false,
          },
        ),
      ]),
      endpoints: {
        prov: {
          adapter: 'http',
          url: `http://127.0.0.1:${port}`,
          resilience: { timeoutMs: 1000, retries: 0 },
          breaker: { volumeThreshold: 2, resetTimeoutMs: 300, errorThresholdPercentage: 50 },
          options: { path: '/notices' },
        },
      },
    });
    let provider: Server | undefined;
    const received: string[] = [];
    try {
      await until('consumer ready', async () => (await fetch(`${gw.url}/readyz`)).ok);
      const id = randomUUID();
      await publish(inQ, id, NOTICE(1));
      await until('two failed attempts', () => QueueStats.for(inQ).snapshot().retried >= 2);
      provider = createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          received.push(body);
          res.setHeader('content-type', 'application/json');
          res.end('{"ok":true}');
        });
      });
      await new Promise<void>((r) => provider!.listen(port, '127.0.0.1', r));
      await until('delivery after recovery', () => received.length === 1, 20_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0])).toEqual(NOTICE(1));
      expect(await listDeadLetters(URL_, `${inQ}.dlq`)).toEqual([]);
    } finally {
      await gw.stop();
      await new Promise((r) => (provider ? provider.close(r) : r(undefined)));
    }
  }, 60_000);

  it('two gateway instances on one queue (one PostgreSQL store): no message processed twice', async () => {
    const inQ = qname('two');
    const out = qname('two-out');
    const schema = `lt_amqp_${run.replace(/[^a-z0-9]/g, '_')}`;
    const sink = await collect(out);
    const cfg = {
      routesDir: routesDir([noticeRoute('two', binding(inQ, { prefetch: 16 }), 'out')]),
      endpoints: { out: outEndpoint(out) },
      store: { kind: 'postgres', url: PG_URL, schema },
    };
    const a = await startTestGateway(cfg);
    const b = await startTestGateway(cfg);
    try {
      for (const g of [a, b])
        await until('consumer ready', async () => (await fetch(`${g.url}/readyz`)).ok);
      const ids = Array.from({ length: 300 }, () => randomUUID());
      // Every id twice: the copies race on both instances.
      for (const [i, id] of ids.entries()) {
        await publish(inQ, id, NOTICE(i));
        if (i % 2 === 0) await publish(inQ, id, NOTICE(i));
      }
      for (const [i, id] of ids.entries()) if (i % 2 === 1) await publish(inQ, id, NOTICE(i));
      await until('every message', () => ids.every((id) => sink.seen.has(id)), 30_000);
      await new Promise((r) => setTimeout(r, 1500));
      const twice = ids.filter((id) => sink.seen.get(id) !== 1);
      expect(twice).toEqual([]);
      expect(sink.seen.size).toBe(ids.length);
    } finally {
      await a.stop();
      await b.stop();
      await sink.stop();
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
  }, 90_000);
});
