import type { Logger } from 'pino';
import { GatewayError } from '../message/errors.js';
import { uuidv7 } from '../message/ids.js';
import type { AuditBackend } from './backend.js';
import {
  GENESIS,
  canonicalJson,
  chainHash,
  rowOf,
  type AuditEntry,
  type AuditRecord,
  type AuditRow,
  type CheckpointRow,
} from './record.js';

/** Signs a checkpoint's canonical payload: a compact JWS (src/audit/checkpoint.ts). */
export type CheckpointSigner = (payload: Buffer) => string;

export interface SharingLogOptions {
  signCheckpoint: CheckpointSigner;
  checkpointEveryMs: number;
  maxBatch: number;
  /** Wait this long for more records before a batch's commit (0: the next event-loop turn). */
  commitDelayMs?: number;
  /**
   * Most records waiting for a batch (default 20 batches' worth): beyond it
   * appends are refused at once, so a database slower than the traffic (or a
   * flood of refused requests) cannot grow the queue without bound.
   */
  maxQueued?: number;
  log?: Logger;
  now?: () => number;
  /** Fixed in tests; otherwise a new one per process (a UUIDv7: writers sort by start time). */
  writerId?: string;
}

interface Pending {
  entry: AuditEntry;
  resolve: () => void;
  reject: (err: GatewayError) => void;
}

/**
 * The sharing log as one process writes it: a hash chain of its own
 * (`writer`), extended in batches (group commit). Records appended while a
 * batch is being written wait for the next one, so concurrent exchanges share
 * one transaction and the hot path pays one commit per batch, not one per
 * message. `append` resolves once the record's batch is durable and rejects
 * with LT_AUDIT_UNAVAILABLE when it cannot be written.
 *
 * Hashes are computed when the batch is cut, in sequence order; a batch that
 * fails leaves the chain where the database has it (read back before the next
 * batch, in case the failed commit did land), so a failure never leaves a
 * gap or a fork that verify would report.
 */
export class SharingLog {
  readonly writerId: string;
  private seq = 0;
  private head = GENESIS;
  private queue: Pending[] = [];
  private running?: Promise<void>;
  private scheduled = false;
  private resync = false;
  private lastCheckpointAt = 0;
  private checkpointedSeq = 0;
  private closed = false;
  private readonly now: () => number;
  /** Appends refused because the queue was full, since start. */
  refused = 0;
  /** Since start: batches and records written, records whose batch failed. */
  readonly stats = { batches: 0, records: 0, failed: 0 };

  constructor(
    private readonly backend: AuditBackend,
    private readonly opts: SharingLogOptions,
  ) {
    this.writerId = opts.writerId ?? uuidv7();
    this.now = opts.now ?? Date.now;
  }

  get kind(): AuditBackend['kind'] {
    return this.backend.kind;
  }

  /** The record's batch is durable when this resolves. */
  append(entry: AuditEntry): Promise<void> {
    if (this.closed)
      return Promise.reject(new GatewayError('LT_AUDIT_UNAVAILABLE', 'the sharing log is closed'));
    if (this.queue.length >= (this.opts.maxQueued ?? this.opts.maxBatch * 20)) {
      this.refused++;
      return Promise.reject(
        new GatewayError(
          'LT_AUDIT_UNAVAILABLE',
          'the sharing log is behind: too many records waiting',
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entry, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // setImmediate, not a microtask: the exchanges finishing in this turn of
    // the event loop join the same batch.
    const run = () => {
      this.scheduled = false;
      this.running = this.drain().finally(() => {
        this.running = undefined;
        if (this.queue.length) this.kick();
      });
    };
    const delay = this.opts.commitDelayMs ?? 0;
    if (delay > 0) setTimeout(run, delay);
    else setImmediate(run);
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      await this.writeBatch(batch, false);
    }
  }

  private async writeBatch(batch: Pending[], final: boolean): Promise<void> {
    if (this.resync) {
      try {
        const last = await this.backend.last(this.writerId);
        this.seq = last?.seq ?? 0;
        this.head = last?.hash ?? GENESIS;
        this.resync = false;
      } catch (err) {
        this.failAll(batch, err);
        return;
      }
    }
    const seq0 = this.seq;
    const head0 = this.head;
    const rows: AuditRow[] = [];
    for (const p of batch) {
      const rec: AuditRecord = { v: 1, writer: this.writerId, seq: ++this.seq, ...p.entry };
      const body = canonicalJson(rec);
      const hash = chainHash(this.head, body);
      rows.push(rowOf(rec, body, this.head, hash));
      this.head = hash;
    }
    const at = this.now();
    const due =
      final ||
      (this.seq > this.checkpointedSeq &&
        at - this.lastCheckpointAt >= this.opts.checkpointEveryMs);
    const cp = due ? this.checkpoint(at, final) : undefined;
    try {
      await this.backend.write(rows, cp);
      if (cp) {
        this.lastCheckpointAt = at;
        this.checkpointedSeq = cp.seq;
      }
      this.stats.batches++;
      this.stats.records += batch.length;
      for (const p of batch) p.resolve();
    } catch (err) {
      this.seq = seq0;
      this.head = head0;
      this.resync = true;
      this.failAll(batch, err);
    }
  }

  private failAll(batch: Pending[], err: unknown): void {
    const ge =
      err instanceof GatewayError && err.code === 'LT_AUDIT_UNAVAILABLE'
        ? err
        : new GatewayError(
            'LT_AUDIT_UNAVAILABLE',
            'the sharing log could not be written',
            undefined,
            {
              cause: err,
            },
          );
    this.stats.failed += batch.length;
    this.opts.log?.error({ err, records: batch.length }, 'sharing log write failed');
    for (const p of batch) p.reject(ge);
  }

  private checkpoint(at: number, final: boolean): CheckpointRow {
    const payload = { writer: this.writerId, seq: this.seq, head: this.head, at, final };
    return {
      ...payload,
      jws: this.opts.signCheckpoint(Buffer.from(canonicalJson(payload))),
    };
  }

  /**
   * Writes what is queued and a final checkpoint, then closes the backend
   * (the log owns its connection); appends after this are refused.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      while (this.running || this.scheduled) {
        await this.running;
        await new Promise((r) => setImmediate(r));
      }
      // A writer that wrote nothing leaves nothing, not even a checkpoint.
      if (this.queue.length || this.seq > 0 || this.resync)
        await this.writeBatch(this.queue.splice(0), true);
    } finally {
      await this.backend.close();
    }
  }
}
