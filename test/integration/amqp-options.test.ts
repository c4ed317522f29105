import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import amqp, { type ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { listDeadLetters } from '../../adapters/amqp/dlq.js';
import { demoToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { NOTICE, routesDir, until } from '../helpers/queue.js';

/**
 * What the amqp adapter's options change on the REAL RabbitMQ (issue 18):
 * a cluster's list of URLs, exchanges and their types, queues declared by an
 * endpoint, bindings, queue types, the dead-letter queue's name. Unique
 * names per run, deleted afterwards. Fails with a start hint when the broker is down.
 */
const URL_ = process.env.LT_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const run = `${process.pid}-${randomUUID().slice(0, 6)}`;
const n = (what: string) => `lt-test.${run}.${what}`;
let conn: ChannelModel;
let gw: TestGateway;
let deadUrl: string;

beforeAll(async () => {
  try {
    conn = await amqp.connect(URL_, { timeout: 5000 });
  } catch (err) {
    throw new Error(
      `RabbitMQ is not reachable at ${URL_} (${(err as Error).message}); start RabbitMQ with: rabbitmq-server -detached`,
    );
  }
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  deadUrl = `amqp://guest:guest@127.0.0.1:${(s.address() as AddressInfo).port}`;
  await new Promise((r) => s.close(r));
  const http = (id: string, path: string, endpoint: string) => ({
    id,
    from: { adapter: 'http', method: 'POST', path },
    to: { endpoint },
    service: 'test.Notice',
    contract: 'local/notice',
  });
  gw = await startTestGateway({
    routesDir: routesDir([
      http('to-topic', '/t/topic', 'topic'),
      http('to-topic-other', '/t/topic-other', 'topic-other'),
      { ...http('ask', '/t/ask', 'asker'), contract: undefined, service: 'test.Ask' },
      {
        id: 'answer',
        from: { adapter: 'amqp', urls: [URL_], queue: n('ask') },
        to: { endpoint: 'test-provider' },
        service: 'test.Answer',
        contract: 'local/connection-test',
        auth: 'none',
      },
      {
        id: 'bound',
        from: {
          adapter: 'amqp',
          urls: [deadUrl, URL_],
          queue: n('bound'),
          queueType: 'classic',
          deadLetterQueue: n('bound-dead'),
          bind: [{ exchange: n('direct'), exchangeType: 'direct', routingKey: 'k' }],
          reconnect: { baseMs: 20, maxMs: 100 },
        },
        to: { endpoint: 'topic' },
        service: 'test.Notice',
        contract: 'local/notice',
        auth: 'none',
      },
    ]),
    endpoints: {
      topic: {
        adapter: 'amqp',
        url: deadUrl,
        options: {
          urls: [URL_],
          exchange: n('topic'),
          exchangeType: 'topic',
          routingKey: 'notice.new',
          queues: [{ name: n('notices'), routingKey: 'notice.#' }],
          reconnect: { baseMs: 20, maxMs: 100 },
        },
      },
      asker: {
        adapter: 'amqp',
        url: URL_,
        options: { exchange: '', routingKey: n('ask'), requestReply: true },
      },
      'topic-other': {
        adapter: 'amqp',
        url: URL_,
        options: { exchange: n('topic'), exchangeType: 'topic', routingKey: 'other.new' },
      },
    },
  });
  await until('broker connections', async () => (await fetch(`${gw.url}/readyz`)).ok, 15_000);
}, 30_000);

afterAll(async () => {
  await gw?.stop();
  if (!conn) return;
  const ch = await conn.createChannel();
  for (const q of [
    'ask',
    'ask.dlq',
    'ask.delay.1000',
    'ask.delay.5000',
    'ask.delay.30000',
    'notices',
    'bound',
    'bound-dead',
    'bound.delay.1000',
    'bound.delay.5000',
    'bound.delay.30000',
  ])
    await ch.deleteQueue(n(q)).catch(() => {});
  for (const x of ['topic', 'direct']) await ch.deleteExchange(n(x)).catch(() => {});
  await conn.close();
});

async function post(path: string, body: unknown) {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await demoToken(gw.url)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** The ids waiting in a queue, taken off it. */
async function drain(queue: string): Promise<string[]> {
  const ch = await conn.createChannel();
  const ids: string[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (!m) break;
    ids.push(m.properties.messageId as string);
  }
  await ch.close();
  return ids;
}

/** Whether declaring the queue with this type is refused (it exists with another). */
async function refusedAs(queue: string, type: string): Promise<boolean> {
  const ch = await conn.createChannel();
  ch.on('error', () => {});
  try {
    await ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': type } });
    await ch.close();
    return false;
  } catch (err) {
    return /PRECONDITION_FAILED/.test((err as Error).message);
  }
}

describe('amqp options on the real broker', () => {
  it('urls: the first node down, the next one is used (endpoint and consumer); /readyz shows the connection', async () => {
    const ready = JSON.stringify(await (await fetch(`${gw.url}/readyz`)).json());
    expect(ready).toContain('"broker":"up"');
    expect(ready).not.toContain('guest:guest');
  });

  it('exchange, exchangeType topic, routingKey and queues[]: the publish lands in the declared, bound queue after the confirm', async () => {
    const r = await post('/t/topic', NOTICE(1));
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      status: 'accepted',
      exchange: n('topic'),
      routingKey: 'notice.new',
    });
    expect(await drain(n('notices'))).toEqual([r.body.messageId]);
  });

  it('a routing key no queue is bound for: LT_QUEUE_UNROUTABLE to the HTTP caller, nothing silently dropped', async () => {
    const r = await post('/t/topic-other', NOTICE(2));
    expect(r.status).toBe(502);
    expect(r.body.code).toBe('LT_QUEUE_UNROUTABLE');
  });

  it('requestReply: the HTTP caller gets the reply of the queue-fed route behind, over direct reply-to; a refusal there comes back with its code', async () => {
    const r = await post('/t/ask', { message: 'xin chao', reference: 'rr-amqp' });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).toContain('xin chao');
    const refused = await post('/t/ask', { notTheContract: true });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('LT_CONTRACT_REQUEST');
  });

  it('queueType: quorum by default (endpoint queues), classic when asked (the bound consumer queue)', async () => {
    expect(await refusedAs(n('notices'), 'classic')).toBe(true);
    expect(await refusedAs(n('bound'), 'quorum')).toBe(true);
  });

  it('/readyz: a consumer whose queue is deleted under it is not ready (the broker cancelled it)', async () => {
    const ch = await conn.createChannel();
    await ch.deleteQueue(n('ask'));
    await ch.close();
    await until('not ready', async () => (await fetch(`${gw.url}/readyz`)).status === 503);
    const body = JSON.stringify(await (await fetch(`${gw.url}/readyz`)).json());
    expect(body).toMatch(/"queue":"[^"]*ask","consuming":false/);
  });

  it('bind and deadLetterQueue: a message through the bound exchange is consumed; a poison one lands in the named DLQ', async () => {
    const ch = await conn.createConfirmChannel();
    const good = randomUUID();
    const bad = randomUUID();
    for (const [id, body] of [
      [good, NOTICE(3)],
      [bad, { noticeId: 'x' }],
    ] as const) {
      await new Promise<void>((res, rej) =>
        ch.publish(
          n('direct'),
          'k',
          Buffer.from(JSON.stringify(body)),
          { messageId: id, contentType: 'application/json' },
          (e) => (e ? rej(e) : res()),
        ),
      );
    }
    await ch.close();
    const seen: string[] = [];
    await until('the good message', async () => {
      seen.push(...(await drain(n('notices'))));
      return seen.includes(good);
    });
    await until(
      'the dead letter',
      async () => (await listDeadLetters(URL_, n('bound-dead'))).length === 1,
    );
    const [dead] = await listDeadLetters(URL_, n('bound-dead'));
    expect(dead).toMatchObject({ id: bad, code: 'LT_CONTRACT_REQUEST', route: 'bound' });
  });
});
