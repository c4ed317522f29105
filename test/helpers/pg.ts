import pg from 'pg';
import { PG_START_HINT } from '../../src/store/postgres.js';

/** The real PostgreSQL the integration tests use (README: trust auth, database `test`). */
export const PG_URL = process.env.LT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema of this test file's own, dropped by its afterAll: runs in parallel never meet. */
export function testSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}`;
}

/**
 * A connected admin client, or a failure that says how to start PostgreSQL:
 * these tests never skip when it is down.
 */
export async function connectPg(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return client;
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL} (${(err as Error).message}). These integration tests need it: ${PG_START_HINT}`,
    );
  }
}
