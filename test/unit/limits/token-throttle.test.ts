import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/message/errors.js';
import { TokenThrottle } from '../../../src/limits/token-throttle.js';
import { LruMap } from '../../../src/limits/lru.js';

// POST /token failure throttling (issue 19, "Limits"; docs/security.md). The
// secret check is stood in for by a counter: the point is that a throttled
// request never reaches it.

const CFG = {
  ipFailures: 3,
  clientFailures: 2,
  windowSeconds: 60,
  trustSeconds: 3600,
  maxEntries: 100,
};

function setup(cfg = CFG) {
  let now = 1_000_000;
  const throttle = new TokenThrottle(cfg, () => now);
  let hashes = 0;
  /** One /token request: admitted → "hash" → right or wrong secret. */
  const attempt = (id: string, ip: string, right: boolean): string => {
    try {
      const a = throttle.admit(id, ip);
      hashes++;
      if (right) a.succeeded();
      else a.failed();
      return right ? 'OK' : 'LT_AUTH_INVALID_CLIENT';
    } catch (err) {
      return (err as GatewayError).code;
    }
  };
  return {
    throttle,
    attempt,
    hashes: () => hashes,
    advance: (ms: number) => (now += ms),
  };
}

describe('TokenThrottle', () => {
  it('refuses an IP after ipFailures wrong secrets, before any secret is checked, with Retry-After', () => {
    const t = setup();
    const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
    const codes = ids.map((id) => t.attempt(id, '10.0.0.9', false));
    expect(codes).toEqual([
      'LT_AUTH_INVALID_CLIENT',
      'LT_AUTH_INVALID_CLIENT',
      'LT_AUTH_INVALID_CLIENT',
      'LT_AUTH_THROTTLED',
      'LT_AUTH_THROTTLED',
      'LT_AUTH_THROTTLED',
    ]);
    // Three hashes, not six: the throttled ones cost no secret check.
    expect(t.hashes()).toBe(3);
    t.advance(20_000);
    let err: GatewayError | undefined;
    try {
      t.throttle.admit('z', '10.0.0.9');
    } catch (e) {
      err = e as GatewayError;
    }
    expect(err?.code).toBe('LT_AUTH_THROTTLED');
    expect(err?.data?.retryAfterSeconds).toBe(40);
    // Another IP is not affected.
    expect(t.attempt('a', '10.0.0.10', false)).toBe('LT_AUTH_INVALID_CLIENT');
  });

  it('lets the IP try again once its window has ended', () => {
    const t = setup();
    for (let i = 0; i < 3; i++) t.attempt(`x${i}`, '10.0.0.9', false);
    expect(t.attempt('y', '10.0.0.9', false)).toBe('LT_AUTH_THROTTLED');
    t.advance(60_000);
    expect(t.attempt('y', '10.0.0.9', true)).toBe('OK');
  });

  it('refuses a client id flooded from many IPs, but not from an IP that got a token for it', () => {
    const t = setup();
    expect(t.attempt('agency', '10.1.1.1', true)).toBe('OK');
    // The attacker rotates IPs, so no IP reaches its own limit.
    const flood = Array.from({ length: 10 }, (_, i) => t.attempt('agency', `192.0.2.${i}`, false));
    expect(flood.slice(0, 2)).toEqual(['LT_AUTH_INVALID_CLIENT', 'LT_AUTH_INVALID_CLIENT']);
    expect(new Set(flood.slice(2))).toEqual(new Set(['LT_AUTH_THROTTLED']));
    // The owner, from where it got its last token, still gets one.
    expect(t.attempt('agency', '10.1.1.1', true)).toBe('OK');
    // Trust lasts beyond the failure window (a token lives an hour: the owner renews later).
    t.advance(30 * 60_000);
    for (let i = 0; i < 2; i++) t.attempt('agency', `198.51.100.${i}`, false);
    expect(t.attempt('agency', '198.51.100.9', false)).toBe('LT_AUTH_THROTTLED');
    expect(t.attempt('agency', '10.1.1.1', true)).toBe('OK');
  });

  it('counts checks in flight, so a burst cannot get more than the limit past it', () => {
    const t = setup();
    const admitted = [];
    const codes: string[] = [];
    for (let i = 0; i < 10; i++) {
      try {
        admitted.push(t.throttle.admit(`burst${i}`, '10.0.0.7'));
        codes.push('admitted');
      } catch (err) {
        codes.push((err as GatewayError).code);
      }
    }
    expect(codes.filter((c) => c === 'admitted')).toHaveLength(3);
    for (const a of admitted) a.failed();
    expect(t.attempt('later', '10.0.0.7', true)).toBe('LT_AUTH_THROTTLED');
  });

  it('counts nothing for a request that checked no secret (released), and answers once', () => {
    const t = setup();
    for (let i = 0; i < 10; i++) t.throttle.admit('c', '10.0.0.8').released();
    const a = t.throttle.admit('c', '10.0.0.8');
    a.failed();
    a.failed();
    a.failed();
    expect(t.attempt('c', '10.0.0.8', false)).toBe('LT_AUTH_INVALID_CLIENT');
    expect(t.attempt('c', '10.0.0.8', false)).toBe('LT_AUTH_THROTTLED');
  });

  it('keeps at most maxEntries entries however many IPs flood it', () => {
    const t = setup({ ...CFG, maxEntries: 100 });
    for (let i = 0; i < 5000; i++) t.attempt(`id${i}`, `ip${i}`, i % 2 === 0);
    const inner = t.throttle as unknown as {
      windows: LruMap<string, unknown>;
      trusted: LruMap<string, unknown>;
    };
    expect(inner.windows.size).toBeLessThanOrEqual(100);
    expect(inner.trusted.size).toBeLessThanOrEqual(100);
  });
});

describe('LruMap', () => {
  it('drops the least recently used entry first', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.get('a');
    m.set('c', 3);
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')).toBe(1);
    expect(m.get('c')).toBe(3);
  });
});
