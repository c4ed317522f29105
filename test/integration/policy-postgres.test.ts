import { afterAll, beforeAll } from '@jest/globals';
import type pg from 'pg';
import { connectPg, PG_URL, testSchema } from '../helpers/pg.js';
import { createStore } from '../../src/store/store.js';
import { describePolicyContract } from '../unit/policy/contract.js';

/**
 * The policy model's contract on the REAL PostgreSQL, in a schema of its own,
 * dropped at the end. FAILS (never skips) when PostgreSQL is down.
 */
const SCHEMA = testSchema('lt_policy');
let admin: pg.Client | undefined;

beforeAll(async () => {
  admin = await connectPg();
});

afterAll(async () => {
  if (!admin) return;
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.end();
});

// Two stores with their own pools: two gateway instances sharing the database.
describePolicyContract('postgres', () =>
  createStore({ kind: 'postgres', url: PG_URL, schema: SCHEMA, poolSize: 4 }),
);
