import pg from 'pg';
import { PostgresAuditBackend } from '../../src/audit/postgres.js';
import { PG_START_HINT } from '../../src/store/postgres.js';
import { describeAuditContract } from '../unit/audit/contract.js';

/** The sharing-log contract on the REAL PostgreSQL, in a schema of its own (dropped at the end). */
const PG_URL = process.env.LT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `lt_audit_${process.pid}_${Date.now().toString(36)}`;

describeAuditContract('postgres', async () => {
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL} (${(err as Error).message}). These integration tests need it: ${PG_START_HINT}`,
    );
  }
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  await admin.query(`SET search_path TO ${SCHEMA}`);
  return {
    makeBackend: () => new PostgresAuditBackend({ url: PG_URL, schema: SCHEMA }),
    sql: async (text) => void (await admin.query(text)),
    end: async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await admin.end();
    },
  };
});
