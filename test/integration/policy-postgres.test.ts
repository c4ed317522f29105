import { afterAll, beforeAll } from '@jest/globals';
import pg from 'pg';
import { PG_START_HINT } from '../../src/store/postgres.js';
import { createStore } from '../../src/store/store.js';
import { describePolicyContract } from '../unit/policy/contract.js';

/**
 * The policy model's contract on the REAL PostgreSQL, in a schema of its own,
 * dropped at the end. FAILS (never skips) when PostgreSQL is down.
 */
const PG_URL = process.env.LT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `lt_policy_${process.pid}_${Date.now().toString(36)}`;
const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
let connected = false;

beforeAll(async () => {
  try {
    await admin.connect();
    connected = true;
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL} (${(err as Error).message}). ${PG_START_HINT}`,
    );
  }
});

afterAll(async () => {
  if (!connected) return;
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.end();
});

// Two stores with their own pools: two gateway instances sharing the database.
describePolicyContract('postgres', () =>
  createStore({ kind: 'postgres', url: PG_URL, schema: SCHEMA, poolSize: 4 }),
);
