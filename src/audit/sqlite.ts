import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { GatewayError } from '../message/errors.js';
import type { AuditBackend, AuditQuery } from './backend.js';
import { auditDdl } from './ddl.js';
import type { AuditRow, CheckpointRow } from './record.js';

interface DbRow extends Omit<AuditRow, 'keepUntil' | 'archive' | 'archivedAt'> {
  keep_until: number;
  archive?: string | null;
  archived_at?: number | null;
}

const fromDb = (r: DbRow): AuditRow => {
  const { keep_until, archive, archived_at, ...rest } = r;
  return {
    ...rest,
    keepUntil: keep_until,
    ...(archive ? { archive, archivedAt: archived_at ?? 0 } : {}),
  };
};

/** Live rows and archived stubs as one chain (a stub has no body: '' and nulls). */
const CHAIN = `SELECT writer, seq, id, at, kind, route, service, org, officer, code, subjects, body, prev, hash, keep_until, NULL AS archive, NULL AS archived_at FROM lt_audit WHERE writer = ? AND seq > ?
  UNION ALL SELECT writer, seq, '', 0, '', NULL, NULL, NULL, NULL, '', '', '', prev, hash, keep_until, archive, archived_at FROM lt_audit_archived WHERE writer = ? AND seq > ?`;

function unavailable(err: unknown, doing: string): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = (err as { code?: unknown })?.code;
  return new GatewayError(
    'LT_AUDIT_UNAVAILABLE',
    `SQLite failed while ${doing}${typeof code === 'string' ? ` (${code})` : ''}`,
    undefined,
    { cause: err },
  );
}

/**
 * The sharing log in the store's SQLite file (a connection of its own; WAL
 * lets the store's and the log's writes take turns). A batch is one
 * transaction; with synchronous=FULL its commit is on disk when write()
 * returns, which is what "the answer waits for its record" promises.
 */
export class SqliteAuditBackend implements AuditBackend {
  readonly kind = 'sqlite' as const;
  private db?: Database.Database;
  private st?: ReturnType<SqliteAuditBackend['prepare']>;

  constructor(private readonly path: string) {}

  async init(): Promise<void> {
    if (this.db) return;
    try {
      if (this.path !== ':memory:' && !this.path.startsWith('file:'))
        mkdirSync(dirname(this.path), { recursive: true });
      const db = new Database(this.path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.exec(auditDdl('sqlite'));
      this.db = db;
      this.st = this.prepare(db);
    } catch (err) {
      throw unavailable(err, `opening ${this.path}`);
    }
  }

  private prepare(db: Database.Database) {
    const insert = db.prepare(
      `INSERT INTO lt_audit (writer, seq, id, at, kind, route, service, org, officer, code, subjects, body, prev, hash, keep_until)
       VALUES (@writer, @seq, @id, @at, @kind, @route, @service, @org, @officer, @code, @subjects, @body, @prev, @hash, @keepUntil)`,
    );
    const checkpoint = db.prepare(
      `INSERT INTO lt_audit_checkpoint (writer, seq, at, head, jws, final) VALUES (@writer, @seq, @at, @head, @jws, @final)
       ON CONFLICT (writer, seq) DO UPDATE SET at = excluded.at, head = excluded.head, jws = excluded.jws, final = excluded.final`,
    );
    const del = db.prepare(`DELETE FROM lt_audit WHERE writer = ? AND seq = ?`);
    const stub = db.prepare(
      `INSERT INTO lt_audit_archived (writer, seq, prev, hash, keep_until, archive, archived_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    return {
      write: db.transaction((rows: readonly AuditRow[], cp?: CheckpointRow) => {
        for (const r of rows) insert.run(r);
        if (cp) checkpoint.run({ ...cp, final: cp.final ? 1 : 0 });
      }),
      last: db.prepare<[string, number, string, number], DbRow>(
        `${CHAIN} ORDER BY seq DESC LIMIT 1`,
      ),
      writers: db
        .prepare(
          `SELECT writer FROM lt_audit UNION SELECT writer FROM lt_audit_archived UNION SELECT writer FROM lt_audit_checkpoint ORDER BY 1`,
        )
        .pluck(),
      chain: db.prepare<[string, number, string, number, number], DbRow>(
        `${CHAIN} ORDER BY seq LIMIT ?`,
      ),
      expired: db.prepare<[number, number], DbRow>(
        `SELECT * FROM lt_audit WHERE keep_until <= ? ORDER BY keep_until, writer, seq LIMIT ?`,
      ),
      checkpoints: db.prepare<[string], Omit<CheckpointRow, 'final'> & { final: number }>(
        `SELECT * FROM lt_audit_checkpoint WHERE writer = ? ORDER BY seq`,
      ),
      archive: db.transaction((rows: readonly AuditRow[], archive: string, at: number) => {
        for (const r of rows) {
          stub.run(r.writer, r.seq, r.prev, r.hash, r.keepUntil, archive, at);
          del.run(r.writer, r.seq);
        }
      }),
    };
  }

  private get s() {
    if (!this.st) throw new GatewayError('LT_AUDIT_UNAVAILABLE', 'sharing log is not open');
    return this.st;
  }

  async write(rows: readonly AuditRow[], checkpoint?: CheckpointRow): Promise<void> {
    try {
      this.s.write(rows, checkpoint);
    } catch (err) {
      throw unavailable(err, 'writing sharing-log records');
    }
  }

  async last(writer: string): Promise<AuditRow | undefined> {
    const r = this.s.last.get(writer, 0, writer, 0);
    return r ? fromDb(r) : undefined;
  }

  async writers(): Promise<string[]> {
    return this.s.writers.all() as string[];
  }

  async chain(writer: string, afterSeq: number, limit: number): Promise<AuditRow[]> {
    return this.s.chain.all(writer, afterSeq, writer, afterSeq, limit).map(fromDb);
  }

  async checkpoints(writer: string): Promise<CheckpointRow[]> {
    return this.s.checkpoints.all(writer).map((c) => ({ ...c, final: c.final === 1 }));
  }

  async query(q: AuditQuery): Promise<AuditRow[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      where.push(sql);
      args.push(v);
    };
    if (q.from !== undefined) add('at >= ?', q.from);
    if (q.to !== undefined) add('at < ?', q.to);
    if (q.org !== undefined) add('org = ?', q.org);
    if (q.officer !== undefined) add('officer = ?', q.officer);
    if (q.route !== undefined) add('route = ?', q.route);
    if (q.service !== undefined) add('service = ?', q.service);
    if (q.subject !== undefined) add(`(' ' || subjects || ' ') LIKE ?`, `% ${q.subject} %`);
    const sql = `SELECT * FROM lt_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY at, writer, seq ${q.limit !== undefined ? `LIMIT ${Math.floor(q.limit)}` : ''}`;
    return (this.db!.prepare(sql).all(...args) as DbRow[]).map(fromDb);
  }

  async expired(now: number, limit: number): Promise<AuditRow[]> {
    return this.s.expired.all(now, limit).map(fromDb);
  }

  async archive(rows: readonly AuditRow[], archive: string, at: number): Promise<void> {
    try {
      this.s.archive(rows, archive, at);
    } catch (err) {
      throw unavailable(err, 'archiving records');
    }
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    this.st = undefined;
    db?.close();
  }
}
