import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { GatewayError } from '../../src/message/errors.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { PG_START_HINT, PostgresStore } from '../../src/store/postgres.js';
import { createStore } from '../../src/store/store.js';
import { describeStoreContract } from '../unit/store/contract.js';

/**
 * The Store contract against the REAL PostgreSQL. Each run works in its own
 * schema, dropped at the end. When PostgreSQL is down this suite FAILS with
 * the command that starts it: a skipped suite would let a broken production
 * backend pass unnoticed.
 */
const PG_URL = process.env.LT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `${process.pid}_${Date.now().toString(36)}`;
const SCHEMA = `lt_test_${run}`;
const SCHEMA_BY_FILE = `lt_test_file_${run}`;

const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
let connected = false;

beforeAll(async () => {
  try {
    await admin.connect();
    connected = true;
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL} (${(err as Error).message}). ` +
        `These integration tests need it: ${PG_START_HINT}`,
    );
  }
});

afterAll(async () => {
  if (!connected) return;
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA_BY_FILE} CASCADE`);
  await admin.end();
});

describeStoreContract('postgres', (now) =>
  createStore({ kind: 'postgres', url: PG_URL, schema: SCHEMA, poolSize: 8 }, { now }),
);

describe('PostgreSQL store specifics', () => {
  it('rememberOnce is race-free across instances (separate pools)', async () => {
    const stores = Array.from(
      { length: 4 },
      () => new PostgresStore({ url: PG_URL, schema: SCHEMA, poolSize: 5 }),
    );
    try {
      await Promise.all(stores.map((s) => s.init()));
      const exp = Date.now() + 60_000;
      for (let round = 0; round < 5; round++) {
        const key = `jti-${round}`;
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            stores[i % stores.length].rememberOnce('race', key, exp),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('records applied migrations in lt_schema_migrations', async () => {
    const store = createStore({ kind: 'postgres', url: PG_URL, schema: SCHEMA });
    await store.init();
    await store.close();
    const { rows } = await admin.query(
      `SELECT version FROM ${SCHEMA}.lt_schema_migrations ORDER BY version`,
    );
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('deploy/postgres/001_init.sql creates the same tables as the code, and init() accepts them', async () => {
    const sql = await readFile(
      new URL('../../deploy/postgres/001_init.sql', import.meta.url),
      'utf8',
    );
    await admin.query('BEGIN');
    await admin.query(`CREATE SCHEMA ${SCHEMA_BY_FILE}`);
    await admin.query(`SET LOCAL search_path TO ${SCHEMA_BY_FILE}`);
    await admin.query(sql);
    await admin.query('COMMIT');

    const shape = async (schema: string) => {
      const cols = await admin.query(
        // A sequence default names its schema (BIGSERIAL columns): compared without it.
        `SELECT table_name, column_name, data_type, is_nullable,
                replace(column_default, $2, 'S.') AS column_default
           FROM information_schema.columns WHERE table_schema = $1
          ORDER BY table_name, ordinal_position`,
        [schema, `${schema}.`],
      );
      const idx = await admin.query(
        `SELECT indexname, replace(indexdef, $1, 'S') AS def FROM pg_indexes
          WHERE schemaname = $2 ORDER BY indexname`,
        [`${schema}.`, schema],
      );
      return { columns: cols.rows, indexes: idx.rows };
    };
    // The code-made schema exists once the contract suite has run init().
    const byCode = await shape(SCHEMA);
    expect(byCode.columns.length).toBeGreaterThan(0);
    expect(await shape(SCHEMA_BY_FILE)).toEqual(byCode);

    const store = createStore({ kind: 'postgres', url: PG_URL, schema: SCHEMA_BY_FILE });
    try {
      await store.init();
      expect(await store.rememberOnce('n', 'k', Date.now() + 1000)).toBe(true);
      expect(await store.rememberOnce('n', 'k', Date.now() + 1000)).toBe(false);
    } finally {
      await store.close();
    }
  });

  it('reports an unreachable server as LT_STORE_UNAVAILABLE with how to start PostgreSQL', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const store = createStore({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:1/test' });
    try {
      for (const op of [() => store.init(), () => store.ping(), () => store.kvGet('n', 'k')]) {
        const err = await op().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(GatewayError);
        expect((err as GatewayError).code).toBe('LT_STORE_UNAVAILABLE');
        expect((err as GatewayError).message).toContain('pg_ctlcluster --skip-systemctl-redirect');
      }
    } finally {
      await store.close();
    }
  });

  it('refuses a schema name that is not a plain identifier', () => {
    expect(() =>
      createStore({ kind: 'postgres', url: PG_URL, schema: 'x"; DROP TABLE y; --' }),
    ).toThrow(expect.objectContaining({ code: 'LT_CONFIG_INVALID' }));
  });
});
