import { describe, expect, it } from '@jest/globals';
import { Value } from '@sinclair/typebox/value';
import { LimitsSchema, type LimitsConfig, type RouteDef } from '../../../src/config/schema.js';
import type { GatewayError } from '../../../src/message/errors.js';
import { Limiter } from '../../../src/limits/limiter.js';
import { QUOTA_NS, QuotaCounters } from '../../../src/limits/quota.js';
import { RateLimiter } from '../../../src/limits/rate.js';
import { createStore } from '../../../src/store/store.js';

const route = (id: string, limits?: RouteDef['limits']) => ({ id, limits }) as unknown as RouteDef;
const caller = (clientId: string) => ({ clientId, orgId: 'x', routes: 'all' as const });

async function codeOf(f: () => unknown): Promise<string> {
  try {
    await f();
    return 'OK';
  } catch (err) {
    return (err as GatewayError).code;
  }
}

describe('Limiter: client and client-on-route scopes', () => {
  const cfg = Value.Default(LimitsSchema, {}) as LimitsConfig;

  it('counts each client separately on a limited route, beside its own limit', async () => {
    const store = createStore({ kind: 'sqlite', path: ':memory:' });
    await store.init();
    const l = new Limiter(
      { ...cfg, tiers: { Gold: { perMinute: 5 } } },
      [{ id: 'a', limits: { tier: 'Gold' } } as never, { id: 'b' } as never],
      [route('open'), route('narrow', { perMinute: 2 })],
      store,
    );
    try {
      expect(l.applies(route('open'))).toBe(true); // client a has a limit everywhere
      const on = (r: RouteDef, c: string) => codeOf(() => l.check(r, caller(c)));
      expect([
        await on(route('narrow', { perMinute: 2 }), 'a'),
        await on(route('narrow'), 'a'),
      ]).toEqual(['OK', 'OK']);
      expect(await on(route('narrow'), 'a')).toBe('LT_LIMIT_RATE');
      // b's count on the route is its own; b has no client limit.
      expect([await on(route('narrow'), 'b'), await on(route('narrow'), 'b')]).toEqual([
        'OK',
        'OK',
      ]);
      expect(await on(route('narrow'), 'b')).toBe('LT_LIMIT_RATE');
      for (let i = 0; i < 10; i++) expect(await on(route('open'), 'b')).toBe('OK');
      // a's client limit (Gold, 5 a minute) spans routes: 2 used on narrow, 3 left.
      const open = [];
      for (let i = 0; i < 4; i++) open.push(await on(route('open'), 'a'));
      expect(open).toEqual(['OK', 'OK', 'OK', 'LT_LIMIT_RATE']);
    } finally {
      l.close();
      await store.close();
    }
  });

  it("counts a route's perDay per client, in the shared counter", async () => {
    const store = createStore({ kind: 'sqlite', path: ':memory:' });
    await store.init();
    const daily = route('daily', { perDay: 1 });
    const l = new Limiter({ ...cfg, quotaBatch: 1 }, [{ id: 'a' } as never], [daily], store);
    try {
      expect(await codeOf(() => l.check(daily, caller('a')))).toBe('OK');
      expect(await codeOf(() => l.check(daily, caller('a')))).toBe('LT_LIMIT_QUOTA');
      expect(await codeOf(() => l.check(daily, caller('b')))).toBe('OK');
    } finally {
      l.close();
      await store.close();
    }
  });

  it('is left out where nothing limits the route', async () => {
    const store = createStore({ kind: 'sqlite', path: ':memory:' });
    const l = new Limiter(cfg, [{ id: 'a' } as never], [route('r')], store);
    expect(l.applies(route('r'))).toBe(false);
    l.close();
  });
});

describe('limits.maxKeys and limits.quotaSyncMs', () => {
  it('a bucket dropped from a full table starts full again (bounded memory, per instance)', () => {
    const r = new RateLimiter(2, () => 0);
    const take = (key: string) => codeOf(() => r.take([{ key, label: key, perMinute: 1 }]));
    return (async () => {
      expect(await take('a')).toBe('OK');
      expect(await take('a')).toBe('LT_LIMIT_RATE');
      expect(await take('b')).toBe('OK');
      expect(await take('c')).toBe('OK'); // evicts a
      expect(await take('a')).toBe('OK');
    })();
  });

  it('what was admitted reaches the shared counter within quotaSyncMs, without a full batch', async () => {
    const store = createStore({ kind: 'sqlite', path: ':memory:' });
    await store.init();
    const q = new QuotaCounters(store, {
      batch: 1000,
      syncMs: 20,
      dayOffsetMinutes: 0,
      maxKeys: 10,
    });
    try {
      for (let i = 0; i < 3; i++) await q.take([{ key: 'k', label: 'k', perDay: 100 }]);
      const day = Math.floor(Date.now() / 86_400_000);
      // Only the first read has reached the store so far.
      expect(await store.kvGet(QUOTA_NS, `${day}|k`)).toBe('0');
      await new Promise((r) => setTimeout(r, 80));
      expect(await store.kvGet(QUOTA_NS, `${day}|k`)).toBe('3');
    } finally {
      q.close();
      await store.close();
    }
  });
});
