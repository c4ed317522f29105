import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';

/**
 * One sharing-log record (R7): who (organisation, subsystem, client, officer,
 * IP), what (channel, route, service, purpose, digests of the request and
 * the reply, the content where the connection requires it), when and how it
 * ended (code, duration). `writer` and `seq` place it in its writer's chain;
 * they are inside what is hashed, so a record cannot be moved unnoticed.
 *
 * The schema is the boundary type: `lienthong audit verify` and the reports
 * read records back from a database someone may have edited.
 */
export const AuditRecordSchema = Type.Object({
  v: Type.Literal(1),
  writer: Type.String(),
  seq: Type.Integer({ minimum: 1 }),
  id: Type.String(),
  at: Type.Integer(),
  kind: Type.Union([
    Type.Literal('exchange'),
    Type.Literal('refusal'),
    Type.Literal('login'),
    Type.Literal('logout'),
    Type.Literal('admin'),
  ]),
  code: Type.String(),
  channel: Type.Optional(Type.String()),
  route: Type.Optional(Type.String()),
  service: Type.Optional(Type.String()),
  purpose: Type.Optional(Type.String()),
  org: Type.Optional(Type.String()),
  subsystem: Type.Optional(Type.String()),
  client: Type.Optional(Type.String()),
  officer: Type.Optional(Type.String()),
  ip: Type.Optional(Type.String()),
  requestId: Type.Optional(Type.String()),
  requestDigest: Type.Optional(Type.String()),
  replyDigest: Type.Optional(Type.String()),
  ms: Type.Optional(Type.Number()),
  /** Keyed digests (HMAC-SHA-256) of the citizen ids the request named. */
  subjects: Type.Optional(Type.Array(Type.String())),
  content: Type.Optional(
    Type.Object({ request: Type.Optional(Type.Unknown()), reply: Type.Optional(Type.Unknown()) }),
  ),
  /** What a non-exchange record is about: an admin change's what and why, a login's account. */
  detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  keepUntil: Type.Integer(),
});

export type AuditRecord = Static<typeof AuditRecordSchema>;

/** What a subscriber hands to the log; the writer adds its id, the sequence and the chain. */
export type AuditEntry = Omit<AuditRecord, 'v' | 'writer' | 'seq'>;

/** The chain's value before a writer's first record. */
export const GENESIS = 'genesis';

/**
 * JSON with object keys sorted and undefined members left out, so the same
 * record always hashes the same, whatever order it was built in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

/** The link: SHA-256 over the previous record's hash and this record's canonical form. */
export function chainHash(prev: string, body: string): string {
  return createHash('sha256').update(prev).update('\n').update(body).digest('base64url');
}

/** A record as stored: its canonical body, its link, and the columns searches use. */
export interface AuditRow {
  writer: string;
  seq: number;
  id: string;
  at: number;
  kind: string;
  route: string | null;
  service: string | null;
  org: string | null;
  officer: string | null;
  code: string;
  /** Space-separated keyed digests of citizen ids ('' when none). */
  subjects: string;
  body: string;
  prev: string;
  hash: string;
  keepUntil: number;
  /**
   * Set on what is left of a record archived at the end of its retention
   * (src/audit/archive.ts): the archive's name; only its link (seq, prev,
   * hash) and keepUntil remain in the database, so the chain still verifies.
   */
  archive?: string;
  /** When it was archived (ms), on such a stub. */
  archivedAt?: number;
}

/** The searchable columns a row must repeat from its body (verify compares them). */
export function rowOf(rec: AuditRecord, body: string, prev: string, hash: string): AuditRow {
  return {
    writer: rec.writer,
    seq: rec.seq,
    id: rec.id,
    at: rec.at,
    kind: rec.kind,
    route: rec.route ?? null,
    service: rec.service ?? null,
    org: rec.org ?? null,
    officer: rec.officer ?? null,
    code: rec.code,
    subjects: (rec.subjects ?? []).join(' '),
    body,
    prev,
    hash,
    keepUntil: rec.keepUntil,
  };
}

/** A signed statement of a writer's chain head: everything up to `seq` hashes to `head`. */
export interface CheckpointRow {
  writer: string;
  seq: number;
  at: number;
  head: string;
  /** Compact JWS (typ lt-checkpoint+jws, envelope key) over {writer, seq, head, at, final}. */
  jws: string;
  /** Written at close: no record of this writer may follow it. */
  final: boolean;
}
