import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { GatewayError } from '../message/errors.js';
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations.js';
import { checkDelta, checkText, checkTime, type Store } from './store.js';
import type { SqlQueries, SqlRunner } from './sql.js';

function unavailable(err: unknown, doing: string): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = (err as { code?: unknown })?.code;
  return new GatewayError(
    'LT_STORE_UNAVAILABLE',
    `SQLite failed while ${doing}${typeof code === 'string' ? ` (${code})` : ''}`,
    undefined,
    { cause: err },
  );
}

/** Every statement the store runs, prepared once after the tables exist. */
function prepare(db: Database.Database) {
  const st = {
    remember: db.prepare<[string, string, number, number]>(
      `INSERT INTO lt_once (ns, key, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (ns, key) DO UPDATE SET expires_at = excluded.expires_at
       WHERE lt_once.expires_at <= ?`,
    ),
    kvGet: db
      .prepare<[string, string, number], string>(
        `SELECT value FROM lt_kv
         WHERE ns = ? AND key = ? AND (expires_at IS NULL OR expires_at > ?)`,
      )
      .pluck(),
    kvPut: db.prepare<[string, string, string, number | null]>(
      `INSERT INTO lt_kv (ns, key, value, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    kvDelete: db.prepare<[string, string]>(`DELETE FROM lt_kv WHERE ns = ? AND key = ?`),
    // A counter is a kv value holding an integer; an expired one starts again from the delta.
    kvAdd: db
      .prepare<[{ ns: string; key: string; delta: number; exp: number; now: number }], number>(
        `INSERT INTO lt_kv (ns, key, value, expires_at) VALUES (@ns, @key, CAST(CAST(@delta AS INTEGER) AS TEXT), @exp)
         ON CONFLICT (ns, key) DO UPDATE SET
           value = CASE WHEN lt_kv.expires_at IS NOT NULL AND lt_kv.expires_at <= @now
                        THEN CAST(CAST(@delta AS INTEGER) AS TEXT)
                        ELSE CAST(CAST(lt_kv.value AS INTEGER) + CAST(@delta AS INTEGER) AS TEXT) END,
           expires_at = CASE WHEN lt_kv.expires_at IS NOT NULL AND lt_kv.expires_at <= @now
                             THEN @exp ELSE lt_kv.expires_at END
         RETURNING CAST(value AS INTEGER)`,
      )
      .pluck(),
    kvPutIfAbsent: db.prepare<[string, string, string, number, number]>(
      `INSERT INTO lt_kv (ns, key, value, expires_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
       WHERE lt_kv.expires_at IS NOT NULL AND lt_kv.expires_at <= ?`,
    ),
    kvSetIf: db.prepare<[string, number | null, string, string, string, number]>(
      `UPDATE lt_kv SET value = ?, expires_at = ?
       WHERE ns = ? AND key = ? AND value = ? AND (expires_at IS NULL OR expires_at > ?)`,
    ),
    kvDeleteIf: db.prepare<[string, string, string, number]>(
      `DELETE FROM lt_kv
       WHERE ns = ? AND key = ? AND value = ? AND (expires_at IS NULL OR expires_at > ?)`,
    ),
    purgeKv: db.prepare<[number]>(`DELETE FROM lt_kv WHERE expires_at <= ?`),
    purgeOnce: db.prepare<[number]>(`DELETE FROM lt_once WHERE expires_at <= ?`),
    ping: db.prepare(`SELECT 1`).pluck(),
  };
  return {
    ...st,
    purge: db.transaction(
      (now: number) => st.purgeKv.run(now).changes + st.purgeOnce.run(now).changes,
    ),
  };
}

type Statements = ReturnType<typeof prepare>;

/**
 * Embedded store on better-sqlite3. Calls are synchronous underneath (a few
 * µs each, no event-loop hand-off); the Promise interface is for parity with
 * PostgreSQL. WAL with synchronous=NORMAL: readers never block the writer,
 * and a power cut can lose the last transactions but never corrupt the file.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private db?: Database.Database;
  private st?: Statements;
  private closed = false;
  /** The SQL runners' turn (sqlRunner): one transaction or write at a time on the one connection. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly now: () => number,
  ) {}

  async init(): Promise<void> {
    if (this.closed) throw new GatewayError('LT_STORE_UNAVAILABLE', 'store is closed');
    if (this.db) return;
    let db: Database.Database | undefined;
    try {
      if (this.path !== ':memory:' && !this.path.startsWith('file:')) {
        mkdirSync(dirname(this.path), { recursive: true });
      }
      db = new Database(this.path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // Another process (a CLI command beside the running gateway) may hold the write lock briefly.
      db.pragma('busy_timeout = 5000');
      this.migrate(db);
      this.st = prepare(db);
      this.db = db;
    } catch (err) {
      db?.close();
      throw unavailable(err, `opening ${this.path}`);
    }
  }

  private migrate(db: Database.Database): void {
    db.exec(MIGRATIONS_TABLE.sqlite);
    const appliedVersions = db.prepare('SELECT version FROM lt_schema_migrations').pluck();
    const record = db.prepare(
      'INSERT INTO lt_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    // IMMEDIATE takes the write lock before reading what is applied, so two
    // processes starting together cannot both decide a migration is pending.
    db.transaction(() => {
      const applied = new Set(appliedVersions.all() as number[]);
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        db.exec(m.sqlite);
        record.run(m.version, m.name, Date.now());
      }
    }).immediate();
  }

  private get s(): Statements {
    if (!this.st) {
      throw new GatewayError(
        'LT_STORE_UNAVAILABLE',
        this.closed ? 'store is closed' : 'store is not initialised (call init())',
      );
    }
    return this.st;
  }

  /** Durability settings of this connection, for `lienthong check` and tests. */
  settings(): { journalMode: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA' } {
    const db = this.db;
    if (!db) throw new GatewayError('LT_STORE_UNAVAILABLE', 'store is not open');
    const levels = ['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const;
    return {
      journalMode: db.pragma('journal_mode', { simple: true }) as string,
      synchronous: levels[db.pragma('synchronous', { simple: true }) as number],
    };
  }

  async ping(): Promise<void> {
    try {
      this.s.ping.get();
    } catch (err) {
      throw unavailable(err, 'pinging');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.st = undefined;
    const db = this.db;
    this.db = undefined;
    db?.close();
  }

  async rememberOnce(ns: string, key: string, expiresAtMs: number): Promise<boolean> {
    checkText('namespace', ns);
    checkText('key', key);
    const exp = checkTime('expiresAtMs', expiresAtMs);
    try {
      return this.s.remember.run(ns, key, exp, Math.floor(this.now())).changes === 1;
    } catch (err) {
      throw unavailable(err, 'remembering a key');
    }
  }

  async kvGet(ns: string, key: string): Promise<string | undefined> {
    checkText('namespace', ns);
    checkText('key', key);
    try {
      return this.s.kvGet.get(ns, key, Math.floor(this.now()));
    } catch (err) {
      throw unavailable(err, 'reading a value');
    }
  }

  async kvPut(ns: string, key: string, value: string, expiresAtMs?: number): Promise<void> {
    checkText('namespace', ns);
    checkText('key', key);
    checkText('value', value);
    const exp = expiresAtMs === undefined ? null : checkTime('expiresAtMs', expiresAtMs);
    try {
      this.s.kvPut.run(ns, key, value, exp);
    } catch (err) {
      throw unavailable(err, 'writing a value');
    }
  }

  async kvDelete(ns: string, key: string): Promise<void> {
    checkText('namespace', ns);
    checkText('key', key);
    try {
      this.s.kvDelete.run(ns, key);
    } catch (err) {
      throw unavailable(err, 'deleting a value');
    }
  }

  async kvAdd(ns: string, key: string, delta: number, expiresAtMs: number): Promise<number> {
    checkText('namespace', ns);
    checkText('key', key);
    const d = checkDelta(delta);
    const exp = checkTime('expiresAtMs', expiresAtMs);
    try {
      const now = Math.floor(this.now());
      return Number(this.s.kvAdd.get({ ns, key, delta: d, exp, now }));
    } catch (err) {
      throw unavailable(err, 'adding to a counter');
    }
  }

  async kvPutIfAbsent(
    ns: string,
    key: string,
    value: string,
    expiresAtMs: number,
  ): Promise<boolean> {
    checkText('namespace', ns);
    checkText('key', key);
    checkText('value', value);
    const exp = checkTime('expiresAtMs', expiresAtMs);
    try {
      return this.s.kvPutIfAbsent.run(ns, key, value, exp, Math.floor(this.now())).changes === 1;
    } catch (err) {
      throw unavailable(err, 'claiming a key');
    }
  }

  async kvCompareAndSet(
    ns: string,
    key: string,
    expected: string,
    value: string | undefined,
    expiresAtMs?: number,
  ): Promise<boolean> {
    checkText('namespace', ns);
    checkText('key', key);
    checkText('expected value', expected);
    if (value !== undefined) checkText('value', value);
    const exp = expiresAtMs === undefined ? null : checkTime('expiresAtMs', expiresAtMs);
    const now = Math.floor(this.now());
    try {
      const r =
        value === undefined
          ? this.s.kvDeleteIf.run(ns, key, expected, now)
          : this.s.kvSetIf.run(value, exp, ns, key, expected, now);
      return r.changes === 1;
    } catch (err) {
      throw unavailable(err, 'updating a claimed key');
    }
  }

  async purgeExpired(nowMs?: number): Promise<number> {
    const now =
      nowMs === undefined
        ? Math.floor(this.now())
        : checkTime('nowMs', Math.floor(nowMs as number));
    try {
      return this.s.purge(now);
    } catch (err) {
      throw unavailable(err, 'purging expired entries');
    }
  }

  sqlRunner(): SqlRunner {
    const db = () => {
      if (!this.db) throw new GatewayError('LT_STORE_UNAVAILABLE', 'store is not open');
      return this.db;
    };
    const q: SqlQueries = {
      async all<T>(sql: string, params: readonly unknown[] = []) {
        try {
          return db()
            .prepare(sql)
            .all(...params) as T[];
        } catch (err) {
          throw unavailable(err, 'querying');
        }
      },
      async run(sql: string, params: readonly unknown[] = []) {
        try {
          return db()
            .prepare(sql)
            .run(...params).changes;
        } catch (err) {
          throw unavailable(err, 'writing');
        }
      },
    };
    // One connection: a transaction's statements and any write outside it must not mix
    // (a write made while another runner's transaction awaits would commit or roll back
    // with it), so transactions and writes take turns, store-wide.
    const inTurn = <T>(step: () => Promise<T>): Promise<T> => {
      const mine = this.turn.then(step);
      this.turn = mine.catch(() => undefined);
      return mine;
    };
    return {
      dialect: 'sqlite',
      all: q.all,
      run: (sql, params) => inTurn(() => q.run(sql, params)),
      tx: <T>(fn: (q: SqlQueries) => Promise<T>): Promise<T> =>
        inTurn(async () => {
          db().exec('BEGIN IMMEDIATE');
          try {
            const r = await fn(q);
            db().exec('COMMIT');
            return r;
          } catch (err) {
            if (this.db?.inTransaction) this.db.exec('ROLLBACK');
            throw err;
          }
        }),
    };
  }
}
