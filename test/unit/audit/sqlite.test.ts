import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteAuditBackend } from '../../../src/audit/sqlite.js';
import { describeAuditContract } from './contract.js';

describeAuditContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lt-audit-'));
  const path = join(dir, 'lienthong.db');
  const direct = () => new Database(path);
  return {
    makeBackend: () => new SqliteAuditBackend(path),
    sql: async (text) => {
      const db = direct();
      try {
        db.exec(text);
      } finally {
        db.close();
      }
    },
    end: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
