import type { AuditRow, CheckpointRow } from './record.js';

/** What searches and reports ask for; every bound optional, times in ms since the epoch. */
export interface AuditQuery {
  from?: number;
  /** Exclusive. */
  to?: number;
  org?: string;
  officer?: string;
  route?: string;
  service?: string;
  /** A keyed digest of a citizen id (src/audit/subjects.ts), never the id. */
  subject?: string;
  limit?: number;
}

/**
 * Where the sharing log lives: the store's database (SQLite file or
 * PostgreSQL), in tables of its own, over a connection of its own so that
 * its group commits never wait behind the store's traffic.
 */
export interface AuditBackend {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates the tables when missing (idempotent). */
  init(): Promise<void>;
  /** One transaction: the rows and, when given, the checkpoint (upserted by writer and seq). */
  write(rows: readonly AuditRow[], checkpoint?: CheckpointRow): Promise<void>;
  /** The last stored row of a writer, to resume its chain after a failed write. */
  last(writer: string): Promise<AuditRow | undefined>;
  writers(): Promise<string[]>;
  /** A writer's rows with seq > afterSeq, archived stubs included, in seq order, at most `limit`. */
  chain(writer: string, afterSeq: number, limit: number): Promise<AuditRow[]>;
  checkpoints(writer: string): Promise<CheckpointRow[]>;
  /** Rows matching the query, in time order. */
  query(q: AuditQuery): Promise<AuditRow[]>;
  /** Records whose retention ended (keep_until <= now), oldest first, at most `limit`. */
  expired(now: number, limit: number): Promise<AuditRow[]>;
  /**
   * One transaction: replaces the rows (already written to the named archive)
   * by stubs that keep their link, so the chain still verifies without them.
   */
  archive(rows: readonly AuditRow[], archive: string, at: number): Promise<void>;
  close(): Promise<void>;
}
