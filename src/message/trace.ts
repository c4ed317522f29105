import { randomBytes } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/), the `traceparent`
 * header: `00-<trace-id 32 hex>-<parent-id 16 hex>-<flags 2 hex>`. The gateway
 * is one hop of the trace: it keeps the caller's trace id and flags, and calls
 * the provider with a parent id of its own (the exchange's span), so the
 * provider's logs name the gateway hop and the gateway's logs name the
 * caller's. A missing or malformed header starts a new trace (§4.3: a
 * receiver that cannot parse it must not pass it on).
 */
export interface TraceContext {
  readonly traceId: string;
  /** The caller's span, when the caller sent a valid traceparent. */
  readonly parentId?: string;
  /** This exchange's span: the parent id the provider sees. */
  readonly spanId: string;
  readonly flags: string;
  /** The header value sent to the provider. */
  readonly traceparent: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

// Random hex from a pooled buffer: two ids per exchange without a syscall each.
let pool = Buffer.alloc(0);
let offset = 0;
function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  const s = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return s;
}

/** Our side of the caller's traceparent, or a new trace when there is none worth keeping. */
export function traceFrom(header: string | undefined): TraceContext {
  const m = header ? TRACEPARENT.exec(header.trim()) : null;
  // Version ff is forbidden; version 00 has nothing after the flags; ids of all zeros are invalid.
  const valid =
    m !== null &&
    m[1] !== 'ff' &&
    !(m[1] === '00' && m[5] !== undefined) &&
    m[2] !== ZERO_TRACE &&
    m[3] !== ZERO_SPAN;
  const traceId = valid ? m[2] : randomHex(16);
  const spanId = randomHex(8);
  // Only the sampled bit is defined; a new trace is not sampled unless a caller says so.
  const flags = valid ? (parseInt(m[4], 16) & 1 ? '01' : '00') : '00';
  return {
    traceId,
    parentId: valid ? m[3] : undefined,
    spanId,
    flags,
    traceparent: `00-${traceId}-${spanId}-${flags}`,
  };
}
