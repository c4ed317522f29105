import { describe, expect, it } from '@jest/globals';
import type { GatewayError } from '../../../src/message/errors.js';
import { RateLimiter } from '../../../src/limits/rate.js';
import { resolveLimit } from '../../../src/limits/spec.js';

const codeOf = (f: () => void): string => {
  try {
    f();
    return 'OK';
  } catch (err) {
    return (err as GatewayError).code;
  }
};

describe('RateLimiter (token bucket per key, per instance)', () => {
  it('admits a burst of perMinute, then refuses with LT_LIMIT_RATE and the wait until the next token', () => {
    let now = 0;
    const r = new RateLimiter(100, () => now);
    const l = [{ key: 'c:a', label: 'client "a"', perMinute: 6 }];
    const codes = Array.from({ length: 8 }, () => codeOf(() => r.take(l)));
    expect(codes).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'LT_LIMIT_RATE', 'LT_LIMIT_RATE']);
    let err: GatewayError | undefined;
    try {
      r.take(l);
    } catch (e) {
      err = e as GatewayError;
    }
    // 6 a minute: one token every 10 s.
    expect(err?.data?.retryAfterSeconds).toBe(10);
    expect(err?.detail).toContain('client "a"');
    now += 10_000;
    expect(codeOf(() => r.take(l))).toBe('OK');
    expect(codeOf(() => r.take(l))).toBe('LT_LIMIT_RATE');
    // Another key has its own bucket.
    expect(codeOf(() => r.take([{ key: 'c:b', label: 'b', perMinute: 6 }]))).toBe('OK');
  });

  it('takes from every bucket or from none', () => {
    const r = new RateLimiter(100, () => 0);
    const client = { key: 'c:a', label: 'client', perMinute: 10 };
    const route = { key: 'c:a|r:x', label: 'route', perMinute: 2 };
    expect(codeOf(() => r.take([client, route]))).toBe('OK');
    expect(codeOf(() => r.take([client, route]))).toBe('OK');
    // The route's bucket is empty: the client's loses nothing to the refused requests.
    for (let i = 0; i < 5; i++) expect(codeOf(() => r.take([client, route]))).toBe('LT_LIMIT_RATE');
    const left = Array.from({ length: 10 }, () => codeOf(() => r.take([client])));
    expect(left.filter((c) => c === 'OK')).toHaveLength(8);
  });
});

describe('resolveLimit', () => {
  const tiers = {
    Bronze: { perMinute: 1000 },
    Gold: { perMinute: 5000, perDay: 100000 },
    Unlimited: {},
  };
  it('takes the tier, numbers overriding its fields; Unlimited and no spec limit nothing', () => {
    expect(resolveLimit({ tier: 'Gold' }, tiers)).toEqual({ perMinute: 5000, perDay: 100000 });
    expect(resolveLimit({ tier: 'Bronze', perDay: 50 }, tiers)).toEqual({
      perMinute: 1000,
      perDay: 50,
    });
    expect(resolveLimit({ perMinute: 3 }, tiers)).toEqual({ perMinute: 3, perDay: undefined });
    expect(resolveLimit({ tier: 'Unlimited' }, tiers)).toBeUndefined();
    expect(resolveLimit(undefined, tiers)).toBeUndefined();
  });
  it('refuses an unknown tier, an inherited property name included', () => {
    for (const tier of ['Platinum', 'constructor', 'toString'])
      expect(codeOf(() => resolveLimit({ tier }, tiers))).toBe('LT_CONFIG_INVALID');
  });
});
