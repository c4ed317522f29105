import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Store } from '../../../src/store/store.js';
import { codeOf } from '../../helpers/errors.js';

/** A clock the tests move by hand, so expiry needs no waiting. */
export interface TestClock {
  now: () => number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function testClock(start = Date.UTC(2025, 6, 1, 0, 0, 0)): TestClock {
  let t = start;
  return {
    now: () => t,
    set: (ms) => void (t = ms),
    advance: (ms) => void (t += ms),
  };
}

/**
 * The behaviour every Store backend must have; run against SQLite in unit
 * tests and against the real PostgreSQL in integration tests. makeStore
 * returns a new, not yet initialised store reading time from `now`; every
 * store it returns must share one database (SQLite: one file, not :memory:).
 */
export function describeStoreContract(
  name: string,
  makeStore: (now: () => number) => Store | Promise<Store>,
): void {
  describe(`Store contract: ${name}`, () => {
    const clock = testClock();
    let store: Store;
    // Each test writes under its own namespace, so tests share one store safely.
    const ns = () => `t-${randomUUID()}`;

    beforeAll(async () => {
      store = await makeStore(clock.now);
      await store.init();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('initialises idempotently and answers ping', async () => {
      const n = ns();
      await store.kvPut(n, 'k', 'v');
      await store.init();
      await store.ping();
      expect(await store.kvGet(n, 'k')).toBe('v');
      // A second store on the same backend finds the tables already there.
      const other = await makeStore(clock.now);
      try {
        await other.init();
        expect(await other.kvGet(n, 'k')).toBe('v');
      } finally {
        await other.close();
      }
    });

    it('puts, gets, overwrites and deletes values per namespace', async () => {
      const a = ns();
      const b = ns();
      expect(await store.kvGet(a, 'missing')).toBeUndefined();
      await store.kvPut(a, 'token', 'một');
      await store.kvPut(b, 'token', 'hai');
      expect(await store.kvGet(a, 'token')).toBe('một');
      expect(await store.kvGet(b, 'token')).toBe('hai');
      await store.kvPut(a, 'token', 'ba');
      expect(await store.kvGet(a, 'token')).toBe('ba');
      await store.kvDelete(a, 'token');
      expect(await store.kvGet(a, 'token')).toBeUndefined();
      expect(await store.kvGet(b, 'token')).toBe('hai');
      await store.kvDelete(a, 'never-there');
    });

    it('round-trips Vietnamese text, empty strings and large values exactly', async () => {
      const n = ns();
      const values = [
        '',
        'Cộng hòa Xã hội Chủ nghĩa Việt Nam 🇻🇳',
        'x'.repeat(200_000),
        '{"a":[1,2]}',
      ];
      for (const [i, v] of values.entries()) await store.kvPut(n, `k${i}`, v);
      for (const [i, v] of values.entries()) expect(await store.kvGet(n, `k${i}`)).toBe(v);
      await store.kvPut(n, 'khóa có dấu', 'giá trị');
      expect(await store.kvGet(n, 'khóa có dấu')).toBe('giá trị');
    });

    it('hides expired values and purges them; unexpiring values stay', async () => {
      const n = ns();
      const t0 = clock.now();
      await store.kvPut(n, 'short', 's', t0 + 1000);
      await store.kvPut(n, 'long', 'l', t0 + 60_000);
      await store.kvPut(n, 'forever', 'f');
      expect(await store.kvGet(n, 'short')).toBe('s');
      clock.advance(1000); // expired exactly at expiresAtMs
      try {
        expect(await store.kvGet(n, 'short')).toBeUndefined();
        expect(await store.kvGet(n, 'long')).toBe('l');
        // Overwriting without expiry makes a value permanent.
        await store.kvPut(n, 'long', 'l2');
        clock.advance(120_000);
        expect(await store.kvGet(n, 'long')).toBe('l2');
        expect(await store.kvGet(n, 'forever')).toBe('f');
      } finally {
        clock.set(t0);
      }
    });

    it('rememberOnce: true the first time, false while unexpired, true again after expiry', async () => {
      const n = ns();
      const t0 = clock.now();
      try {
        expect(await store.rememberOnce(n, 'jti-1', t0 + 5000)).toBe(true);
        expect(await store.rememberOnce(n, 'jti-1', t0 + 5000)).toBe(false);
        expect(await store.rememberOnce(n, 'jti-1', t0 + 99_000)).toBe(false);
        expect(await store.rememberOnce(n, 'jti-2', t0 + 5000)).toBe(true);
        expect(await store.rememberOnce(ns(), 'jti-1', t0 + 5000)).toBe(true);
        clock.advance(5000);
        expect(await store.rememberOnce(n, 'jti-1', t0 + 10_000)).toBe(true);
        expect(await store.rememberOnce(n, 'jti-1', t0 + 10_000)).toBe(false);
      } finally {
        clock.set(t0);
      }
    });

    it('rememberOnce under concurrency: N parallel calls for one key, exactly one true', async () => {
      const n = ns();
      const exp = clock.now() + 60_000;
      const results = await Promise.all(
        Array.from({ length: 40 }, () => store.rememberOnce(n, 'same-jti', exp)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      // …and for distinct keys, every one is new.
      const distinct = await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.rememberOnce(n, `jti-${i}`, exp)),
      );
      expect(distinct.every(Boolean)).toBe(true);
    });

    it('kvPutIfAbsent claims once while unexpired, replaces an expired entry, never an unexpiring one', async () => {
      const n = ns();
      const t0 = clock.now();
      try {
        expect(await store.kvPutIfAbsent(n, 'm-1', 'lease:a', t0 + 1000)).toBe(true);
        expect(await store.kvPutIfAbsent(n, 'm-1', 'lease:b', t0 + 1000)).toBe(false);
        expect(await store.kvGet(n, 'm-1')).toBe('lease:a');
        clock.advance(1000);
        expect(await store.kvPutIfAbsent(n, 'm-1', 'lease:b', t0 + 5000)).toBe(true);
        expect(await store.kvGet(n, 'm-1')).toBe('lease:b');
        await store.kvPut(n, 'forever', 'x');
        expect(await store.kvPutIfAbsent(n, 'forever', 'y', t0 + 9000)).toBe(false);
        expect(await store.kvGet(n, 'forever')).toBe('x');
      } finally {
        clock.set(t0);
      }
    });

    it('kvPutIfAbsent under concurrency: N parallel claims for one key, exactly one true', async () => {
      const n = ns();
      const exp = clock.now() + 60_000;
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.kvPutIfAbsent(n, 'msg', `lease:${i}`, exp)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true);
      expect(await store.kvGet(n, 'msg')).toBe(`lease:${winner}`);
    });

    it('kvCompareAndSet changes or deletes only the expected, unexpired value', async () => {
      const n = ns();
      const t0 = clock.now();
      try {
        await store.kvPutIfAbsent(n, 'm', 'lease:a', t0 + 1000);
        expect(await store.kvCompareAndSet(n, 'm', 'lease:b', 'done', t0 + 9000)).toBe(false);
        expect(await store.kvCompareAndSet(n, 'm', 'lease:a', 'done', t0 + 9000)).toBe(true);
        expect(await store.kvGet(n, 'm')).toBe('done');
        clock.advance(1000); // the old lease's time has passed; the new expiry holds
        expect(await store.kvGet(n, 'm')).toBe('done');
        expect(await store.kvCompareAndSet(n, 'm', 'lease:a', undefined)).toBe(false);
        expect(await store.kvCompareAndSet(n, 'm', 'done', undefined)).toBe(true);
        expect(await store.kvGet(n, 'm')).toBeUndefined();
        // A holder whose lease expired changes nothing.
        await store.kvPutIfAbsent(n, 'late', 'lease:a', clock.now() + 10);
        clock.advance(10);
        expect(await store.kvCompareAndSet(n, 'late', 'lease:a', 'done', clock.now() + 9000)).toBe(
          false,
        );
        expect(await store.kvCompareAndSet(n, 'late', 'lease:a', undefined)).toBe(false);
      } finally {
        clock.set(t0);
      }
    });

    it('purgeExpired deletes expired values and remembered keys, and counts them', async () => {
      const n = ns();
      const t0 = clock.now();
      // Leftovers of other tests must not be counted: purge them at a time far ahead first.
      await store.purgeExpired(t0 + 10 * 86_400_000);
      await store.kvPut(n, 'a', '1', t0 + 10);
      await store.kvPut(n, 'b', '2', t0 + 20);
      await store.kvPut(n, 'c', '3', t0 + 100 * 86_400_000);
      await store.kvPut(n, 'd', '4');
      await store.rememberOnce(n, 'x', t0 + 15);
      await store.rememberOnce(n, 'y', t0 + 100 * 86_400_000);
      expect(await store.purgeExpired(t0 + 5)).toBe(0);
      expect(await store.purgeExpired(t0 + 15)).toBe(2);
      clock.set(t0 + 20);
      try {
        expect(await store.purgeExpired()).toBe(1);
        expect(await store.purgeExpired()).toBe(0);
        expect(await store.kvGet(n, 'c')).toBe('3');
        expect(await store.kvGet(n, 'd')).toBe('4');
        expect(await store.rememberOnce(n, 'y', t0 + 100 * 86_400_000)).toBe(false);
        // A purged key can be remembered again.
        expect(await store.rememberOnce(n, 'x', t0 + 1000)).toBe(true);
      } finally {
        clock.set(t0);
      }
    });

    it('kvAdd: counts atomically under concurrency, restarts after expiry (daily quotas)', async () => {
      const n = ns();
      const t0 = clock.now();
      const exp = t0 + 1000;
      expect(await store.kvAdd(n, 'q', 5, exp)).toBe(5);
      const totals = await Promise.all(
        Array.from({ length: 30 }, () => store.kvAdd(n, 'q', 2, exp)),
      );
      // Every add saw a distinct total: none was lost or counted twice.
      expect(new Set(totals).size).toBe(30);
      expect(Math.max(...totals)).toBe(65);
      expect(await store.kvAdd(n, 'q', 0, exp)).toBe(65);
      // Stored as the integer's text on both backends (kvGet reads the same value).
      expect(await store.kvGet(n, 'q')).toBe('65');
      // A later expiry passed with an add does not extend the current counter's day.
      expect(await store.kvAdd(n, 'q', 1, t0 + 999_999)).toBe(66);
      try {
        clock.set(t0 + 1000);
        expect(await store.kvAdd(n, 'q', 3, t0 + 5000)).toBe(3);
        clock.set(t0 + 4999);
        expect(await store.kvAdd(n, 'q', 1, t0 + 9000)).toBe(4);
        expect(await codeOf(store.kvAdd(n, 'q', 1.5, exp))).toBe('LT_INTERNAL');
      } finally {
        clock.set(t0);
      }
    });

    it('refuses NUL characters and non-finite times the same way on every backend', async () => {
      const n = ns();
      expect(await codeOf(store.kvPut(n, 'a\u0000b', 'v'))).toBe('LT_INTERNAL');
      expect(await codeOf(store.kvPut(n, 'k', 'v\u0000'))).toBe('LT_INTERNAL');
      expect(await codeOf(store.rememberOnce(n, 'k', Number.NaN))).toBe('LT_INTERNAL');
      expect(await codeOf(store.kvPut(n, 'k', 'v', Number.POSITIVE_INFINITY))).toBe('LT_INTERNAL');
      expect(await store.kvGet(n, 'k')).toBeUndefined();
    });

    it('reports LT_STORE_UNAVAILABLE after close, and close is idempotent', async () => {
      const s = await makeStore(clock.now);
      await s.init();
      await s.close();
      await s.close();
      expect(await codeOf(s.ping())).toBe('LT_STORE_UNAVAILABLE');
      expect(await codeOf(s.kvGet('n', 'k'))).toBe('LT_STORE_UNAVAILABLE');
      expect(await codeOf(s.rememberOnce('n', 'k', clock.now() + 1))).toBe('LT_STORE_UNAVAILABLE');
    });
  });
}
