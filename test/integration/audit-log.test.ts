import { PostgresAuditBackend } from '../../src/audit/postgres.js';
import { connectPg, PG_URL, testSchema } from '../helpers/pg.js';
import { describeAuditContract } from '../unit/audit/contract.js';

/** The sharing-log contract on the REAL PostgreSQL, in a schema of its own (dropped at the end). */
const SCHEMA = testSchema('lt_audit');

describeAuditContract('postgres', async () => {
  const admin = await connectPg();
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
