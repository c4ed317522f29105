import { describe, expect, it } from '@jest/globals';
import { randomBytes, scryptSync } from 'node:crypto';
import { hashSecret, verifySecret } from '../../../src/security/secret.js';

// R11 / R14: client secrets are never stored in clear.
describe('client secret hashing (scrypt)', () => {
  it('hashes with N=16384 r=8 p=1 and a random salt, and verifies', async () => {
    const secret = 'Mật-khẩu-ứng-dụng-2025!';
    const a = await hashSecret(secret);
    const b = await hashSecret(secret);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret);
    expect(await verifySecret(secret, a)).toBe(true);
    expect(await verifySecret(secret, b)).toBe(true);
    expect(await verifySecret(`${secret} `, a)).toBe(false);
    expect(await verifySecret('', a)).toBe(false);
  });

  it('returns false for malformed or tampered records instead of throwing', async () => {
    const good = await hashSecret('s3cret');
    const parts = good.split('$');
    const flipped = Buffer.from(parts[5], 'base64');
    flipped[0] ^= 1;
    const bad = [
      '',
      'plain',
      good.replace('scrypt$', 'bcrypt$'),
      [...parts.slice(0, 5), flipped.toString('base64')].join('$'),
      [parts[0], '16383', ...parts.slice(2)].join('$'), // N not a power of two
      [parts[0], String(1 << 30), ...parts.slice(2)].join('$'), // absurd N
      [...parts.slice(0, 4), '', parts[5]].join('$'), // no salt
      `${good}$extra`,
    ];
    for (const encoded of bad) expect(await verifySecret('s3cret', encoded)).toBe(false);
  });

  describe('records that are correct hashes but outside the accepted parameters', () => {
    // Each record is what scrypt really gives for the secret with its
    // parameters, so only the bound named refuses it.
    const record = (n: number, r: number, p: number, keylen = 32, nText = String(n)) => {
      const salt = randomBytes(16);
      const hash = scryptSync('s3cret', salt, keylen, { N: n, r, p, maxmem: 256 * 1024 * 1024 });
      return `scrypt$${nText}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
    };

    it('accepts the largest r and p and a 16-byte hash (the controls)', async () => {
      expect(await verifySecret('s3cret', record(16, 32, 1))).toBe(true);
      expect(await verifySecret('s3cret', record(16, 1, 16))).toBe(true);
      expect(await verifySecret('s3cret', record(16, 8, 1, 16))).toBe(true);
    });

    it.each([
      ['r over 32', () => record(16, 33, 1)],
      ['p over 16', () => record(16, 1, 17)],
      ['N of 1', () => record(1 << 1, 8, 1, 32, '1')],
      ['N written with a leading zero', () => record(16, 8, 1, 32, '016')],
      ['a hash shorter than 16 bytes', () => record(16, 8, 1, 15)],
    ])('refuses %s', async (_n, make) => {
      expect(await verifySecret('s3cret', make())).toBe(false);
    });

    it('refuses a secret that is not a string', async () => {
      const good = record(16, 8, 1);
      expect(await verifySecret(undefined as unknown as string, good)).toBe(false);
      expect(await verifySecret('s3cret', undefined as unknown as string)).toBe(false);
    });
  });
});
