import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberPlaceholders } from '../../../src/store/sql.js';
import { createStore } from '../../../src/store/store.js';

const dir = await mkdtemp(join(tmpdir(), 'lt-sql-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the SQLite SQL runner', () => {
  it('keeps a write made while another runner’s transaction awaits out of that transaction', async () => {
    const store = createStore({ kind: 'sqlite', path: join(dir, 'a.db') });
    await store.init();
    try {
      const one = store.sqlRunner!();
      await one.run('CREATE TABLE t (x INTEGER)');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const tx = one.tx(async (q) => {
        await q.run('INSERT INTO t VALUES (1)');
        await gate;
        throw new Error('rolled back');
      });
      // Another component's runner on the same store writes meanwhile.
      const outside = store.sqlRunner!().run('INSERT INTO t VALUES (?)', [2]);
      release();
      await expect(tx).rejects.toThrow('rolled back');
      await outside;
      expect(await one.all('SELECT x FROM t')).toEqual([{ x: 2 }]);
    } finally {
      await store.close();
    }
  });

  it('numbers placeholders for PostgreSQL', () => {
    expect(numberPlaceholders('a = ? AND b = ? OR c = ?')).toBe('a = $1 AND b = $2 OR c = $3');
  });
});
