import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import amqp, { type ChannelModel } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleConfigIn, startCli } from '../helpers/cli.js';
import { NOTICE, routesDir, until } from '../helpers/queue.js';

/**
 * The gateway SIGKILLed mid-stream and restarted (issue 18), queue → route →
 * queue on the REAL RabbitMQ, the seen-ids record in the embedded store that
 * survives the restart. What must hold:
 * - none lost: every message id arrives downstream;
 * - no new message: nothing arrives with an id that was not sent, and an id
 *   arriving again carries the same bytes (a copy from the crash window,
 *   published with the consumed id, which the consuming handler dedupes);
 * - the copies are only those of the crash window: at most prefetch per kill;
 * - after dedupe by id at the handler (what the gateway's own queue-fed
 *   routes do): each exactly once.
 */
const URL_ = process.env.LT_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const run = `${process.pid}-${randomUUID().slice(0, 6)}`;
const inQ = `lt-test.${run}.crash-in`;
const outQ = `lt-test.${run}.crash-out`;
const PREFETCH = 16;
const N = 2000;
let conn: ChannelModel;
const dir = mkdtempSync(join(tmpdir(), 'lt-crash-'));

beforeAll(async () => {
  try {
    conn = await amqp.connect(URL_, { timeout: 5000 });
  } catch (err) {
    throw new Error(
      `RabbitMQ is not reachable at ${URL_} (${(err as Error).message}); start RabbitMQ with: rabbitmq-server -detached`,
    );
  }
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!conn) return;
  const ch = await conn.createChannel();
  for (const q of [inQ, `${inQ}.dlq`, `${inQ}.delay.200`, `${inQ}.delay.1000`, outQ])
    await ch.deleteQueue(q).catch(() => {});
  await conn.close();
});

describe('gateway SIGKILLed mid-stream', () => {
  it('restarted, it delivers every message; copies only from the crash window, same id and bytes', async () => {
    const routes = routesDir([
      {
        id: 'crash',
        from: {
          adapter: 'amqp',
          urls: [URL_],
          queue: inQ,
          prefetch: PREFETCH,
          retry: { maxAttempts: 50, delaysMs: [200, 1000] },
          // A killed holder's lease frees its ids quickly for the restarted gateway.
          exactlyOnce: { leaseMs: 1500 },
        },
        to: { endpoint: 'crash-out' },
        service: 'test.Notice',
        contract: 'local/notice',
        auth: 'none',
        signature: { signOutbound: true, signReply: false },
      },
    ]);
    const config = exampleConfigIn(
      dir,
      {},
      {
        routesDir: routes,
        edit: (t) =>
          t.replace(/^( +level:) info.*$/m, '$1 warn') +
          `
  crash-out:
    adapter: amqp
    url: ${URL_}
    options: { exchange: '', routingKey: ${outQ}, queues: [{ name: ${outQ}, type: classic }] }
`,
      },
    );
    // The input, all waiting before the gateway starts.
    const pub = await conn.createConfirmChannel();
    await pub.assertQueue(inQ, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const sent = new Map<string, string>();
    for (let i = 0; i < N; i++) {
      const id = randomUUID();
      const body = JSON.stringify(NOTICE(i));
      sent.set(id, body);
      pub.sendToQueue(inQ, Buffer.from(body), {
        messageId: id,
        contentType: 'application/json',
        persistent: true,
      });
    }
    await pub.waitForConfirms();
    await pub.close();

    const arrivals = new Map<string, number>();
    const strangers: string[] = [];
    const changed: string[] = [];
    const sink = await conn.createChannel();
    await sink.assertQueue(outQ, { durable: true, arguments: { 'x-queue-type': 'classic' } });
    await sink.consume(outQ, (m) => {
      if (!m) return;
      const id = m.properties.messageId as string;
      if (!sent.has(id)) strangers.push(id);
      else if (m.content.toString() !== sent.get(id)) changed.push(id);
      arrivals.set(id, (arrivals.get(id) ?? 0) + 1);
      sink.ack(m);
    });

    const first = startCli(config);
    try {
      await until('the first part of the stream', () => arrivals.size >= N / 4, 60_000);
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
    } finally {
      first.child.kill('SIGKILL');
    }
    const killedAt = arrivals.size;
    expect(killedAt).toBeLessThan(N);
    const second = startCli(config);
    try {
      await until('every message', () => arrivals.size === N, 90_000);
      await new Promise((r) => setTimeout(r, 2500)); // any late copy would show now
    } finally {
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
      await sink.close();
    }
    const copies = [...arrivals.values()].reduce((a, b) => a + b, 0) - N;
    expect(strangers).toEqual([]);
    expect(changed).toEqual([]);
    expect(arrivals.size).toBe(N);
    expect(copies).toBeLessThanOrEqual(PREFETCH);
  }, 180_000);
});
