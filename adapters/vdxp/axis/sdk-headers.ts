import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../../../src/message/errors.js';

/**
 * The request signing of the axis's vendor SDK (VNPT SDKVXP 2.0.1, DOMAIN.md
 * §3), both ways: the headers a client emulating the SDK sends, and the
 * check a receiver (the simulator, the facade) makes.
 *
 * The SDK keeps its parameters in a Java HashMap and signs them in that map's
 * iteration order, so the signed JSON's key order is the HashMap's. A client
 * here reproduces that order (`javaHashMapOrder`); a receiver never
 * re-serialises: it verifies the HMAC over the `XroadVnpt-sign-header` string
 * exactly as received, then checks each listed name against its header.
 */

/** Every SDK request names itself so (DOMAIN.md §3). */
export const SDK_USER_AGENT = 'JAVASDKAgent/1.0.0 XRoad/VPCP';
export const SDK_VERSION = '3.0.201608';
export const PREFIX = 'XroadVnpt-';

/** Java's String.hashCode over UTF-16 code units, as a signed 32-bit int. */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The iteration order of a java.util.HashMap<String,String> filled with
 * `keys` in this order: buckets by (h ^ h>>>16) & (capacity-1), capacity 16
 * doubling past a 0.75 load, insertion order within a bucket (a resize keeps
 * it). Tree bins (8+ collisions in one bucket) do not occur with a dozen keys.
 */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  const unique = [...new Set(keys)];
  let capacity = 16;
  while (unique.length > capacity * 0.75) capacity *= 2;
  const bucketOf = (k: string) => {
    const h = javaStringHash(k);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return unique
    .map((k, i) => ({ k, i, b: bucketOf(k) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((e) => e.k);
}

/** `ddMMyyyy'T'HHmmss+SSSS`, the SDK's timestamp (fixed when its object is built). */
export function sdkTimestamp(at: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${p(at.getUTCDate())}${p(at.getUTCMonth() + 1)}${at.getUTCFullYear()}` +
    `T${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}+${p(at.getUTCMilliseconds(), 4)}`
  );
}

/**
 * SHA-256 of the file as SDK 2.0.1 renders `hash-file`: each byte with
 * Integer.toHexString(b & 0xff), so a byte below 0x10 loses its leading zero.
 */
export function sdkFileHash(file: Buffer): string {
  const digest = createHash('sha256').update(file).digest();
  let out = '';
  for (const b of digest) out += b.toString(16);
  return out;
}

/** Hex of bytes without leading zeros per byte: the form hand-written Java clients send. */
function unpaddedHex(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += b.toString(16);
  return out;
}

/**
 * Whether `hashFile` is the SDK's rendering of the body's hash — over the
 * body as sent, or without the trailing CRLF the SDK appends to the file.
 */
export function fileHashMatches(hashFile: string, body: Buffer): boolean {
  const candidates = [body];
  if (body.length >= 2 && body[body.length - 2] === 0x0d && body[body.length - 1] === 0x0a)
    candidates.push(body.subarray(0, body.length - 2));
  const given = hashFile.trim().toLowerCase();
  return candidates.some((c) => sdkFileHash(c) === given);
}

/** The file the SDK meant: the body without the trailing CRLF when that is what the hash covers. */
export function fileOfBody(hashFile: string, body: Buffer): Buffer {
  const given = hashFile.trim().toLowerCase();
  if (sdkFileHash(body) === given) return body;
  return body.subarray(0, body.length - 2);
}

export interface SdkCredentials {
  readonly systemId: string;
  readonly secret: string;
}

/**
 * The headers an SDK request carries for these parameters (besides systemid
 * and timestamp, which are added and signed too). `params` keep the order
 * they were put in the SDK's map; a long-lived SDK object carries earlier
 * calls' parameters too, which a caller emulating it may pass.
 */
export function signSdkRequest(
  creds: SdkCredentials,
  timestamp: string,
  params: ReadonlyArray<readonly [string, string]>,
): Record<string, string> {
  const all = new Map<string, string>([
    ['systemid', creds.systemId],
    ['timestamp', timestamp],
  ]);
  for (const [k, v] of params) all.set(k, v);
  const order = javaHashMapOrder([...all.keys()]);
  const headers: Record<string, string> = {};
  const signed: Record<string, string> = {};
  for (const name of order) {
    const value = all.get(name)!;
    headers[name] = value;
    headers[`${PREFIX}${name}`] = value;
    signed[name] = value;
  }
  const signHeader = JSON.stringify(signed);
  headers[`${PREFIX}sign-header`] = signHeader;
  headers[`${PREFIX}sign-header-key`] = order.join(';');
  headers[`${PREFIX}hash-header`] = createHmac('sha256', Buffer.from(creds.secret, 'utf8'))
    .update(Buffer.from(signHeader, 'utf8'))
    .digest('hex');
  headers['user-agent'] = SDK_USER_AGENT;
  headers[`${PREFIX}version`] = SDK_VERSION;
  return headers;
}

/**
 * A header value as the bytes that arrived, read as UTF-8. Node's HTTP parser
 * gives header values as Latin-1 (one char per byte), so the bytes are those
 * chars; the SDK sends UTF-8 (DOMAIN.md §3: never re-encode).
 */
export function utf8Header(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = Array.isArray(value) ? value.join(', ') : value;
  return Buffer.from(v, 'latin1').toString('utf8');
}

function invalid(reason: string): never {
  throw new GatewayError('LT_VDXP_HEADER_SIGNATURE_INVALID', reason, { reason });
}

export interface VerifiedSdkRequest {
  readonly systemId: string;
  /** Every signed parameter (the SDK's extra, earlier ones included), from the signed JSON. */
  readonly params: Readonly<Record<string, string>>;
}

export interface VerifyOptions {
  /** The secret of a system id, or undefined when it is not registered. */
  secretOf(systemId: string): string | undefined;
  /** Accept an HMAC written without leading zeros per byte (hand-written clients). Off by default. */
  lenientHex?: boolean;
}

/**
 * Verifies an SDK request's signed headers as a receiver must (DOMAIN.md §3):
 * the HMAC over the sign-header string as received; then every name in the
 * key list present in the JSON and as its `XroadVnpt-` header with the same
 * value. The timestamp is not checked for freshness (the SDK freezes it) and
 * extra signed parameters are accepted. `headers` are Node's (lower-case
 * names, Latin-1 values).
 */
export function verifySdkRequest(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  opts: VerifyOptions,
): VerifiedSdkRequest {
  const h = (name: string) => utf8Header(headers[name.toLowerCase()]);
  const signHeader = h(`${PREFIX}sign-header`);
  const keyList = h(`${PREFIX}sign-header-key`);
  const hash = h(`${PREFIX}hash-header`);
  if (signHeader === undefined || keyList === undefined || hash === undefined)
    invalid('XroadVnpt-sign-header, -sign-header-key and -hash-header are required');
  let signed: unknown;
  try {
    signed = JSON.parse(signHeader);
  } catch {
    invalid('XroadVnpt-sign-header is not JSON');
  }
  if (typeof signed !== 'object' || signed === null || Array.isArray(signed))
    invalid('XroadVnpt-sign-header is not a JSON object');
  const params = signed as Record<string, unknown>;
  const systemId = params.systemid;
  if (typeof systemId !== 'string' || systemId === '') invalid('no signed systemid');
  const secret = opts.secretOf(systemId);
  if (secret === undefined)
    throw new GatewayError('LT_VDXP_UNKNOWN_SYSTEM', `system id ${systemId} is not registered`, {
      systemId,
    });
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(Buffer.from(signHeader, 'utf8'))
    .digest();
  const given = hash.trim().toLowerCase();
  const padded = Buffer.from(mac.toString('hex'));
  const ok =
    (given.length === padded.length && timingSafeEqual(Buffer.from(given), padded)) ||
    (opts.lenientHex === true && given === unpaddedHex(mac));
  if (!ok) invalid('XroadVnpt-hash-header is not the HMAC of XroadVnpt-sign-header');
  const out: Record<string, string> = {};
  for (const name of keyList.split(';')) {
    if (name === '') continue;
    const value = params[name];
    if (typeof value !== 'string') invalid(`signed key ${name} has no string value`);
    if (h(`${PREFIX}${name}`) !== value)
      invalid(`header XroadVnpt-${name} differs from its signed value`);
    out[name] = value;
  }
  if (out.systemid !== systemId) invalid('systemid is not in the signed key list');
  const plain = h('systemid');
  if (plain !== undefined && plain !== systemId) invalid('systemid differs from the signed one');
  return { systemId, params: out };
}
