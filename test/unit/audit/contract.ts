import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditBackend } from '../../../src/audit/backend.js';
import { checkpointSigner } from '../../../src/audit/checkpoint.js';
import { SharingLog } from '../../../src/audit/log.js';
import { canonicalJson, chainHash, type AuditEntry } from '../../../src/audit/record.js';
import { verifyLog, type Finding } from '../../../src/audit/verify.js';
import { archiveExpired } from '../../../src/audit/archive.js';
import { verifyManifest } from '../../../src/audit/checkpoint.js';
import { readFileSync } from 'node:fs';
import { GatewayError } from '../../../src/message/errors.js';
import { KeyRing } from '../../../src/security/keyring.js';
import { codeOf } from '../../helpers/errors.js';

/**
 * What the sharing log must do on every backend (R7): run against SQLite in
 * unit tests and against the real PostgreSQL in integration tests.
 * `makeBackend` returns a new, not yet initialised backend on one shared
 * database; `sql` runs a statement on that database directly (what an
 * intruder with database access does; tables unqualified).
 */
export interface AuditTestEnv {
  makeBackend(): AuditBackend;
  sql(text: string): Promise<void>;
  end(): Promise<void>;
}

/** A backend whose writes are counted, and fail while `failing` is set. */
function instrumented(b: AuditBackend) {
  const stats = { writes: 0, failing: false };
  const wrapped: AuditBackend = Object.create(b);
  wrapped.write = async (rows, cp) => {
    stats.writes++;
    if (stats.failing) throw new GatewayError('LT_AUDIT_UNAVAILABLE', 'test: write refused');
    return b.write(rows, cp);
  };
  return { backend: wrapped, stats };
}

export const entry = (i: number, code = 'OK'): AuditEntry => ({
  id: `ex-${i}`,
  at: Date.UTC(2026, 0, 1) + i * 1000,
  kind: 'exchange',
  code,
  channel: 'http',
  route: 'connection-test',
  service: 'connection-test',
  org: '000.00.00.H57',
  client: 'demo',
  requestDigest: `d${i}`,
  keepUntil: Date.UTC(2027, 0, 1),
});

export function describeAuditContract(name: string, makeEnv: () => Promise<AuditTestEnv>): void {
  describe(`sharing log contract: ${name}`, () => {
    let env: AuditTestEnv;
    let keys: KeyRing;
    const dir = mkdtempSync(join(tmpdir(), 'lt-audit-keys-'));
    const opened: AuditBackend[] = [];
    let writerN = 0;

    beforeAll(async () => {
      env = await makeEnv();
      keys = await KeyRing.load({ file: join(dir, 'keys.json'), generateIfMissing: true });
    });
    afterAll(async () => {
      for (const b of opened) await b.close().catch(() => {});
      await env?.end();
      rmSync(dir, { recursive: true, force: true });
    });

    const backend = async () => {
      const b = env.makeBackend();
      await b.init();
      opened.push(b);
      return b;
    };

    /** A writer of its own (so each case's chain is separate), with `n` records written and closed. */
    async function writtenChain(n: number): Promise<string> {
      const writerId = `w${++writerN}-${name}`;
      const log = new SharingLog(await backend(), {
        signCheckpoint: checkpointSigner(keys),
        checkpointEveryMs: 60_000,
        maxBatch: 500,
        writerId,
      });
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          log.append(entry(i + 1, i % 2 ? 'LT_AUTH_MISSING' : 'OK')),
        ),
      );
      await log.close();
      return writerId;
    }

    async function findingsOf(writer: string): Promise<Finding[]> {
      const r = await verifyLog(await backend(), keys);
      return r.findings.filter((f) => f.writer === writer);
    }

    it('concurrent appends share transactions, and each resolves once its record is stored', async () => {
      const { backend: b, stats } = instrumented(await backend());
      const log = new SharingLog(b, {
        signCheckpoint: checkpointSigner(keys),
        checkpointEveryMs: 60_000,
        maxBatch: 500,
        writerId: `group-${name}`,
      });
      await Promise.all(Array.from({ length: 200 }, (_, i) => log.append(entry(i + 1))));
      // 200 exchanges finishing together: a handful of commits, not 200.
      expect(stats.writes).toBeLessThanOrEqual(3);
      const reader = await backend();
      const rows = await reader.chain(`group-${name}`, 0, 1000);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      // One more, awaited alone: visible to another connection as soon as it resolves.
      await log.append(entry(201));
      expect((await reader.last(`group-${name}`))?.seq).toBe(201);
      await log.close();
      expect(await findingsOf(`group-${name}`)).toEqual([]);
    });

    it('commitDelayMs: records appended over a few ms wait for one commit instead of one each', async () => {
      const spread = async (commitDelayMs: number, writerId: string) => {
        const { backend: b, stats } = instrumented(await backend());
        const log = new SharingLog(b, {
          signCheckpoint: checkpointSigner(keys),
          checkpointEveryMs: 60_000,
          maxBatch: 500,
          commitDelayMs,
          writerId,
        });
        const done: Promise<void>[] = [];
        // Five exchanges ending 2 ms apart (another turn of the event loop each).
        for (let i = 1; i <= 5; i++) {
          done.push(log.append(entry(i)));
          await new Promise((r) => setTimeout(r, 2));
        }
        await Promise.all(done);
        const writes = stats.writes;
        await log.close();
        expect(await findingsOf(writerId)).toEqual([]);
        return writes;
      };
      expect(await spread(0, `nodelay-${name}`)).toBeGreaterThanOrEqual(3);
      expect(await spread(40, `delay-${name}`)).toBe(1);
    });

    it('maxBatch bounds a transaction', async () => {
      const { backend: b, stats } = instrumented(await backend());
      const log = new SharingLog(b, {
        signCheckpoint: checkpointSigner(keys),
        checkpointEveryMs: 60_000,
        maxBatch: 10,
        writerId: `small-${name}`,
      });
      await Promise.all(Array.from({ length: 35 }, (_, i) => log.append(entry(i + 1))));
      expect(stats.writes).toBe(4);
      await log.close();
      expect(await findingsOf(`small-${name}`)).toEqual([]);
    });

    it('a write that fails rejects its records with LT_AUDIT_UNAVAILABLE, and the chain goes on without a gap', async () => {
      const { backend: b, stats } = instrumented(await backend());
      const writer = `fail-${name}`;
      const log = new SharingLog(b, {
        signCheckpoint: checkpointSigner(keys),
        checkpointEveryMs: 60_000,
        maxBatch: 500,
        writerId: writer,
      });
      await log.append(entry(1));
      stats.failing = true;
      expect(await codeOf(log.append(entry(2)))).toBe('LT_AUDIT_UNAVAILABLE');
      stats.failing = false;
      await log.append(entry(3));
      await log.close();
      const rows = await (await backend()).chain(writer, 0, 10);
      expect(rows.map((r) => [r.seq, r.id])).toEqual([
        [1, 'ex-1'],
        [2, 'ex-3'],
      ]);
      expect(await findingsOf(writer)).toEqual([]);
    });

    it('refuses appends beyond maxQueued at once, while a slow write holds the queue', async () => {
      const b = await backend();
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const slow: AuditBackend = Object.create(b);
      slow.write = async (rows, cp) => {
        await held;
        return b.write(rows, cp);
      };
      const log = new SharingLog(slow, {
        signCheckpoint: checkpointSigner(keys),
        checkpointEveryMs: 60_000,
        maxBatch: 5,
        maxQueued: 10,
        writerId: `backlog-${name}`,
      });
      const first = log.append(entry(1));
      await new Promise((r) => setImmediate(r));
      // The first batch is being written; ten wait; the eleventh is refused.
      const waiting = Array.from({ length: 10 }, (_, i) => log.append(entry(i + 2)));
      expect(await codeOf(log.append(entry(12)))).toBe('LT_AUDIT_UNAVAILABLE');
      expect(log.refused).toBe(1);
      release();
      await Promise.all([first, ...waiting]);
      await log.close();
      expect(await findingsOf(`backlog-${name}`)).toEqual([]);
    });

    it('a closed log refuses appends', async () => {
      const log = new SharingLog(await backend(), {
        signCheckpoint: checkpointSigner(keys),
        checkpointEveryMs: 60_000,
        maxBatch: 500,
        writerId: `closed-${name}`,
      });
      await log.close();
      expect(await codeOf(log.append(entry(1)))).toBe('LT_AUDIT_UNAVAILABLE');
    });

    it('verify passes an untouched log and counts its checkpoints', async () => {
      const writer = await writtenChain(5);
      const r = await verifyLog(await backend(), keys);
      expect(r.findings.filter((f) => f.writer === writer)).toEqual([]);
      expect(r.records).toBeGreaterThanOrEqual(5);
      expect(r.checkpoints).toBeGreaterThanOrEqual(1);
    });

    it('verify names a record whose column was edited', async () => {
      const w = await writtenChain(6);
      await env.sql(`UPDATE lt_audit SET code = 'OK' WHERE writer = '${w}' AND seq = 4`);
      expect(await findingsOf(w)).toEqual([
        expect.objectContaining({
          kind: 'edited',
          seq: 4,
          id: 'ex-4',
          message: expect.stringContaining('column code'),
        }),
      ]);
    });

    it('verify names a record whose content was edited', async () => {
      const w = await writtenChain(6);
      await env.sql(
        `UPDATE lt_audit SET body = replace(body, '"org":"000.00.00.H57"', '"org":"000.00.00.H01"'), org = '000.00.00.H01' WHERE writer = '${w}' AND seq = 3`,
      );
      const f = await findingsOf(w);
      expect(f).toContainEqual(
        expect.objectContaining({
          kind: 'edited',
          seq: 3,
          message: expect.stringContaining('hash'),
        }),
      );
      expect(f.every((x) => x.seq === 3)).toBe(true);
    });

    it('verify names a record edited with its hash recomputed, by the link of the next one', async () => {
      const w = await writtenChain(6);
      const b = await backend();
      const [row] = (await b.chain(w, 2, 1)).filter((r) => r.seq === 3);
      const body = row.body.replace('"requestDigest":"d3"', '"requestDigest":"forged"');
      await env.sql(
        `UPDATE lt_audit SET body = '${body}', hash = '${chainHash(row.prev, body)}' WHERE writer = '${w}' AND seq = 3`,
      );
      expect(await findingsOf(w)).toEqual([
        expect.objectContaining({
          kind: 'reordered',
          seq: 4,
          message: expect.stringContaining('does not link'),
        }),
      ]);
    });

    it('verify names a deleted record', async () => {
      const w = await writtenChain(6);
      await env.sql(`DELETE FROM lt_audit WHERE writer = '${w}' AND seq = 2`);
      expect(await findingsOf(w)).toEqual([
        expect.objectContaining({
          kind: 'deleted',
          seq: 2,
          message: expect.stringContaining(`${w}/2`),
        }),
      ]);
    });

    it('verify names deleted records at the end of a chain, by its signed checkpoint', async () => {
      const w = await writtenChain(6);
      await env.sql(`DELETE FROM lt_audit WHERE writer = '${w}' AND seq >= 5`);
      expect(await findingsOf(w)).toEqual([
        expect.objectContaining({
          kind: 'deleted',
          seq: 5,
          message: expect.stringContaining(`${w}/5–6`),
        }),
      ]);
    });

    it('verify names reordered records', async () => {
      const w = await writtenChain(6);
      await env.sql(`UPDATE lt_audit SET seq = 1000 WHERE writer = '${w}' AND seq = 3`);
      await env.sql(`UPDATE lt_audit SET seq = 3 WHERE writer = '${w}' AND seq = 4`);
      await env.sql(`UPDATE lt_audit SET seq = 4 WHERE writer = '${w}' AND seq = 1000`);
      const f = await findingsOf(w);
      expect(f[0]).toEqual(expect.objectContaining({ kind: 'reordered', seq: 3, id: 'ex-4' }));
      expect(f.every((x) => x.kind === 'reordered' && (x.seq === 3 || x.seq === 4))).toBe(true);
    });

    it('verify names an inserted record, even one forged with a correct hash', async () => {
      const w = await writtenChain(6);
      const b = await backend();
      const before = (await b.chain(w, 1, 1))[0];
      // The intruder makes room at seq 3 and forges a record that links to seq 2.
      await env.sql(`UPDATE lt_audit SET seq = seq + 1000 WHERE writer = '${w}' AND seq >= 3`);
      await env.sql(`UPDATE lt_audit SET seq = seq - 999 WHERE writer = '${w}' AND seq >= 1003`);
      const forged = { v: 1, writer: w, seq: 3, ...entry(99) };
      const body = canonicalJson(forged);
      await env.sql(
        `INSERT INTO lt_audit (writer, seq, id, at, kind, route, service, org, officer, code, subjects, body, prev, hash, keep_until)
         VALUES ('${w}', 3, 'ex-99', ${forged.at}, 'exchange', 'connection-test', 'connection-test', '000.00.00.H57', NULL, 'OK', '', '${body}', '${before.hash}', '${chainHash(before.hash, body)}', ${forged.keepUntil})`,
      );
      const f = await findingsOf(w);
      expect(f[0]).toEqual(expect.objectContaining({ kind: 'reordered', seq: 4, id: 'ex-3' }));
      expect(f).toContainEqual(expect.objectContaining({ kind: 'inserted', seq: 3, id: 'ex-99' }));
    });

    it('verify names a record appended after its writer closed', async () => {
      const w = await writtenChain(3);
      const b = await backend();
      const last = (await b.last(w))!;
      const forged = { v: 1, writer: w, seq: 4, ...entry(98) };
      const body = canonicalJson(forged);
      await env.sql(
        `INSERT INTO lt_audit (writer, seq, id, at, kind, route, service, org, officer, code, subjects, body, prev, hash, keep_until)
         VALUES ('${w}', 4, 'ex-98', ${forged.at}, 'exchange', 'connection-test', 'connection-test', '000.00.00.H57', NULL, 'OK', '', '${body}', '${last.hash}', '${chainHash(last.hash, body)}', ${forged.keepUntil})`,
      );
      expect(await findingsOf(w)).toEqual([
        expect.objectContaining({ kind: 'inserted', seq: 4, id: 'ex-98' }),
      ]);
    });

    it('verify refuses a checkpoint whose signature does not hold', async () => {
      const w = await writtenChain(2);
      await env.sql(`UPDATE lt_audit_checkpoint SET head = 'forged' WHERE writer = '${w}'`);
      expect(await findingsOf(w)).toEqual([
        expect.objectContaining({ kind: 'checkpoint', seq: 2 }),
      ]);
    });

    it('archives expired records (signed JSONL first), keeps their place in the chain, and still notices a stub removed', async () => {
      const writer = `retention-${name}`;
      const log = new SharingLog(await backend(), {
        signCheckpoint: checkpointSigner(keys),
        checkpointEveryMs: 60_000,
        maxBatch: 500,
        writerId: writer,
      });
      const now = Date.UTC(2027, 5, 1);
      // Records 1–3 were due a day ago, 4–5 are kept a year longer.
      for (let i = 1; i <= 5; i++)
        await log.append({
          ...entry(i),
          keepUntil: i <= 3 ? now - 86_400_000 : now + 365 * 86_400_000,
        });
      await log.close();
      const b = await backend();
      const archiveDir = join(dir, `archive-${name}`);
      const done = (await archiveExpired(b, keys, archiveDir, now)).filter(
        (a) => a.manifest.writers[writer],
      );
      expect(done).toHaveLength(1);
      expect(done[0].manifest.writers[writer]).toEqual({ first: 1, last: 3 });
      const m = verifyManifest(keys, readFileSync(done[0].file, 'utf8').trim());
      expect(m.ok && m.manifest.kind).toBe('archive');
      const lines = readFileSync(join(archiveDir, done[0].manifest.file), 'utf8')
        .trim()
        .split('\n');
      expect(
        lines.filter((l) => l.includes(`"writer":"${writer}"`)).map((l) => JSON.parse(l).record.id),
      ).toEqual(['ex-1', 'ex-2', 'ex-3']);
      expect((await b.query({})).filter((r) => r.writer === writer).map((r) => r.seq)).toEqual([
        4, 5,
      ]);
      const r = await verifyLog(b, keys);
      expect(r.findings.filter((f) => f.writer === writer)).toEqual([]);
      expect(r.archived).toBeGreaterThanOrEqual(3);
      // Nothing left to archive.
      expect(
        (await archiveExpired(b, keys, archiveDir, now)).filter((a) => a.manifest.writers[writer]),
      ).toEqual([]);
      await env.sql(`DELETE FROM lt_audit_archived WHERE writer = '${writer}' AND seq = 2`);
      expect(await findingsOf(writer)).toEqual([
        expect.objectContaining({ kind: 'deleted', seq: 2 }),
      ]);
    });
  });
}
