import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import amqp, { type ChannelModel } from 'amqplib';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { H } from '../../src/queue/transport.js';
import { exampleConfigIn } from '../helpers/cli.js';
import { ROOT } from '../helpers/paths.js';
import { NOTICE, routesDir } from '../helpers/queue.js';

/**
 * `lienthong dlq list|show|replay|purge <route>` as an operator runs it, on
 * the REAL RabbitMQ: the route's broker and dead-letter queue come from the
 * configuration.
 */
const URL_ = process.env.LT_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const queue = `lt-test.${process.pid}-${randomUUID().slice(0, 6)}.cli`;
const dlq = `${queue}.dlq`;
const dir = mkdtempSync(join(tmpdir(), 'lt-dlq-cli-'));
let conn: ChannelModel;
let config: string;

beforeAll(async () => {
  try {
    conn = await amqp.connect(URL_, { timeout: 5000 });
  } catch (err) {
    throw new Error(
      `RabbitMQ is not reachable at ${URL_} (${(err as Error).message}); start RabbitMQ with: rabbitmq-server -detached`,
    );
  }
  const ch = await conn.createChannel();
  for (const q of [queue, dlq])
    await ch.assertQueue(q, { durable: true, arguments: { 'x-queue-type': 'classic' } });
  await ch.close();
  config = exampleConfigIn(
    dir,
    {},
    {
      routesDir: routesDir([
        {
          id: 'cli-route',
          from: { adapter: 'amqp', urls: [URL_], queue, queueType: 'classic' },
          to: { endpoint: 'test-provider' },
          service: 'test.Cli',
          auth: 'none',
        },
      ]),
    },
  );
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!conn) return;
  const ch = await conn.createChannel();
  for (const q of [queue, dlq]) await ch.deleteQueue(q).catch(() => {});
  await conn.close();
});

async function cli(...args: string[]): Promise<{ out: any; err: string }> {
  const r = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli.ts'), '-c', config, 'dlq', ...args],
    { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' }, encoding: 'utf8', timeout: 60_000 },
  );
  return { out: JSON.parse(r.stdout), err: r.stderr };
}

async function deadLetter(id: string): Promise<void> {
  const ch = await conn.createConfirmChannel();
  await new Promise<void>((res, rej) =>
    ch.sendToQueue(
      dlq,
      Buffer.from(JSON.stringify(NOTICE(1))),
      {
        messageId: id,
        contentType: 'application/json',
        headers: {
          [H.code]: 'LT_UPSTREAM_TIMEOUT',
          [H.attempt]: '5',
          [H.queue]: queue,
          [H.route]: 'cli-route',
        },
      },
      (e) => (e ? rej(e) : res()),
    ),
  );
  await ch.close();
}

describe('lienthong dlq', () => {
  it('list and show leave the dead letters in place; replay moves one back to the queue with attempts reset; purge empties', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await deadLetter(a);
    await deadLetter(b);
    const list = await cli('list', 'cli-route');
    expect(list.out.queue).toBe(dlq);
    expect(list.out.broker).not.toContain('guest:guest');
    expect(list.out.items.map((i: { id: string; code: string }) => [i.id, i.code])).toEqual([
      [a, 'LT_UPSTREAM_TIMEOUT'],
      [b, 'LT_UPSTREAM_TIMEOUT'],
    ]);
    const shown = await cli('show', 'cli-route', b);
    expect(JSON.parse(shown.out.body)).toEqual(NOTICE(1));
    const replay = await cli('replay', 'cli-route', a);
    expect(replay.out.replayed).toBe(1);
    expect(JSON.parse(replay.err.trim())).toMatchObject({ replayed: a, route: 'cli-route' });
    const ch = await conn.createChannel();
    const back = await ch.get(queue, { noAck: true });
    expect(back && back.properties.messageId).toBe(a);
    expect(back && String(back.properties.headers?.[H.attempt])).toBe('1');
    expect(back && back.properties.headers?.[H.replayedAt]).toBeDefined();
    await ch.close();
    expect((await cli('list', 'cli-route')).out.items.map((i: { id: string }) => i.id)).toEqual([
      b,
    ]);
    expect((await cli('purge', 'cli-route')).out.purged).toBe(1);
    expect((await cli('list', 'cli-route')).out.items).toEqual([]);
  }, 120_000);
});
