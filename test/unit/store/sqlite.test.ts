import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GatewayError } from '../../../src/message/errors.js';
import { MIGRATIONS } from '../../../src/store/migrations.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { createStore } from '../../../src/store/store.js';
import { describeStoreContract } from './contract.js';

const dir = await mkdtemp(join(tmpdir(), 'lt-store-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describeStoreContract('sqlite', (now) =>
  createStore({ kind: 'sqlite', path: join(dir, 'contract', 'lienthong.db') }, { now }),
);

describe('SQLite store specifics', () => {
  it('creates the parent directory, uses WAL + synchronous=NORMAL, records migrations', async () => {
    const path = join(dir, 'a', 'b', 'state.db');
    const store = createStore({ kind: 'sqlite', path });
    expect(store.kind).toBe('sqlite');
    await store.init();
    await store.kvPut('ns', 'k', 'v');
    await store.close();
    expect((await stat(path)).isFile()).toBe(true);

    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const versions = db
        .prepare('SELECT version FROM lt_schema_migrations ORDER BY version')
        .pluck()
        .all();
      expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
      expect(
        db.prepare('SELECT value FROM lt_kv WHERE ns = ? AND key = ?').pluck().get('ns', 'k'),
      ).toBe('v');
    } finally {
      db.close();
    }
    // synchronous is per connection: ask the store's own.
    const again = new SqliteStore(path, Date.now);
    await again.init();
    expect(again.settings()).toEqual({ journalMode: 'wal', synchronous: 'NORMAL' });
    expect(await again.kvGet('ns', 'k')).toBe('v');
    await again.close();
  });

  it('supports :memory: and keeps data only in that store', async () => {
    const a = createStore({ kind: 'sqlite', path: ':memory:' });
    const b = createStore({ kind: 'sqlite', path: ':memory:' });
    await a.init();
    await b.init();
    await a.kvPut('ns', 'k', 'v');
    expect(await a.kvGet('ns', 'k')).toBe('v');
    expect(await b.kvGet('ns', 'k')).toBeUndefined();
    await a.close();
    await b.close();
  });

  it('refuses use before init and reports an unopenable path as LT_STORE_UNAVAILABLE', async () => {
    const s = createStore({ kind: 'sqlite', path: ':memory:' });
    await expect(s.kvGet('n', 'k')).rejects.toMatchObject({ code: 'LT_STORE_UNAVAILABLE' });
    // A directory where the database file should be cannot be opened.
    const bad = createStore({ kind: 'sqlite', path: dir });
    const err = await bad.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('LT_STORE_UNAVAILABLE');
  });
});

describe('migrations list', () => {
  it('has strictly increasing versions and SQL for both backends', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(new Set(versions).size).toBe(versions.length);
    for (const m of MIGRATIONS) {
      expect(m.sqlite.trim()).not.toBe('');
      expect(m.postgres.trim()).not.toBe('');
    }
  });
});
