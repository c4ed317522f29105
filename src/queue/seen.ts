import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.js';

/**
 * The seen-ids record that makes a queue-fed route process each message id
 * once, across redeliveries and across every gateway instance sharing the
 * store:
 *
 * - `claim` takes a lease on the id (kvPutIfAbsent): `mine`, or `done` when a
 *   delivery with this id already finished, or `busy` while another delivery
 *   (another instance, or one the broker redelivered after a lost
 *   connection) holds an unexpired lease;
 * - `complete` turns the lease into `done`, kept for `keepMs` (how long a
 *   redelivery of the same id is recognised);
 * - `release` hands the lease back after a failure, so the retry may run.
 *
 * A holder whose lease expired (it crashed, or ran past `leaseMs`) can no
 * longer complete or release it (kvCompareAndSet): the next delivery of the
 * id takes over.
 */
export type ClaimState = 'mine' | 'done' | 'busy';

const DONE = 'done';

export class SeenIds {
  /** One per process and consumer: a lease names its holder. */
  private readonly holder = `lease:${randomUUID()}`;

  constructor(
    private readonly store: Store,
    private readonly ns: string,
    private readonly leaseMs: number,
    private readonly keepMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(id: string): Promise<ClaimState> {
    if (await this.store.kvPutIfAbsent(this.ns, id, this.holder, this.now() + this.leaseMs)) {
      return 'mine';
    }
    const v = await this.store.kvGet(this.ns, id);
    // Gone between the two calls (its lease just expired): the next delivery claims it.
    return v === DONE ? 'done' : 'busy';
  }

  /** False when the lease had been lost (expired and taken): the work may have run twice. */
  complete(id: string): Promise<boolean> {
    return this.store.kvCompareAndSet(this.ns, id, this.holder, DONE, this.now() + this.keepMs);
  }

  release(id: string): Promise<boolean> {
    return this.store.kvCompareAndSet(this.ns, id, this.holder, undefined);
  }
}

/** The namespace of a route's seen ids: one record per consuming route. */
export function seenNamespace(routeId: string): string {
  return `queue.seen.${routeId}`;
}
