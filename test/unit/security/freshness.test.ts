import { describe, expect, it } from '@jest/globals';
import { checkFreshness, type RememberJtiOnce } from '../../../src/security/freshness.js';
import { asyncCodeOf } from './helpers.js';

/** An in-memory rememberOnce with the Store's semantics. */
function memory(): { remember: RememberJtiOnce; calls: Array<[string, number]> } {
  const seen = new Map<string, number>();
  const calls: Array<[string, number]> = [];
  return {
    calls,
    remember: async (jti, expiresAtMs) => {
      calls.push([jti, expiresAtMs]);
      if (seen.has(jti)) return false;
      seen.set(jti, expiresAtMs);
      return true;
    },
  };
}

// R14 (integrity): a signed message is accepted once, and only while fresh.
describe('checkFreshness', () => {
  const now = Date.UTC(2025, 0, 15, 3, 0, 0);
  const iat = now / 1000;
  const opts = { windowSec: 300, now };

  it('accepts a fresh message once and refuses its replay', async () => {
    const m = memory();
    await checkFreshness({ iat, jti: 'a1' }, opts, m.remember);
    expect(await asyncCodeOf(() => checkFreshness({ iat, jti: 'a1' }, opts, m.remember))).toBe(
      'LT_SIG_REPLAYED',
    );
    await checkFreshness({ iat, jti: 'a2' }, opts, m.remember);
    // The jti is only kept as long as the iat check would let the message in.
    expect(m.calls[0]).toEqual(['a1', (iat + 300) * 1000]);
  });

  it('accepts iat inside ±window, refuses outside or missing with LT_SIG_STALE', async () => {
    const m = memory();
    await checkFreshness({ iat: iat - 300, jti: 'edge-old' }, opts, m.remember);
    await checkFreshness({ iat: iat + 300, jti: 'edge-new' }, opts, m.remember);
    for (const header of [
      { iat: iat - 301, jti: 'old' },
      { iat: iat + 301, jti: 'future' },
      { jti: 'no-iat' },
      { iat: String(iat), jti: 'string-iat' },
      { iat: Number.NaN, jti: 'nan' },
    ]) {
      expect(await asyncCodeOf(() => checkFreshness(header, opts, m.remember))).toBe(
        'LT_SIG_STALE',
      );
    }
    // Stale messages never reach the store.
    expect(m.calls.map(([jti]) => jti)).toEqual(['edge-old', 'edge-new']);
  });

  it('refuses a missing or unusable jti with LT_SIG_INVALID', async () => {
    const m = memory();
    for (const jti of [undefined, '', 42, 'x'.repeat(257), 'a\u0000b', 'line\nbreak']) {
      expect(await asyncCodeOf(() => checkFreshness({ iat, jti }, opts, m.remember))).toBe(
        'LT_SIG_INVALID',
      );
    }
    expect(m.calls).toEqual([]);
  });
});
