import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import {
  signDetached,
  signDetachedAsync,
  verifyDetached,
  verifyDetachedAsync,
} from '../../../src/security/jws.js';

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
