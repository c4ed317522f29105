import { randomBytes } from 'node:crypto';

/**
 * Time-ordered ids (UUID version 7, RFC 9562): sortable by creation time, so
 * exchange ids, log lines and audit records line up without a separate clock
 * column. Random bits come from a pooled buffer to avoid a syscall per id.
 */
let pool = Buffer.alloc(0);
let poolOffset = 0;

function random10(): Buffer {
  if (poolOffset + 10 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + 10);
  poolOffset += 10;
  return out;
}

export function uuidv7(now: number = Date.now()): string {
  const b = Buffer.alloc(16);
  b.writeUIntBE(now, 0, 6);
  random10().copy(b, 6);
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Milliseconds since the epoch encoded in a UUIDv7. */
export function uuidv7Time(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

/**
 * The caller's `X-Request-Id`, when it is one we can log and echo safely:
 * 1–128 characters of letters, digits and `-_.:`. Anything else (too long,
 * spaces, quotes, control characters that could forge a log line) is not.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function saneRequestId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && SANE_REQUEST_ID.test(value) ? value : undefined;
}
