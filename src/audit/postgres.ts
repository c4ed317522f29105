import pg from 'pg';
import { GatewayError } from '../message/errors.js';
import { PG_SCHEMA_PATTERN } from '../store/store.js';
import { PG_START_HINT } from '../store/postgres.js';
import type { AuditBackend, AuditQuery } from './backend.js';
import { auditDdl } from './ddl.js';
import type { AuditRow, CheckpointRow } from './record.js';

function unavailable(err: unknown, doing: string): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = (err as { code?: unknown })?.code;
  const reason = typeof code === 'string' ? code : err instanceof Error ? err.message : 'error';
  return new GatewayError(
    'LT_AUDIT_UNAVAILABLE',
    `PostgreSQL failed while ${doing} (${reason}); ${PG_START_HINT}`,
    undefined,
    { cause: err },
  );
}

/** A row as pg hands it over: BIGINT columns as strings, snake_case names. */
type PgRow = Omit<AuditRow, 'seq' | 'at' | 'keepUntil' | 'archive' | 'archivedAt'> & {
  seq: string;
  at: string;
  keep_until: string;
  archive?: string | null;
  archived_at?: string | null;
};

// BIGINT arrives as a string: ms and sequences fit in a double.
const fromDb = ({ keep_until, archive, archived_at, ...r }: PgRow): AuditRow => ({
  ...r,
  seq: Number(r.seq),
  at: Number(r.at),
  keepUntil: Number(keep_until),
  ...(archive ? { archive, archivedAt: Number(archived_at) } : {}),
});

/**
 * The sharing log in the store's PostgreSQL database and schema, on a small
 * pool of its own. A batch is ONE statement (rows passed as arrays and
 * unnested, the checkpoint in a CTE beside them), so it is one round trip
 * and atomic without BEGIN/COMMIT; with synchronous_commit on, it is durable
 * when the statement returns.
 */
export class PostgresAuditBackend implements AuditBackend {
  readonly kind = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly s: string;

  constructor(cfg: { url: string; schema?: string; poolSize?: number }) {
    const schema = cfg.schema ?? 'public';
    if (!new RegExp(PG_SCHEMA_PATTERN).test(schema))
      throw new GatewayError('LT_CONFIG_INVALID', `invalid PostgreSQL schema name "${schema}"`);
    this.s = `"${schema}"`;
    this.pool = new pg.Pool({
      connectionString: cfg.url,
      max: cfg.poolSize ?? 2,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      application_name: 'lienthong-audit',
    });
    this.pool.on('error', () => {});
  }

  private async q<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[],
    doing: string,
    name?: string,
  ): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>({ text, values, name });
    } catch (err) {
      throw unavailable(err, doing);
    }
  }

  async init(): Promise<void> {
    try {
      const c = await this.pool.connect();
      try {
        await c.query('BEGIN');
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lienthong.audit.${this.s}`]);
        await c.query(auditDdl('postgres', this.s));
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    } catch (err) {
      throw unavailable(err, 'creating the sharing-log tables');
    }
  }

  async write(rows: readonly AuditRow[], cp?: CheckpointRow): Promise<void> {
    const cols: unknown[][] = Array.from({ length: 15 }, () => []);
    for (const r of rows) {
      const v = [
        r.writer,
        r.seq,
        r.id,
        r.at,
        r.kind,
        r.route,
        r.service,
        r.org,
        r.officer,
        r.code,
        r.subjects,
        r.body,
        r.prev,
        r.hash,
        r.keepUntil,
      ];
      for (let i = 0; i < 15; i++) cols[i].push(v[i]);
    }
    const types = [
      'text',
      'bigint',
      'text',
      'bigint',
      'text',
      'text',
      'text',
      'text',
      'text',
      'text',
      'text',
      'text',
      'text',
      'text',
      'bigint',
    ];
    const unnest = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
    const insert = `INSERT INTO ${this.s}.lt_audit (writer, seq, id, at, kind, route, service, org, officer, code, subjects, body, prev, hash, keep_until)
      SELECT * FROM unnest(${unnest})`;
    if (!cp) {
      await this.q(insert, cols, 'writing sharing-log records', 'lt_audit_write');
      return;
    }
    await this.q(
      `WITH r AS (${insert} RETURNING 1)
       INSERT INTO ${this.s}.lt_audit_checkpoint (writer, seq, at, head, jws, final)
       SELECT $16, $17, $18, $19, $20, $21 FROM (SELECT count(*) FROM r) AS n
       ON CONFLICT (writer, seq) DO UPDATE SET at = EXCLUDED.at, head = EXCLUDED.head, jws = EXCLUDED.jws, final = EXCLUDED.final`,
      [...cols, cp.writer, cp.seq, cp.at, cp.head, cp.jws, cp.final],
      'writing sharing-log records and a checkpoint',
      'lt_audit_write_cp',
    );
  }

  /** Live rows and archived stubs as one chain ($1 writer, $2 after seq). */
  private get chainSql(): string {
    return `SELECT writer, seq, id, at, kind, route, service, org, officer, code, subjects, body, prev, hash, keep_until, NULL AS archive, NULL::bigint AS archived_at FROM ${this.s}.lt_audit WHERE writer = $1 AND seq > $2
      UNION ALL SELECT writer, seq, '', 0, '', NULL, NULL, NULL, NULL, '', '', '', prev, hash, keep_until, archive, archived_at FROM ${this.s}.lt_audit_archived WHERE writer = $1 AND seq > $2`;
  }

  async last(writer: string): Promise<AuditRow | undefined> {
    const r = await this.q<PgRow>(
      `${this.chainSql} ORDER BY seq DESC LIMIT 1`,
      [writer, 0],
      'reading the chain head',
    );
    return r.rows[0] ? fromDb(r.rows[0]) : undefined;
  }

  async writers(): Promise<string[]> {
    const r = await this.q<{ writer: string }>(
      `SELECT writer FROM ${this.s}.lt_audit UNION SELECT writer FROM ${this.s}.lt_audit_archived UNION SELECT writer FROM ${this.s}.lt_audit_checkpoint ORDER BY 1`,
      [],
      'listing writers',
    );
    return r.rows.map((x) => x.writer);
  }

  async chain(writer: string, afterSeq: number, limit: number): Promise<AuditRow[]> {
    const r = await this.q<PgRow>(
      `${this.chainSql} ORDER BY seq LIMIT $3`,
      [writer, afterSeq, limit],
      'reading a chain',
    );
    return r.rows.map(fromDb);
  }

  async checkpoints(writer: string): Promise<CheckpointRow[]> {
    const r = await this.q<{
      writer: string;
      seq: string;
      at: string;
      head: string;
      jws: string;
      final: boolean;
    }>(
      `SELECT * FROM ${this.s}.lt_audit_checkpoint WHERE writer = $1 ORDER BY seq`,
      [writer],
      'reading checkpoints',
    );
    return r.rows.map((c) => ({ ...c, seq: Number(c.seq), at: Number(c.at) }));
  }

  async query(q: AuditQuery): Promise<AuditRow[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: (p: string) => string, v: unknown) => {
      args.push(v);
      where.push(sql(`$${args.length}`));
    };
    if (q.from !== undefined) add((p) => `at >= ${p}`, q.from);
    if (q.to !== undefined) add((p) => `at < ${p}`, q.to);
    if (q.org !== undefined) add((p) => `org = ${p}`, q.org);
    if (q.officer !== undefined) add((p) => `officer = ${p}`, q.officer);
    if (q.route !== undefined) add((p) => `route = ${p}`, q.route);
    if (q.service !== undefined) add((p) => `service = ${p}`, q.service);
    if (q.subject !== undefined)
      add((p) => `(' ' || subjects || ' ') LIKE ${p}`, `% ${q.subject} %`);
    const r = await this.q<PgRow>(
      `SELECT * FROM ${this.s}.lt_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY at, writer, seq ${q.limit !== undefined ? `LIMIT ${Math.floor(q.limit)}` : ''}`,
      args,
      'searching the sharing log',
    );
    return r.rows.map(fromDb);
  }

  async expired(now: number, limit: number): Promise<AuditRow[]> {
    const r = await this.q<PgRow>(
      `SELECT * FROM ${this.s}.lt_audit WHERE keep_until <= $1 ORDER BY keep_until, writer, seq LIMIT $2`,
      [now, limit],
      'reading expired records',
    );
    return r.rows.map(fromDb);
  }

  async archive(rows: readonly AuditRow[], archive: string, at: number): Promise<void> {
    if (!rows.length) return;
    // One statement: the stubs are inserted and the rows deleted together, or neither.
    await this.q(
      `WITH gone AS (
         DELETE FROM ${this.s}.lt_audit a USING unnest($1::text[], $2::bigint[]) AS k(writer, seq)
         WHERE a.writer = k.writer AND a.seq = k.seq
         RETURNING a.writer, a.seq, a.prev, a.hash, a.keep_until)
       INSERT INTO ${this.s}.lt_audit_archived (writer, seq, prev, hash, keep_until, archive, archived_at)
       SELECT writer, seq, prev, hash, keep_until, $3, $4 FROM gone`,
      [rows.map((r) => r.writer), rows.map((r) => r.seq), archive, at],
      'archiving records',
    );
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => {});
  }
}
