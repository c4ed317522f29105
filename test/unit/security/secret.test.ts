import { describe, expect, it } from '@jest/globals';
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
});
