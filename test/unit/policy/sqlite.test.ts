import { afterAll } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../../../src/store/store.js';
import { describePolicyContract } from './contract.js';

const dir = await mkdtemp(join(tmpdir(), 'lt-policy-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

// Two stores on one file: two gateway instances sharing the embedded database.
describePolicyContract('sqlite', () =>
  createStore({ kind: 'sqlite', path: join(dir, 'policy.db') }),
);
