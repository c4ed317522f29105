import type { Logger } from 'pino';
import { GatewayError } from '../message/errors.js';
import type { Store } from '../store/store.js';
import { LruMap } from './lru.js';

/** Store namespace of the daily counters; keys are `<day>|<scope key>`. */
export const QUOTA_NS = 'lt-quota';

export interface QuotaOptions {
  /** Requests an instance admits before it must add them to the shared counter. */
  batch: number;
  /** Longest an admitted request waits, unreported, before a background sync. */
  syncMs: number;
  /** The day resets at midnight of this UTC offset (minutes). */
  dayOffsetMinutes: number;
  maxKeys: number;
}

/** This instance's view of one scope's counter for one day. */
interface Counter {
  readonly day: number;
  readonly storeKey: string;
  /** The shared total as of the last sync (every instance's reported requests). */
  known: number;
  /** Admitted here and not yet reported. */
  pending: number;
  /** Being reported by the sync in flight. */
  reporting: number;
  /** false until the first sync: the shared total is not known yet. */
  loaded: boolean;
  sync?: Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Daily quotas shared by every instance: one counter per (scope, day) in the
 * store (Store.kvAdd, atomic on SQLite and PostgreSQL), updated in batches so
 * the hot path pays no store round trip per request.
 *
 * An instance admits a request when the shared total it last saw plus what
 * it admitted since is below the quota. What it admitted is reported in one
 * kvAdd (which also returns everyone's total) when `batch` requests are
 * unreported, or after `syncMs`, whichever comes first; while `batch` requests
 * are unreported, the next one waits for that report. So each instance holds
 * at most `batch` unreported admissions, and a day's total can exceed the
 * quota by at most (instances − 1) × batch: every instance's view misses at
 * most the others' unreported requests. batch 1 bounds it to instances − 1
 * and costs a round trip per request. The first request of a scope in a day
 * waits for one read.
 *
 * If the store cannot be reached, a request that must wait for it is refused
 * with LT_STORE_UNAVAILABLE (a quota is not waived because its counter is
 * down); a background report that fails is kept and retried.
 */
export class QuotaCounters {
  private readonly counters: LruMap<string, Counter>;
  private readonly dirty = new Set<Counter>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly store: Store,
    private readonly opts: QuotaOptions,
    private readonly log?: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.counters = new LruMap(opts.maxKeys);
    this.timer = setInterval(() => void this.syncDirty(), opts.syncMs);
    this.timer.unref();
  }

  /** Admits one request on every scope or throws LT_LIMIT_QUOTA (nothing counted then). */
  async take(limits: readonly { key: string; label: string; perDay: number }[]): Promise<void> {
    const now = this.now();
    const day = this.dayOf(now);
    const counters = limits.map((l) => ({ ...l, c: this.counter(l.key, day) }));
    // Until every counter is known and has room for one more unreported request;
    // the checks and the counting below then run with no await between them.
    for (;;) {
      const wait = counters.find(
        ({ c }) => !c.loaded || c.pending + c.reporting >= this.opts.batch,
      );
      if (!wait) break;
      await this.report(wait.c, true);
    }
    for (const { c, perDay, label } of counters) {
      if (c.known + c.pending + c.reporting >= perDay) {
        const retryAfterSeconds = Math.max(1, Math.ceil((this.dayEnd(day) - now) / 1000));
        throw new GatewayError(
          'LT_LIMIT_QUOTA',
          `${label}: the daily quota of ${perDay} requests is used up; it resets in ${retryAfterSeconds} s`,
          { retryAfterSeconds, perDay },
        );
      }
    }
    for (const { c } of counters) {
      c.pending++;
      this.dirty.add(c);
      if (c.pending + c.reporting >= this.opts.batch) void this.report(c, false);
    }
  }

  /** Reports what is pending now (tests, shutdown). */
  async flush(): Promise<void> {
    await this.syncDirty();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private counter(key: string, day: number): Counter {
    const storeKey = `${day}|${key}`;
    let c = this.counters.get(storeKey);
    if (!c) {
      c = { day, storeKey, known: 0, pending: 0, reporting: 0, loaded: false };
      this.counters.set(storeKey, c);
    }
    return c;
  }

  private async syncDirty(): Promise<void> {
    const batch = [...this.dirty];
    this.dirty.clear();
    await Promise.all(batch.map((c) => this.report(c, false)));
  }

  /**
   * One kvAdd of what is pending (0 reads the total). Shares the sync in
   * flight. `waiting`: a request waits for it, so a store failure is its error.
   */
  private report(c: Counter, waiting: boolean): Promise<void> {
    if (c.sync) return waiting ? c.sync : c.sync.catch(() => {});
    const delta = c.pending;
    c.pending = 0;
    c.reporting = delta;
    const exp = this.dayEnd(c.day) + DAY_MS; // kept a day after it ends, then purged
    const run = (async () => {
      try {
        c.known = await this.store.kvAdd(QUOTA_NS, c.storeKey, delta, exp);
        c.loaded = true;
      } catch (err) {
        // Not lost: counted again with the next report.
        c.pending += delta;
        this.dirty.add(c);
        this.log?.warn({ err, key: c.storeKey }, 'quota counter could not be updated');
        throw err;
      } finally {
        c.reporting = 0;
        c.sync = undefined;
      }
    })();
    c.sync = run;
    return waiting ? run : run.catch(() => {});
  }

  /** Day number in the configured zone. */
  private dayOf(ms: number): number {
    return Math.floor((ms + this.opts.dayOffsetMinutes * 60_000) / DAY_MS);
  }

  /** When that day ends, in ms since the epoch. */
  private dayEnd(day: number): number {
    return (day + 1) * DAY_MS - this.opts.dayOffsetMinutes * 60_000;
  }
}
