import { GatewayError } from '../message/errors.js';
import { LruMap } from './lru.js';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Request rates: one token bucket per key (a client, a client on a route), in
 * this instance's memory. A bucket holds `perMinute` tokens and refills at
 * perMinute / 60 s, so a client may burst up to a minute's worth and then
 * keeps the rate. Per instance on purpose: a rate is about the next second,
 * and asking the store for every request would cost more than the limit saves;
 * with N instances behind a balancer a client gets at most N × perMinute
 * (docs/limits.md). Buckets are an LRU: an evicted one starts full again.
 */
export class RateLimiter {
  private readonly buckets: LruMap<string, Bucket>;

  constructor(
    maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {
    this.buckets = new LruMap(maxKeys);
  }

  /**
   * Takes one token from every bucket, or none: throws LT_LIMIT_RATE with
   * retryAfterSeconds (when the emptiest has one again) without taking any.
   */
  take(limits: readonly { key: string; label: string; perMinute: number }[]): void {
    const now = this.now();
    const buckets = limits.map(({ key, label, perMinute }) => {
      let b = this.buckets.get(key);
      if (!b) {
        b = { tokens: perMinute, at: now };
        this.buckets.set(key, b);
      } else {
        // A limit lowered since the bucket filled is honoured at once.
        b.tokens = Math.min(perMinute, b.tokens + ((now - b.at) * perMinute) / 60_000);
        b.at = now;
      }
      return { b, perMinute, label };
    });
    for (const { b, perMinute, label } of buckets) {
      if (b.tokens < 1) {
        const waitMs = ((1 - b.tokens) * 60_000) / perMinute;
        const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
        throw new GatewayError(
          'LT_LIMIT_RATE',
          `${label}: more than ${perMinute} requests a minute; retry in ${retryAfterSeconds} s`,
          { retryAfterSeconds, perMinute },
        );
      }
    }
    for (const { b } of buckets) b.tokens -= 1;
  }
}
