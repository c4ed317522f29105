import pg from 'pg';
import { STORE_DEFAULTS } from '../config/defaults.js';
import { GatewayError } from '../message/errors.js';
import { MIGRATIONS, MIGRATIONS_TABLE } from './migrations.js';
import { PG_SCHEMA_PATTERN, checkDelta, checkText, checkTime, type Store } from './store.js';
import { numberPlaceholders, type SqlQueries, type SqlRunner } from './sql.js';

export interface PostgresStoreConfig {
  url: string;
  /** Schema holding the tables; default public. Tests use a throw-away one. */
  schema?: string;
  /** Connections per gateway instance; default `store.poolSize`'s. */
  poolSize?: number;
}

export const PG_START_HINT =
  'start PostgreSQL with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';

/** Errors that mean "cannot reach or use the server", as opposed to a failed statement. */
const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string') {
    if (CONNECTION_ERRNOS.has(code)) return true;
    // SQLSTATE 08 connection exception, 28 authorization, 3D000 no such
    // database, 53300 too many connections, 57P0x server shutting down.
    if (/^(08|28)/.test(code) || code === '3D000' || code === '53300' || /^57P0/.test(code)) {
      return true;
    }
  }
  const message = err instanceof Error ? err.message : '';
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED/i.test(
    message,
  );
}

function unavailable(err: unknown, doing: string): GatewayError {
  if (err instanceof GatewayError) return err;
  const code = (err as { code?: unknown })?.code;
  const reason = typeof code === 'string' ? code : err instanceof Error ? err.message : 'error';
  const detail = isConnectionError(err)
    ? `PostgreSQL is unreachable while ${doing} (${reason}); ${PG_START_HINT}`
    : `PostgreSQL failed while ${doing} (${reason})`;
  return new GatewayError('LT_STORE_UNAVAILABLE', detail, undefined, { cause: err });
}

/** A double-quoted identifier; the schema is also checked against PG_SCHEMA_PATTERN. */
function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Statement texts built once per store (schema-qualified, so nothing depends
 * on a pooled connection's search_path). Named, so each connection parses and
 * plans them once and then only binds parameters.
 */
function statements(schema: string) {
  const s = ident(schema);
  // Names are per connection, and a pool serves one store, so they need no schema suffix.
  const q = (name: string, text: string) => ({ name: `lt_${name}`, text });
  return {
    // ONE statement: the row lock taken by ON CONFLICT makes concurrent calls
    // for the same key queue behind each other, and the loser re-evaluates the
    // WHERE against the winner's row, so exactly one caller sees rowCount 1.
    remember: q(
      'remember',
      `INSERT INTO ${s}.lt_once AS o (ns, key, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (ns, key) DO UPDATE SET expires_at = EXCLUDED.expires_at
       WHERE o.expires_at <= $4`,
    ),
    kvGet: q(
      'kv_get',
      `SELECT value FROM ${s}.lt_kv
       WHERE ns = $1 AND key = $2 AND (expires_at IS NULL OR expires_at > $3)`,
    ),
    kvPut: q(
      'kv_put',
      `INSERT INTO ${s}.lt_kv (ns, key, value, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (ns, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
    ),
    kvDelete: q('kv_delete', `DELETE FROM ${s}.lt_kv WHERE ns = $1 AND key = $2`),
    // One statement, row-locked by ON CONFLICT: concurrent adds from every instance serialise.
    kvAdd: q(
      'kv_add',
      `INSERT INTO ${s}.lt_kv AS c (ns, key, value, expires_at) VALUES ($1, $2, $3::bigint::text, $4)
       ON CONFLICT (ns, key) DO UPDATE SET
         value = CASE WHEN c.expires_at IS NOT NULL AND c.expires_at <= $5 THEN EXCLUDED.value
                      ELSE (c.value::bigint + $3::bigint)::text END,
         expires_at = CASE WHEN c.expires_at IS NOT NULL AND c.expires_at <= $5
                           THEN EXCLUDED.expires_at ELSE c.expires_at END
       RETURNING value`,
    ),
    // One statement each, race-free for the same reason as remember.
    kvPutIfAbsent: q(
      'kv_put_if_absent',
      `INSERT INTO ${s}.lt_kv AS k (ns, key, value, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (ns, key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
       WHERE k.expires_at IS NOT NULL AND k.expires_at <= $5`,
    ),
    kvSetIf: q(
      'kv_set_if',
      `UPDATE ${s}.lt_kv SET value = $1, expires_at = $2
       WHERE ns = $3 AND key = $4 AND value = $5 AND (expires_at IS NULL OR expires_at > $6)`,
    ),
    kvDeleteIf: q(
      'kv_delete_if',
      `DELETE FROM ${s}.lt_kv
       WHERE ns = $1 AND key = $2 AND value = $3 AND (expires_at IS NULL OR expires_at > $4)`,
    ),
    purge: q(
      'purge',
      `WITH kv AS (DELETE FROM ${s}.lt_kv WHERE expires_at <= $1 RETURNING 1),
            once AS (DELETE FROM ${s}.lt_once WHERE expires_at <= $1 RETURNING 1)
       SELECT (SELECT count(*) FROM kv) + (SELECT count(*) FROM once) AS n`,
    ),
  };
}

/** Shared state for several gateway instances, on a pg Pool. */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly sql: ReturnType<typeof statements>;
  private closed = false;

  constructor(
    cfg: PostgresStoreConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.schema = cfg.schema ?? 'public';
    if (!new RegExp(PG_SCHEMA_PATTERN).test(this.schema)) {
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `invalid PostgreSQL schema name "${this.schema}"`,
      );
    }
    this.sql = statements(this.schema);
    this.pool = new pg.Pool({
      connectionString: cfg.url,
      max: cfg.poolSize ?? STORE_DEFAULTS.poolSize,
      // Fail a request in seconds rather than queue it forever when the server is gone.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      application_name: 'lienthong',
      // Unqualified table names of plain-SQL components (src/store/sql.ts) resolve in the
      // store's schema; the store's own statements are qualified and do not depend on it.
      // The schema matches PG_SCHEMA_PATTERN (checked above), so it needs no quoting.
      options: `-c search_path=${this.schema}`,
    });
    // An idle connection dropped by the server emits 'error' on the pool;
    // unhandled, it would crash the process. The pool discards that client and
    // the next query reports LT_STORE_UNAVAILABLE, which is where it matters.
    this.pool.on('error', () => {});
  }

  private ensureOpen(): void {
    if (this.closed) throw new GatewayError('LT_STORE_UNAVAILABLE', 'store is closed');
  }

  async init(): Promise<void> {
    await this.transaction(async (client) => {
      // Instances starting together take turns; the second finds nothing pending.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `lienthong.migrate.${this.schema}`,
      ]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${ident(this.schema)}`);
      await client.query(`SET LOCAL search_path TO ${ident(this.schema)}`);
      await client.query(MIGRATIONS_TABLE.postgres);
      const { rows } = await client.query<{ version: number }>(
        'SELECT version FROM lt_schema_migrations',
      );
      const applied = new Set(rows.map((r) => r.version));
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await client.query(m.postgres);
        await client.query('INSERT INTO lt_schema_migrations (version, name) VALUES ($1, $2)', [
          m.version,
          m.name,
        ]);
      }
    }, 'migrating');
  }

  /**
   * `fn` on one pooled connection inside BEGIN … COMMIT, rolled back when it
   * throws; a failure is LT_STORE_UNAVAILABLE while `doing` (a GatewayError
   * passes unchanged).
   */
  private async transaction<T>(
    fn: (client: pg.PoolClient) => Promise<T>,
    doing: string,
  ): Promise<T> {
    this.ensureOpen();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw unavailable(err, 'connecting');
    }
    try {
      await client.query('BEGIN');
      const r = await fn(client);
      await client.query('COMMIT');
      return r;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw unavailable(err, doing);
    } finally {
      client.release();
    }
  }

  private async query(
    q: { name: string; text: string },
    values: unknown[],
    doing: string,
  ): Promise<pg.QueryResult> {
    this.ensureOpen();
    try {
      return await this.pool.query({ name: q.name, text: q.text, values });
    } catch (err) {
      throw unavailable(err, doing);
    }
  }

  async ping(): Promise<void> {
    this.ensureOpen();
    try {
      await this.pool.query('SELECT 1');
    } catch (err) {
      throw unavailable(err, 'pinging');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  async rememberOnce(ns: string, key: string, expiresAtMs: number): Promise<boolean> {
    checkText('namespace', ns);
    checkText('key', key);
    const exp = checkTime('expiresAtMs', expiresAtMs);
    const r = await this.query(
      this.sql.remember,
      [ns, key, exp, Math.floor(this.now())],
      'remembering a key',
    );
    return r.rowCount === 1;
  }

  async kvGet(ns: string, key: string): Promise<string | undefined> {
    checkText('namespace', ns);
    checkText('key', key);
    const r = await this.query(
      this.sql.kvGet,
      [ns, key, Math.floor(this.now())],
      'reading a value',
    );
    return r.rows.length === 0 ? undefined : (r.rows[0].value as string);
  }

  async kvPut(ns: string, key: string, value: string, expiresAtMs?: number): Promise<void> {
    checkText('namespace', ns);
    checkText('key', key);
    checkText('value', value);
    const exp = expiresAtMs === undefined ? null : checkTime('expiresAtMs', expiresAtMs);
    await this.query(this.sql.kvPut, [ns, key, value, exp], 'writing a value');
  }

  async kvDelete(ns: string, key: string): Promise<void> {
    checkText('namespace', ns);
    checkText('key', key);
    await this.query(this.sql.kvDelete, [ns, key], 'deleting a value');
  }

  async kvAdd(ns: string, key: string, delta: number, expiresAtMs: number): Promise<number> {
    checkText('namespace', ns);
    checkText('key', key);
    const d = checkDelta(delta);
    const exp = checkTime('expiresAtMs', expiresAtMs);
    const r = await this.query(
      this.sql.kvAdd,
      [ns, key, String(d), exp, Math.floor(this.now())],
      'adding to a counter',
    );
    return Number((r.rows[0] as { value: string }).value);
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
    const r = await this.query(
      this.sql.kvPutIfAbsent,
      [ns, key, value, exp, Math.floor(this.now())],
      'claiming a key',
    );
    return r.rowCount === 1;
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
    const r =
      value === undefined
        ? await this.query(this.sql.kvDeleteIf, [ns, key, expected, now], 'releasing a claim')
        : await this.query(
            this.sql.kvSetIf,
            [value, exp, ns, key, expected, now],
            'updating a claimed key',
          );
    return r.rowCount === 1;
  }

  async purgeExpired(nowMs?: number): Promise<number> {
    const now =
      nowMs === undefined
        ? Math.floor(this.now())
        : checkTime('nowMs', Math.floor(nowMs as number));
    const r = await this.query(this.sql.purge, [now], 'purging expired entries');
    // count(*) is bigint, which pg hands over as a string.
    return Number(r.rows[0].n);
  }

  sqlRunner(): SqlRunner {
    const over = (c: pg.Pool | pg.PoolClient): SqlQueries => ({
      all: async <T>(sql: string, params: readonly unknown[] = []) => {
        this.ensureOpen();
        try {
          return (await c.query(numberPlaceholders(sql), [...params])).rows as T[];
        } catch (err) {
          throw unavailable(err, 'querying');
        }
      },
      run: async (sql: string, params: readonly unknown[] = []) => {
        this.ensureOpen();
        try {
          return (await c.query(numberPlaceholders(sql), [...params])).rowCount ?? 0;
        } catch (err) {
          throw unavailable(err, 'writing');
        }
      },
    });
    return {
      dialect: 'postgres',
      ...over(this.pool),
      tx: <T>(fn: (q: SqlQueries) => Promise<T>): Promise<T> =>
        this.transaction((client) => fn(over(client)), 'in a transaction'),
    };
  }
}
