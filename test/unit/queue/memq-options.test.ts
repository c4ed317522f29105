import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryBroker } from '../../../adapters/memq/broker.js';
import { CE_STRUCTURED } from '../../../src/queue/cloudevents.js';
import { QueueStats } from '../../../src/queue/metrics.js';
import { H } from '../../../src/queue/transport.js';
import { verifyDetached } from '../../../src/security/jws.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';
import { NOTICE, jwksResolver, routesDir, until } from '../../helpers/queue.js';

/**
 * What each option of a queue binding and a queue endpoint changes (issue
 * 18), over the in-memory transport; the consumer and publisher are the ones
 * adapters/amqp uses too.
 */
const broker = MemoryBroker.shared;
const run = randomUUID().slice(0, 8);
const q = (n: string) => `opt.${run}.${n}`;
let gw: TestGateway;
let provider: Server;
const concurrent = { now: 0, max: new Map<string, number>() };

const send = (queue: string, id: string, body: unknown, exchange = '') =>
  broker.publish(
    { exchange, routingKey: queue },
    { id, body: Buffer.from(JSON.stringify(body)), contentType: 'application/json', headers: {} },
    Date.now() + 1000,
  );

beforeAll(async () => {
  // A provider that holds each call 150 ms and records the most calls at once, per path.
  const now = new Map<string, number>();
  provider = createServer((req, res) => {
    const path = req.url ?? '';
    now.set(path, (now.get(path) ?? 0) + 1);
    concurrent.max.set(path, Math.max(concurrent.max.get(path) ?? 0, now.get(path)!));
    req.resume();
    setTimeout(() => {
      now.set(path, now.get(path)! - 1);
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    }, 150);
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  broker.declareQueue(q('structured-out'));
  const common = {
    service: 'test.Notice',
    contract: 'local/notice',
    auth: 'none',
    signature: { signOutbound: true, signReply: false },
  };
  const http = (path: string) => ({
    adapter: 'http',
    url,
    maxInFlight: 64,
    options: { path },
  });
  gw = await startTestGateway({
    routesDir: routesDir([
      {
        id: 'p1',
        from: { adapter: 'memq', queue: q('p1'), prefetch: 1 },
        to: { endpoint: 'p1' },
        ...common,
        strictResponse: false,
      },
      {
        id: 'p4',
        from: { adapter: 'memq', queue: q('p4'), prefetch: 4 },
        to: { endpoint: 'p4' },
        ...common,
        strictResponse: false,
      },
      {
        id: 'small',
        from: {
          adapter: 'memq',
          queue: q('small'),
          maxBytes: 100,
          deadLetterQueue: q('small-dead'),
        },
        to: { endpoint: 'structured' },
        ...common,
      },
      {
        id: 'bound',
        from: {
          adapter: 'memq',
          queue: q('bound'),
          bind: [{ exchange: q('ex'), routingKey: 'notice.new' }],
        },
        to: { endpoint: 'structured' },
        ...common,
      },
    ]),
    endpoints: {
      p1: http('/p1'),
      p4: http('/p4'),
      structured: {
        adapter: 'memq',
        url: 'memq://local',
        options: {
          exchange: '',
          routingKey: q('structured-out'),
          cloudEvents: 'structured',
          source: '/lienthong/test-hub',
          type: 'vn.gov.notice.created',
        },
      },
    },
  });
});
afterAll(async () => {
  await gw?.stop();
  await new Promise((r) => provider?.close(r));
});

describe('queue binding options', () => {
  it('prefetch bounds the deliveries in flight: 1 runs them one by one, 4 up to four at once', async () => {
    for (let i = 0; i < 6; i++) {
      await send(q('p1'), randomUUID(), NOTICE(i));
      await send(q('p4'), randomUUID(), NOTICE(i));
    }
    const acked = (n: string) => QueueStats.for(q(n)).snapshot().acked;
    await until('all processed', () => acked('p1') === 6 && acked('p4') === 6);
    expect(concurrent.max.get('/p1')).toBe(1);
    expect(concurrent.max.get('/p4')).toBe(4);
  });

  it('maxBytes: a larger message is dead-lettered with LT_BODY_TOO_LARGE, into deadLetterQueue', async () => {
    const id = randomUUID();
    await send(q('small'), id, { ...NOTICE(1), text: 'x'.repeat(200) });
    await until('the dead letter', () => broker.depth(q('small-dead')) === 1);
    const [dead] = broker.drain(q('small-dead'));
    expect(dead.id).toBe(id);
    expect(dead.headers[H.code]).toBe('LT_BODY_TOO_LARGE');
    expect(broker.depth(`${q('small')}.dlq`)).toBe(0);
  });

  it('bind: messages published to the exchange with the binding key reach the queue; other keys are unroutable', async () => {
    const id = randomUUID();
    await broker.publish(
      { exchange: q('ex'), routingKey: 'notice.new' },
      {
        id,
        body: Buffer.from(JSON.stringify(NOTICE(2))),
        contentType: 'application/json',
        headers: {},
      },
      Date.now() + 1000,
    );
    await until('the relayed message', () => broker.depth(q('structured-out')) >= 1);
    expect(broker.drain(q('structured-out')).map((m) => m.id)).toEqual([id]);
    await expect(
      broker.publish(
        { exchange: q('ex'), routingKey: 'notice.old' },
        { id, body: Buffer.from('{}'), contentType: 'application/json', headers: {} },
        Date.now() + 1000,
      ),
    ).rejects.toMatchObject({ code: 'LT_QUEUE_UNROUTABLE' });
  });
});

describe('queue endpoint options', () => {
  it('cloudEvents: structured, with source and type; the data bytes verify with /jwks; a structured event is consumed too', async () => {
    const id = randomUUID();
    const event = {
      specversion: '1.0',
      id,
      source: '/agency/a',
      type: 'vn.gov.notice',
      datacontenttype: 'application/json',
      data: NOTICE(3),
    };
    await broker.publish(
      { exchange: '', routingKey: q('bound') },
      {
        id: undefined as never,
        body: Buffer.from(JSON.stringify(event)),
        contentType: CE_STRUCTURED,
        headers: {},
      },
      Date.now() + 1000,
    );
    await until('the relayed event', () => broker.depth(q('structured-out')) >= 1);
    const [m] = broker.drain(q('structured-out'));
    expect(m.contentType).toBe(CE_STRUCTURED);
    const doc = JSON.parse(m.body.toString()) as Record<string, string>;
    expect(doc).toMatchObject({
      specversion: '1.0',
      id,
      source: '/lienthong/test-hub',
      type: 'vn.gov.notice.created',
      datacontenttype: 'application/json',
    });
    const data = Buffer.from(doc.data_base64, 'base64');
    expect(JSON.parse(data.toString())).toEqual(NOTICE(3));
    expect(verifyDetached(doc.ltjws, data, await jwksResolver(gw.url)).typ).toBe('lt-out+jws');
  });
});
