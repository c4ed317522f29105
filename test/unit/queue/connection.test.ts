import { describe, expect, it } from '@jest/globals';
import { createServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { BrokerConnection, safeUrl } from '../../../adapters/amqp/connection.js';
import { codeOf } from '../../helpers/errors.js';

/**
 * The broker connection without a broker: a port where nothing listens.
 * Reconnect pacing (`reconnect.baseMs`/`maxMs`) and the bounded publish
 * buffer (`publishBuffer`) of the amqp adapter (issue 18).
 */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const silent = pino({ level: 'silent' });
const conn = (port: number, o: { baseMs: number; maxMs: number; publishBuffer?: number }) =>
  new BrokerConnection(
    {
      urls: [`amqp://guest:secret-pw@127.0.0.1:${port}`],
      reconnect: { baseMs: o.baseMs, maxMs: o.maxMs },
      publishBuffer: o.publishBuffer ?? 10,
      random: () => 0.999, // the top of the jitter range: delays are the ceilings
    },
    silent,
  );

const failed = (c: BrokerConnection) => c.health().detail.failedAttempts as number;

describe('amqp BrokerConnection', () => {
  it('reconnects with exponential backoff bounded by reconnect.baseMs / maxMs', async () => {
    const port = await deadPort();
    const fast = conn(port, { baseMs: 10, maxMs: 20 });
    const slow = conn(port, { baseMs: 400, maxMs: 400 });
    fast.start();
    slow.start();
    await new Promise((r) => setTimeout(r, 1000));
    const [f, s] = [failed(fast), failed(slow)];
    await fast.close();
    await slow.close();
    expect(f).toBeGreaterThanOrEqual(6);
    expect(s).toBeLessThanOrEqual(3);
    expect(s).toBeGreaterThanOrEqual(1);
  });

  it('a publish waits within its deadline (LT_QUEUE_UNAVAILABLE after it), beyond publishBuffer it is refused at once', async () => {
    const port = await deadPort();
    const c = conn(port, { baseMs: 50, maxMs: 50, publishBuffer: 2 });
    c.start();
    try {
      const t0 = Date.now();
      const waiting = [codeOf(c.waitUp(t0 + 300)), codeOf(c.waitUp(t0 + 300))];
      expect(await codeOf(c.waitUp(t0 + 300))).toBe('LT_QUEUE_BUFFER_FULL');
      expect(await Promise.all(waiting)).toEqual(['LT_QUEUE_UNAVAILABLE', 'LT_QUEUE_UNAVAILABLE']);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      const none = conn(port, { baseMs: 50, maxMs: 50, publishBuffer: 0 });
      none.start();
      expect(await codeOf(none.waitUp(Date.now() + 300))).toBe('LT_QUEUE_BUFFER_FULL');
      await none.close();
    } finally {
      await c.close();
    }
  });

  it('never shows the password of a broker URL', () => {
    expect(safeUrl('amqp://guest:secret-pw@host:5672/vh')).toBe('amqp://guest:***@host:5672/vh');
    const c = conn(1, { baseMs: 10, maxMs: 10 });
    expect(JSON.stringify(c.health())).not.toContain('secret-pw');
  });
});
