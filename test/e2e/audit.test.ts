import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PG_START_HINT } from '../../src/store/postgres.js';
import { bannerUrl, exampleConfigIn, startCli } from '../helpers/cli.js';
import { demoToken } from '../helpers/gateway.js';
import { ROOT } from '../helpers/paths.js';

/**
 * The sharing log end to end (R7), through the real CLI on the REAL
 * PostgreSQL: every answer and every refusal has its record; a gateway
 * SIGKILLed under load has a record of every exchange it answered; `audit
 * verify` passes on that log and names the record after a row is edited in
 * the database.
 */
const PG_URL = process.env.LT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `lt_e2e_audit_${process.pid}_${Date.now().toString(36)}`;
const dir = mkdtempSync(join(tmpdir(), 'lt-audit-e2e-'));
let config: string;
let citizen = '';
const db = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });

beforeAll(async () => {
  try {
    await db.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL} (${(err as Error).message}): ${PG_START_HINT}`,
    );
  }
  config = exampleConfigIn(
    dir,
    {},
    {
      edit: (t) =>
        t.replace(
          /^store:\n(?: {2}.*\n)+/m,
          `store:\n  kind: postgres\n  url: ${PG_URL}\n  schema: ${SCHEMA}\n`,
        ),
    },
  );
});

afterAll(async () => {
  await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => {});
  await db.end();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src/cli.ts'), '-c', config, 'audit', ...args],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
      encoding: 'utf8',
    },
  );

async function recordsByRequestId(): Promise<Map<string, { code: string; kind: string }>> {
  const r = await db.query<{ body: string }>(`SELECT body FROM ${SCHEMA}.lt_audit`);
  const out = new Map<string, { code: string; kind: string }>();
  for (const { body } of r.rows) {
    const rec = JSON.parse(body) as { requestId?: string; code: string; kind: string };
    if (rec.requestId) out.set(rec.requestId, rec);
  }
  return out;
}

describe('sharing log end to end (PostgreSQL)', () => {
  it('records every answer and refusal, and none of an answered exchange is lost to a SIGKILL under load', async () => {
    const { child, output } = startCli(config);
    const exited = new Promise((r) => child.once('exit', r));
    try {
      const url = await bannerUrl(child, output);
      const token = await demoToken(url);
      citizen = /lookup .*"idNumber":"(\d{12})"/.exec(output())![1];
      const answers: { id: string; status: number; code?: string }[] = [];
      const send = async (path: string, body: unknown, auth = true) => {
        const res = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(auth ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        answers.push({
          id: res.headers.get('x-request-id')!,
          status: res.status,
          code: /"code":"(LT_\w+)"/.exec(text)?.[1],
        });
      };
      // An answer, a refusal in the pipeline, a refusal before any route, an NPD lookup.
      await send('/v1/connection-test', { message: 'xin chao' });
      await send('/v1/connection-test', { message: 'no token' }, false);
      await send('/v1/no-such-route', {});
      await send('/v1/npd/citizens/lookup', {
        serviceCode: 'G15-TP110',
        officer: 'canbo01',
        idNumber: citizen,
      });
      expect(answers.map((a) => a.status)).toEqual([200, 401, 404, 200]);
      // Best-effort records (connection test, pre-route) are in the next batch: let it land.
      await new Promise((r) => setTimeout(r, 300));
      let recs = await recordsByRequestId();
      for (const a of answers) expect(recs.get(a.id)).toMatchObject({ code: a.code ?? 'OK' });
      expect(recs.get(answers[2].id)).toMatchObject({
        kind: 'refusal',
        code: 'LT_ROUTE_NOT_FOUND',
      });

      // Every batch now takes 50 ms more to commit (a trigger once per statement): an
      // answer that did not wait for its record would be out long before the record is.
      await db.query(
        `CREATE FUNCTION ${SCHEMA}.slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.05); RETURN NULL; END $$`,
      );
      await db.query(
        `CREATE TRIGGER slow_commit AFTER INSERT ON ${SCHEMA}.lt_audit FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.slow_commit()`,
      );
      // Load on the NPD route (audit: required by default), then SIGKILL in the middle of it.
      const loaded: typeof answers = [];
      let stop = false;
      const worker = async () => {
        while (!stop) {
          try {
            const res = await fetch(`${url}/v1/npd/citizens/lookup`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
              body: JSON.stringify({
                serviceCode: 'G15-TP110',
                officer: 'canbo01',
                idNumber: citizen,
              }),
            });
            await res.arrayBuffer();
            loaded.push({ id: res.headers.get('x-request-id')!, status: res.status });
          } catch {
            return; // the gateway is gone
          }
        }
      };
      const workers = Array.from({ length: 16 }, worker);
      while (loaded.length < 200) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGKILL');
      await exited;
      stop = true;
      await Promise.all(workers);
      const ok = loaded.filter((a) => a.status === 200);
      expect(ok.length).toBeGreaterThanOrEqual(200);
      recs = await recordsByRequestId();
      const missing = ok.filter((a) => !recs.has(a.id));
      expect(missing).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }

    // The log of a killed writer verifies (its last records not yet under a checkpoint).
    const v = cli('verify');
    expect(v.stdout).toMatch(/^ok: \d+ record/m);
    expect(v.status).toBe(0);
  }, 120_000);

  it('audit verify fails, naming the record, after a row is edited in PostgreSQL', async () => {
    const { rows } = await db.query<{ writer: string; seq: string }>(
      `SELECT writer, seq FROM ${SCHEMA}.lt_audit WHERE code <> 'OK' ORDER BY at LIMIT 1`,
    );
    const { writer, seq } = rows[0];
    await db.query(`UPDATE ${SCHEMA}.lt_audit SET code = 'OK' WHERE writer = $1 AND seq = $2`, [
      writer,
      seq,
    ]);
    const v = cli('verify');
    expect(v.status).toBe(1);
    expect(v.stdout).toContain(`edited: record ${writer}/${seq}: column code differs`);
    expect(v.stdout).toMatch(/^FAILED: /m);
  }, 60_000);

  it('audit search finds the lookups of a citizen by the keyed digest, which is all the log keeps of the id', async () => {
    const s = cli('search', '--citizen', citizen, '--limit', '5');
    expect(s.status).toBe(0);
    const found = s.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(found).toHaveLength(5);
    for (const r of found)
      expect(r).toMatchObject({ route: 'npd-lookup', officer: 'canbo01', org: '000.00.00.H57' });
    expect(s.stdout).not.toContain(citizen);
    const { rows } = await db.query(
      `SELECT count(*) AS n FROM ${SCHEMA}.lt_audit WHERE body LIKE $1`,
      [`%${citizen}%`],
    );
    expect(Number(rows[0].n)).toBe(0);
  }, 60_000);

  it('audit export writes the records of a range with a signed manifest that check-manifest accepts', () => {
    const out = join(dir, 'export');
    const e = cli('export', '--from', '2000-01-01', '--out', out);
    expect(e.status).toBe(0);
    const manifest = /manifest \(signed\): (\S+)/.exec(e.stdout)![1];
    const c = cli('check-manifest', manifest);
    expect(c.status).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ kind: 'export', records: expect.any(Number) });
    expect(cli('export', '--from', 'yesterday').stderr).toMatch(
      /LT_CONFIG_INVALID: --from must be an ISO date/,
    );
  }, 60_000);
});
