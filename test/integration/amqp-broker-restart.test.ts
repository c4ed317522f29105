import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import amqp, { type ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startPrivateRabbit, type PrivateRabbit } from '../helpers/private-rabbit.js';
import { NOTICE, routesDir, until } from '../helpers/queue.js';

/**
 * The broker stopped (`rabbitmqctl stop_app`) and started again while 10,000
 * messages flow queue → route → queue (issue 18). On a PRIVATE node started
 * by this test: stopping the shared broker would break everyone else's
 * tests. The gateway reconnects (backoff + jitter), its consumer resumes,
 * publishes wait in the bounded buffer; what must hold is what the SIGKILL
 * test checks: none lost, no new message, copies only from the outage window
 * (same id, same bytes, deduped by the consuming handler).
 */
const N = 10_000;
const PREFETCH = 32;
let rabbit: PrivateRabbit;

beforeAll(async () => {
  rabbit = await startPrivateRabbit();
}, 90_000);
afterAll(async () => {
  await rabbit?.stop();
}, 60_000);

/** A consumer that reconnects by itself, recording each arrival. */
function resilientSink(url: string, queue: string, onMessage: (id: string, body: string) => void) {
  let stopped = false;
  let conn: ChannelModel | undefined;
  const loop = async () => {
    while (!stopped) {
      try {
        conn = await amqp.connect(url, { timeout: 2000 });
        const closed = new Promise((r) => conn!.once('close', r));
        conn.on('error', () => {});
        const ch = await conn.createChannel();
        ch.on('error', () => {});
        await ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'classic' } });
        await ch.prefetch(200);
        await ch.consume(queue, (m) => {
          if (!m) return;
          onMessage(m.properties.messageId as string, m.content.toString());
          ch.ack(m);
        });
        await closed;
      } catch {
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  };
  void loop();
  return {
    stop: async () => {
      stopped = true;
      await conn?.close().catch(() => {});
    },
  };
}

describe('broker stopped and started mid-stream', () => {
  it('10,000 messages: every one delivered, no new message, copies only from the outage window', async () => {
    const inQ = `restart-${randomUUID().slice(0, 6)}.in`;
    const outQ = `restart-${randomUUID().slice(0, 6)}.out`;
    const pub = await amqp.connect(rabbit.url);
    const ch = await pub.createConfirmChannel();
    await ch.assertQueue(inQ, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const sent = new Map<string, string>();
    for (let i = 0; i < N; i++) {
      const id = randomUUID();
      const body = JSON.stringify(NOTICE(i));
      sent.set(id, body);
      ch.sendToQueue(inQ, Buffer.from(body), {
        messageId: id,
        contentType: 'application/json',
        persistent: true,
      });
      if (i % 1000 === 999) await ch.waitForConfirms();
    }
    await ch.waitForConfirms();
    await pub.close();

    const arrivals = new Map<string, number>();
    const strangers: string[] = [];
    const changed: string[] = [];
    const sink = resilientSink(rabbit.url, outQ, (id, body) => {
      if (!sent.has(id)) strangers.push(id);
      else if (body !== sent.get(id)) changed.push(id);
      arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
    });
    let gw: TestGateway | undefined;
    try {
      gw = await startTestGateway({
        routesDir: routesDir([
          {
            id: 'restart',
            from: {
              adapter: 'amqp',
              urls: [rabbit.url],
              queue: inQ,
              prefetch: PREFETCH,
              retry: { maxAttempts: 100, delaysMs: [200, 1000] },
              exactlyOnce: { leaseMs: 3000 },
              reconnect: { baseMs: 100, maxMs: 1000 },
            },
            to: { endpoint: 'restart-out' },
            service: 'test.Notice',
            contract: 'local/notice',
            auth: 'none',
            signature: { signOutbound: true, signReply: false },
            resilience: { timeoutMs: 10_000 },
          },
        ]),
        endpoints: {
          'restart-out': {
            adapter: 'amqp',
            url: rabbit.url,
            options: {
              exchange: '',
              routingKey: outQ,
              queues: [{ name: outQ, type: 'classic' }],
              reconnect: { baseMs: 100, maxMs: 1000 },
            },
          },
        },
      });
      await until('the first part of the stream', () => arrivals.size >= N / 5, 60_000);
      await rabbit.stopApp();
      const during = arrivals.size;
      await new Promise((r) => setTimeout(r, 1000));
      await rabbit.startApp();
      expect(during).toBeLessThan(N);
      await until('every message', () => arrivals.size === N, 150_000);
      await new Promise((r) => setTimeout(r, 3000)); // any late copy would show now
    } finally {
      await gw?.stop();
      await sink.stop();
    }
    const copies = [...arrivals.values()].reduce((a, b) => a + b, 0) - N;
    expect(strangers).toEqual([]);
    expect(changed).toEqual([]);
    expect(arrivals.size).toBe(N);
    // What was in flight when the broker went: the prefetch window, each possibly once more.
    expect(copies).toBeLessThanOrEqual(2 * PREFETCH);
  }, 300_000);
});
