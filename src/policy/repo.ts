import { checkSchema, formatPath } from '../config/validate.js';
import { GatewayError } from '../message/errors.js';
import type { SqlQueries, SqlRunner } from '../store/sql.js';
import type { Store } from '../store/store.js';
import {
  DOC_SCHEMAS,
  type ChangeBy,
  type DataErrorReport,
  type DocKind,
  type Docs,
  type RefusalRecord,
} from './model.js';

/** Everything the snapshot is built from, as of one generation. */
export interface PolicyDocs {
  generation: number;
  organisation: Docs['organisation'][];
  connection: Docs['connection'][];
  grant: Docs['grant'][];
  client: Docs['client'][];
  account: Docs['account'][];
}

export interface ChangeRow {
  seq: number;
  at: string;
  who: string;
  why: string;
  kind: string;
  entityId: string;
  action: string;
  doc: unknown;
}

/** One stored policy write, as the sharing log records it (R7, "every change … with who and why"). */
export interface PolicyChange {
  at: number;
  kind: string;
  id: string;
  action: string;
  who: string;
  why: string;
}

export interface SessionRow {
  at: string;
  accountId: string;
  event: 'login' | 'logout';
  ip: string;
}

const KINDS = Object.keys(DOC_SCHEMAS) as DocKind[];

/**
 * The policy tables (migration 100, src/store/migrations.ts) on either
 * backend: documents, their change history, the generation every instance
 * polls, refusals, data-error reports and account sessions. Each write of a
 * document bumps the generation in the same transaction as the history row.
 */
export class PolicyRepo {
  /** Told of every write once it is committed (the gateway records it in the sharing log). */
  onChange?: (change: PolicyChange) => void;

  private readonly sql: SqlRunner;

  constructor(
    store: Store,
    private readonly now: () => number = Date.now,
  ) {
    if (!store.sqlRunner)
      throw new GatewayError('LT_CONFIG_INVALID', `the ${store.kind} store offers no SQL runner`);
    this.sql = store.sqlRunner();
  }

  async generation(): Promise<number> {
    const rows = await this.sql.all<{ generation: number | string }>(
      'SELECT generation FROM lt_policy_generation WHERE id = 1',
    );
    return Number(rows[0]?.generation ?? 0);
  }

  /** Every document, each checked against its schema (a row edited by hand that fails is refused). */
  async load(): Promise<PolicyDocs> {
    return this.sql.tx(async (q) => {
      const gen = await q.all<{ generation: number | string }>(
        'SELECT generation FROM lt_policy_generation WHERE id = 1',
      );
      const rows = await q.all<{ kind: string; id: string; doc: string }>(
        'SELECT kind, id, doc FROM lt_policy_doc ORDER BY kind, id',
      );
      const out: PolicyDocs = {
        generation: Number(gen[0]?.generation ?? 0),
        organisation: [],
        connection: [],
        grant: [],
        client: [],
        account: [],
      };
      for (const r of rows) {
        if (!(KINDS as string[]).includes(r.kind)) continue;
        const kind = r.kind as DocKind;
        (out[kind] as unknown[]).push(checked(kind, JSON.parse(r.doc), `stored ${kind} ${r.id}`));
      }
      return out;
    });
  }

  async get<K extends DocKind>(kind: K, id: string): Promise<Docs[K] | undefined> {
    const rows = await this.sql.all<{ doc: string }>(
      'SELECT doc FROM lt_policy_doc WHERE kind = ? AND id = ?',
      [kind, id],
    );
    return rows[0] ? (JSON.parse(rows[0].doc) as Docs[K]) : undefined;
  }

  /**
   * Writes a document with its history row and a new generation, in one
   * transaction. `mode: 'create'` refuses an id that exists (LT_POLICY_CONFLICT);
   * `update` refuses one that does not (LT_POLICY_NOT_FOUND).
   */
  async put<K extends DocKind>(
    kind: K,
    doc: Docs[K],
    action: string,
    by: ChangeBy,
    mode: 'create' | 'update',
  ): Promise<Docs[K]> {
    const value = checked(kind, doc, kind);
    const id = (value as { id: string }).id;
    const at = Math.floor(this.now());
    const text = JSON.stringify(value);
    await this.sql.tx(async (q) => {
      const exists =
        (await q.all('SELECT 1 AS x FROM lt_policy_doc WHERE kind = ? AND id = ?', [kind, id]))
          .length > 0;
      if (mode === 'create' && exists)
        throw new GatewayError('LT_POLICY_CONFLICT', `${kind} ${id} already exists`);
      if (mode === 'update' && !exists)
        throw new GatewayError('LT_POLICY_NOT_FOUND', `no ${kind} ${id}`);
      await q.run(
        exists
          ? 'UPDATE lt_policy_doc SET doc = ?, updated_at = ? WHERE kind = ? AND id = ?'
          : 'INSERT INTO lt_policy_doc (doc, updated_at, kind, id) VALUES (?, ?, ?, ?)',
        [text, at, kind, id],
      );
      await q.run(
        `INSERT INTO lt_policy_change (at, who, why, kind, entity_id, action, doc)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [at, by.who, by.why, kind, id, action, redacted(text)],
      );
      await bump(q);
    });
    this.onChange?.({ at, kind, id, action, who: by.who, why: by.why });
    return value;
  }

  async history(kind?: DocKind, id?: string, limit = 200): Promise<ChangeRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (kind) {
      where.push('kind = ?');
      params.push(kind);
    }
    if (id) {
      where.push('entity_id = ?');
      params.push(id);
    }
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT seq, at, who, why, kind, entity_id, action, doc FROM lt_policy_change
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${clampLimit(limit)}`,
      params,
    );
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: new Date(Number(r.at)).toISOString(),
      who: String(r.who),
      why: String(r.why),
      kind: String(r.kind),
      entityId: String(r.entity_id),
      action: String(r.action),
      doc: JSON.parse(String(r.doc)),
    }));
  }

  async addRefusal(r: RefusalRecord): Promise<void> {
    await this.sql.run('INSERT INTO lt_policy_refusal (at, code, record) VALUES (?, ?, ?)', [
      Date.parse(r.at),
      r.code,
      JSON.stringify(r),
    ]);
  }

  async refusals(opts: { since?: number; limit?: number } = {}): Promise<RefusalRecord[]> {
    const rows = await this.sql.all<{ record: string }>(
      `SELECT record FROM lt_policy_refusal WHERE at >= ? ORDER BY seq DESC LIMIT ${clampLimit(opts.limit)}`,
      [opts.since ?? 0],
    );
    return rows.map((r) => JSON.parse(r.record) as RefusalRecord);
  }

  async putDataError(report: DataErrorReport, mode: 'create' | 'update'): Promise<void> {
    const text = JSON.stringify(report);
    if (mode === 'create')
      await this.sql.run(
        'INSERT INTO lt_data_error (id, at, reporter, provider, status, record) VALUES (?, ?, ?, ?, ?, ?)',
        [
          report.id,
          Date.parse(report.at),
          report.reporterOrg,
          report.provider,
          report.status,
          text,
        ],
      );
    else
      await this.sql.run('UPDATE lt_data_error SET status = ?, record = ? WHERE id = ?', [
        report.status,
        text,
        report.id,
      ]);
  }

  /** Reports of an organisation still open: what bounds how many it may file. */
  async openDataErrorsOf(reporterOrg: string): Promise<number> {
    const rows = await this.sql.all<{ n: number | string }>(
      "SELECT count(*) AS n FROM lt_data_error WHERE reporter = ? AND status = 'open'",
      [reporterOrg],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async dataError(id: string): Promise<DataErrorReport | undefined> {
    const rows = await this.sql.all<{ record: string }>(
      'SELECT record FROM lt_data_error WHERE id = ?',
      [id],
    );
    return rows[0] ? (JSON.parse(rows[0].record) as DataErrorReport) : undefined;
  }

  async dataErrors(
    opts: { provider?: string; status?: string; limit?: number } = {},
  ): Promise<DataErrorReport[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.provider) {
      where.push('provider = ?');
      params.push(opts.provider);
    }
    if (opts.status) {
      where.push('status = ?');
      params.push(opts.status);
    }
    const rows = await this.sql.all<{ record: string }>(
      `SELECT record FROM lt_data_error ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY at DESC, id LIMIT ${clampLimit(opts.limit)}`,
      params,
    );
    return rows.map((r) => JSON.parse(r.record) as DataErrorReport);
  }

  async addSession(s: SessionRow): Promise<void> {
    await this.sql.run(
      'INSERT INTO lt_account_session (at, account_id, event, ip) VALUES (?, ?, ?, ?)',
      [Date.parse(s.at), s.accountId, s.event, s.ip],
    );
  }

  async sessions(accountId: string, limit = 200): Promise<SessionRow[]> {
    const rows = await this.sql.all<Record<string, unknown>>(
      `SELECT at, account_id, event, ip FROM lt_account_session WHERE account_id = ?
       ORDER BY seq DESC LIMIT ${clampLimit(limit)}`,
      [accountId],
    );
    return rows.map((r) => ({
      at: new Date(Number(r.at)).toISOString(),
      accountId: String(r.account_id),
      event: r.event as SessionRow['event'],
      ip: String(r.ip),
    }));
  }
}

async function bump(q: SqlQueries): Promise<void> {
  await q.run('UPDATE lt_policy_generation SET generation = generation + 1 WHERE id = 1');
}

/** A list is cut at 1,000 rows whatever the caller asks: one request cannot read a whole table. */
function clampLimit(limit: number | undefined): number {
  const n = Math.floor(Number(limit ?? 200));
  return Number.isFinite(n) ? Math.min(Math.max(n, 1), 1000) : 200;
}

/** Secret hashes never go into the history (it is shown through the admin API). */
function redacted(text: string): string {
  const doc = JSON.parse(text) as Record<string, unknown>;
  if ('secretHash' in doc) doc.secretHash = '(redacted)';
  return JSON.stringify(doc);
}

function checked<K extends DocKind>(kind: K, value: unknown, what: string): Docs[K] {
  const r = checkSchema(DOC_SCHEMAS[kind], value);
  if (!r.ok)
    throw new GatewayError(
      'LT_POLICY_INPUT_INVALID',
      `${what}: ${r.issues.map((i) => `${formatPath(i.path)} ${i.message}`).join('; ')}`,
    );
  return r.value as Docs[K];
}
