import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayError } from '../../src/message/errors.js';
import { QuotaCounters, type QuotaOptions } from '../../src/limits/quota.js';
import { connectPg, PG_URL, testSchema } from '../helpers/pg.js';
import { createStore, type Store } from '../../src/store/store.js';

/**
 * Daily quotas shared by several instances (issue 19, "Limits";
 * docs/limits.md): the SAME tests on the embedded store and on the REAL
 * PostgreSQL. Each "instance" is its own QuotaCounters over its own store
 * connection to one database. When PostgreSQL is down the PostgreSQL half
 * FAILS with the command that starts it.
 */
const SCHEMA = testSchema('lt_quota');
const dir = mkdtempSync(join(tmpdir(), 'lt-quota-'));

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const admin = await connectPg();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  } finally {
    await admin.end().catch(() => {});
  }
});

/** A store that counts its kvAdd calls (the round trips the hot path would pay). */
function counted(store: Store): Store & { adds: number } {
  const s = store as Store & { adds: number };
  s.adds = 0;
  const add = store.kvAdd.bind(store);
  s.kvAdd = (...args) => {
    s.adds++;
    return add(...args);
  };
  return s;
}

const OPTS: QuotaOptions = { batch: 10, syncMs: 60_000, dayOffsetMinutes: 420, maxKeys: 1000 };

async function admitted(q: QuotaCounters, key: string, perDay: number, n: number) {
  const results = await Promise.allSettled(
    Array.from({ length: n }, () => q.take([{ key, label: key, perDay }])),
  );
  for (const r of results)
    if (r.status === 'rejected') expect((r.reason as GatewayError).code).toBe('LT_LIMIT_QUOTA');
  return results.filter((r) => r.status === 'fulfilled').length;
}

function describeQuota(kind: string, open: () => Promise<Store>) {
  describe(`daily quotas shared by instances: ${kind}`, () => {
    const stores: (Store & { adds: number })[] = [];
    const instances: QuotaCounters[] = [];
    let clock = Date.UTC(2026, 11, 4, 3, 0, 0);
    const now = () => clock;
    const key = () => `scope-${Math.random().toString(36).slice(2)}`;

    beforeAll(async () => {
      for (let i = 0; i < 3; i++) {
        const s = counted(await open());
        await s.init();
        stores.push(s);
        instances.push(new QuotaCounters(s, OPTS, undefined, now));
      }
    });
    afterAll(async () => {
      for (const q of instances) q.close();
      for (const s of stores) await s.close();
    });

    it('one instance admits exactly the quota, with one store call per batch, not per request', async () => {
      const k = key();
      const before = stores[0].adds;
      expect(await admitted(instances[0], k, 100, 130)).toBe(100);
      // 1 read + 10 reports of 10: far below the 100 requests admitted.
      expect(stores[0].adds - before).toBeLessThanOrEqual(12);
      await instances[0].flush();
      expect(
        Number(
          await stores[1].kvGet(
            'lt-quota',
            `${Math.floor((clock + 420 * 60_000) / 86_400_000)}|${k}`,
          ),
        ),
      ).toBe(100);
    });

    it('three instances together admit at most quota + (instances − 1) × batch, and the counter holds every admission', async () => {
      const k = key();
      const perDay = 200;
      let total = 0;
      // Interleaved waves across the instances, as a balancer spreads them.
      for (let wave = 0; wave < 12; wave++)
        for (const q of instances) total += await admitted(q, k, perDay, 7);
      expect(total).toBeGreaterThanOrEqual(perDay);
      expect(total).toBeLessThanOrEqual(perDay + 2 * OPTS.batch);
      for (const q of instances) await q.flush();
      const day = Math.floor((clock + 420 * 60_000) / 86_400_000);
      expect(Number(await stores[0].kvGet('lt-quota', `${day}|${k}`))).toBe(total);
      // Every instance now refuses: each has seen the shared total.
      for (const q of instances) expect(await admitted(q, k, perDay, 1)).toBe(0);
    });

    it('batch 1 keeps the bound tight: at most instances − 1 over the quota', async () => {
      const exact = stores.map((s) => new QuotaCounters(s, { ...OPTS, batch: 1 }, undefined, now));
      try {
        const k = key();
        const counts = await Promise.all(exact.map((q) => admitted(q, k, 25, 20)));
        const total = counts.reduce((a, b) => a + b, 0);
        expect(total).toBeGreaterThanOrEqual(25);
        expect(total).toBeLessThanOrEqual(25 + exact.length - 1);
      } finally {
        for (const q of exact) q.close();
      }
    });

    it('refuses with Retry-After until midnight in Vietnam (UTC+7), and starts again the next day', async () => {
      const k = key();
      clock = Date.UTC(2026, 11, 4, 16, 0, 0); // 23:00 in Hanoi
      expect(await admitted(instances[0], k, 3, 3)).toBe(3);
      let err: GatewayError | undefined;
      await instances[0].take([{ key: k, label: 'client "x"', perDay: 3 }]).catch((e) => (err = e));
      expect(err?.code).toBe('LT_LIMIT_QUOTA');
      expect(err?.data?.retryAfterSeconds).toBe(3600);
      expect(err?.detail).toContain('client "x"');
      clock = Date.UTC(2026, 11, 4, 17, 0, 0); // midnight in Hanoi
      expect(await admitted(instances[0], k, 3, 5)).toBe(3);
    });

    it('refuses with LT_STORE_UNAVAILABLE, not unlimited, when the counter cannot be read', async () => {
      const s = await open();
      await s.init();
      const q = new QuotaCounters(s, OPTS, undefined, now);
      await s.close();
      let code: string | undefined;
      await q.take([{ key: key(), label: 'x', perDay: 5 }]).catch((e) => (code = e.code));
      q.close();
      expect(code).toBe('LT_STORE_UNAVAILABLE');
    });
  });
}

describeQuota('sqlite', async () => createStore({ kind: 'sqlite', path: join(dir, 'quota.db') }));

describeQuota('postgres', async () => {
  await (await connectPg()).end();
  return createStore({ kind: 'postgres', url: PG_URL, schema: SCHEMA, poolSize: 4 });
});
