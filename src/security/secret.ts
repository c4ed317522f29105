import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Client secrets are stored as scrypt hashes, self-describing so parameters
 * can be raised later without breaking stored values:
 * `scrypt$<N>$<r>$<p>$<saltB64>$<hashB64>`.
 */
const N = 16384;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Refuse absurd parameters from a tampered record instead of allocating gigabytes. */
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

function derive(secret: string, salt: Buffer, keylen: number, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, keylen, o, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function maxmem(n: number, r: number, p: number): number {
  // scrypt needs about 128·N·r bytes (plus 128·r·p); leave headroom.
  return 128 * n * r + 128 * r * p + 1024 * 1024;
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(secret, salt, HASH_BYTES, { N, r: R, p: P, maxmem: maxmem(N, R, P) });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

function parseIntStrict(s: string): number {
  return /^[1-9][0-9]{0,7}$/.test(s) ? Number(s) : NaN;
}

/** True when the secret matches; false for a wrong secret or a malformed record. */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  if (typeof secret !== 'string' || typeof encoded !== 'string') return false;
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const n = parseIntStrict(parts[1]);
  const r = parseIntStrict(parts[2]);
  const p = parseIntStrict(parts[3]);
  if (!(n > 1 && n <= MAX_N && (n & (n - 1)) === 0 && r <= MAX_R && p <= MAX_P)) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (salt.length === 0 || expected.length < 16) return false;
  let actual: Buffer;
  try {
    actual = await derive(secret, salt, expected.length, { N: n, r, p, maxmem: maxmem(n, r, p) });
  } catch {
    return false;
  }
  return timingSafeEqual(actual, expected);
}
