import { describe, expect, it } from '@jest/globals';
import { backoffDelay, sleep } from '../../../src/resilience/backoff.js';
import {
  classifySendError,
  isProviderFailure,
  isRetryable,
} from '../../../src/resilience/classify.js';
import { GatewayError } from '../../../src/message/errors.js';

describe('backoffDelay (exponential, full jitter)', () => {
  it('draws from [0, min(max, base·2^n)) using the random source', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, 100, 1000, () => 0.999999))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffDelay(3, 100, 1000, () => 0)).toBe(0);
    expect(backoffDelay(1, 100, 1000, () => 0.5)).toBe(100);
  });

  it('stays within bounds for the default random source', () => {
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(i % 8, 50, 2000);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(2000, 50 * 2 ** (i % 8)));
    }
  });
});

describe('sleep', () => {
  it('rejects with the given error as soon as the signal aborts', async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal, () => new GatewayError('LT_CANCELLED'));
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'LT_CANCELLED' });
    await expect(
      sleep(10, AbortSignal.abort(), () => new GatewayError('LT_CANCELLED')),
    ).rejects.toMatchObject({
      code: 'LT_CANCELLED',
    });
    await expect(sleep(0, undefined, () => new Error('unused'))).resolves.toBeUndefined();
  });
});

describe('error classification', () => {
  it('provider-side codes count against the breaker, caller-side ones do not', () => {
    for (const c of [
      'LT_UPSTREAM_TIMEOUT',
      'LT_UPSTREAM_UNREACHABLE',
      'LT_UPSTREAM_ERROR',
      'LT_UPSTREAM_BAD_REPLY',
    ] as const) {
      expect(isProviderFailure(new GatewayError(c))).toBe(true);
    }
    for (const c of [
      'LT_NPD_NOT_FOUND',
      'LT_CONTRACT_REQUEST',
      'LT_CANCELLED',
      'LT_INTERNAL',
    ] as const) {
      expect(isProviderFailure(new GatewayError(c))).toBe(false);
    }
  });

  it('only timeouts, unreachable and 5xx are retryable', () => {
    expect(isRetryable(new GatewayError('LT_UPSTREAM_TIMEOUT'))).toBe(true);
    expect(isRetryable(new GatewayError('LT_UPSTREAM_UNREACHABLE'))).toBe(true);
    expect(isRetryable(new GatewayError('LT_UPSTREAM_ERROR'))).toBe(true);
    expect(isRetryable(new GatewayError('LT_UPSTREAM_FAULT'))).toBe(false);
    expect(isRetryable(new GatewayError('LT_NPD_NOT_FOUND'))).toBe(false);
  });

  it('maps raw socket and undici errors, leaves GatewayErrors alone', () => {
    const g = new GatewayError('LT_UPSTREAM_FAULT');
    expect(classifySendError(g)).toBe(g);
    expect(classifySendError(Object.assign(new Error(), { code: 'ECONNRESET' })).code).toBe(
      'LT_UPSTREAM_UNREACHABLE',
    );
    expect(
      classifySendError(Object.assign(new Error(), { code: 'UND_ERR_HEADERS_TIMEOUT' })).code,
    ).toBe('LT_UPSTREAM_TIMEOUT');
    // fetch(): TypeError('fetch failed') with the socket error as cause.
    expect(
      classifySendError(new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } })).code,
    ).toBe('LT_UPSTREAM_UNREACHABLE');
    expect(classifySendError(new Error('boom')).code).toBe('LT_INTERNAL');
    expect(classifySendError('a string').code).toBe('LT_INTERNAL');
  });
});
