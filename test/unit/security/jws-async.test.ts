import { afterEach, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import {
  signDetached,
  signDetachedAsync,
  verifyDetached,
  verifyDetachedAsync,
} from '../../../src/security/jws.js';
import { cryptoOffloadStats, exchangeLoad } from '../../../src/security/offload.js';

// The pipeline signs and verifies on libuv's thread pool; what it produces must be
// the same JWS the synchronous functions (and node-jose, see jws.test.ts) accept.
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = { kid: 'k1', key: privateKey };
const resolve = (kid: string) => (kid === 'k1' ? publicKey : undefined);
const payload = Buffer.from('{"a":1}');

describe('off-loop ES256', () => {
  it('signs what the synchronous verifier accepts, and verifies what the synchronous signer makes', async () => {
    const jws = await signDetachedAsync(payload, { iat: 1 }, signer);
    expect(verifyDetached(jws, payload, resolve)).toMatchObject({
      alg: 'ES256',
      kid: 'k1',
      iat: 1,
    });
    const sync = signDetached(payload, { iat: 2 }, signer);
    await expect(verifyDetachedAsync(sync, payload, resolve)).resolves.toMatchObject({ iat: 2 });
  });

  it('refuses a tampered payload and an unknown kid with their codes', async () => {
    const jws = await signDetachedAsync(payload, {}, signer);
    await expect(verifyDetachedAsync(jws, Buffer.from('{"a":2}'), resolve)).rejects.toMatchObject({
      code: 'LT_SIG_INVALID',
    });
    await expect(verifyDetachedAsync(jws, payload, () => undefined)).rejects.toMatchObject({
      code: 'LT_SIG_UNKNOWN_KEY',
    });
    await expect(verifyDetachedAsync('garbage', payload, resolve)).rejects.toMatchObject({
      code: 'LT_SIG_INVALID',
    });
  });
});

// A lone exchange signs and verifies inline (no thread-pool hop, whose wake-ups
// are a latency tail); with others in flight the work goes to the pool.
let entered = 0;
afterEach(() => {
  for (; entered > 0; entered--) exchangeLoad.leave();
});
function inFlight(n: number) {
  for (let i = 0; i < n; i++, entered++) exchangeLoad.enter();
}
const snapshot = () => ({ ...cryptoOffloadStats() });

describe('where ES256 runs', () => {
  it('inline for a lone exchange: settled before the event loop turns', async () => {
    inFlight(1);
    const before = snapshot();
    let turned = false;
    setImmediate(() => (turned = true));
    const jws = await signDetachedAsync(payload, {}, signer);
    await verifyDetachedAsync(jws, payload, resolve);
    expect(turned).toBe(false);
    expect(snapshot()).toEqual({ pool: before.pool, inline: before.inline + 2 });
  });

  it('on the pool when other exchanges are in flight, with the same result', async () => {
    inFlight(3);
    const before = snapshot();
    const jws = await signDetachedAsync(payload, { iat: 1 }, signer);
    expect(verifyDetached(jws, payload, resolve)).toMatchObject({ iat: 1 });
    await expect(verifyDetachedAsync(jws, Buffer.from('{"a":2}'), resolve)).rejects.toMatchObject({
      code: 'LT_SIG_INVALID',
    });
    expect(snapshot()).toEqual({ pool: before.pool + 2, inline: before.inline });
  });

  it('refuses a bad signature inline as on the pool', async () => {
    const jws = await signDetachedAsync(payload, {}, signer);
    await expect(verifyDetachedAsync(jws, Buffer.from('x'), resolve)).rejects.toMatchObject({
      code: 'LT_SIG_INVALID',
    });
  });
});
