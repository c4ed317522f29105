import { sign, verify, hash, type KeyObject } from 'node:crypto';
import { GatewayError } from '../message/errors.js';
import { offloadCrypto } from './offload.js';
import type { KeyResolver, Signer } from './jwk.js';

/**
 * JWS compact serialization (RFC 7515 §7.1) with ES256 only, on node:crypto.
 *
 * node-jose owns the keystore but costs ~340 µs per ES256 signature; node:crypto
 * with a KeyObject built once per kid costs ~19 µs, so the per-message path is
 * here. ES256 signatures in JWS are the raw r||s form (RFC 7518 §3.4), hence
 * `dsaEncoding: 'ieee-p1363'` on both sides.
 *
 * The verifier accepts exactly one algorithm. Reading `alg` from the header and
 * obeying it is how `none` and HS256-with-the-public-key forgeries work; we
 * compare it against the only value we speak and refuse the rest.
 */

/** Protected header after verification: alg is always ES256 and kid is present. */
export type JwsHeader = Record<string, unknown> & { alg: 'ES256'; kid: string };

export interface VerifiedJws {
  header: JwsHeader;
  payload: Buffer;
}

const ALG = 'ES256';
/** r||s of P-256, two 32-byte integers: 64 bytes, 86 base64url characters. */
const ES256_SIG_CHARS = 86;
/** Base64url digits whose low 4 bits are zero. */
const CANONICAL_LAST = 'AQgw';
/** Unpadded base64url; Buffer.from(…, 'base64url') silently skips other characters. */
const B64URL = /^[A-Za-z0-9_-]*$/;
/** Longer kids are not ours; bounding them keeps garbage out of logs and maps. */
const MAX_KID_LENGTH = 256;

function invalid(detail: string): GatewayError {
  return new GatewayError('LT_SIG_INVALID', detail);
}

function protectedHeader(header: Record<string, unknown>, kid: string): string {
  const h: Record<string, unknown> = { alg: ALG, kid, ...header };
  // The caller's header cannot change what the key actually does.
  h.alg = ALG;
  h.kid = kid;
  return Buffer.from(JSON.stringify(h), 'utf8').toString('base64url');
}

function es256(signingInput: Buffer, key: KeyObject): string {
  try {
    return sign('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  } catch (err) {
    throw new GatewayError('LT_INTERNAL', 'ES256 signing failed', undefined, { cause: err });
  }
}

/**
 * The same signature computed on libuv's thread pool (node:crypto's callback
 * form): the event loop stays free for I/O while the EC arithmetic runs on
 * another core. The pipeline's per-message signing and verifying use these;
 * a lone exchange computes inline (src/security/offload.ts).
 */
function es256Async(signingInput: Buffer, key: KeyObject): Promise<string> {
  if (!offloadCrypto()) {
    try {
      return Promise.resolve(es256(signingInput, key));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  return new Promise((resolve, reject) => {
    sign('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }, (err, sig) => {
      if (err)
        reject(new GatewayError('LT_INTERNAL', 'ES256 signing failed', undefined, { cause: err }));
      else resolve(sig.toString('base64url'));
    });
  });
}

/** signDetached, with the signature computed off the event loop. */
export async function signDetachedAsync(
  payload: Buffer,
  header: Record<string, unknown>,
  signer: Signer,
): Promise<string> {
  const h = protectedHeader(header, signer.kid);
  return `${h}..${await es256Async(signingInput(h, payload.toString('base64url')), signer.key)}`;
}

/**
 * The JWS signing input ASCII(header) || "." || payloadB64, written into one
 * Buffer: one string fewer than a concatenation and its Buffer copy (for a
 * 2.3 KB SOAP reply ~6 KB less garbage per signature or verification).
 */
function signingInput(headerB64: string, payloadB64: string): Buffer {
  const out = Buffer.allocUnsafe(headerB64.length + 1 + payloadB64.length);
  out.write(headerB64, 0, 'latin1');
  out[headerB64.length] = 0x2e; // "."
  out.write(payloadB64, headerB64.length + 1, 'latin1');
  return out;
}

/** `header.payload.signature` with `alg: ES256` and the signer's kid in the protected header. */
export function signCompact(
  payload: Buffer,
  header: Record<string, unknown>,
  signer: Signer,
): string {
  const h = protectedHeader(header, signer.kid);
  const p = payload.toString('base64url');
  return `${h}.${p}.${es256(signingInput(h, p), signer.key)}`;
}

/**
 * `header..signature` (RFC 7515 Appendix F): the payload travels beside the
 * JWS (an HTTP body, a SOAP body) and is not repeated; the signing input still
 * contains its standard base64url form.
 */
export function signDetached(
  payload: Buffer,
  header: Record<string, unknown>,
  signer: Signer,
): string {
  const h = protectedHeader(header, signer.kid);
  return `${h}..${es256(signingInput(h, payload.toString('base64url')), signer.key)}`;
}

interface Parts {
  header: JwsHeader;
  headerB64: string;
  payloadB64: string;
  signature: Buffer;
}

function split(jws: unknown): Parts {
  if (typeof jws !== 'string') throw invalid('JWS is not a string');
  const first = jws.indexOf('.');
  const second = first < 0 ? -1 : jws.indexOf('.', first + 1);
  if (second < 0 || jws.indexOf('.', second + 1) >= 0) {
    throw invalid('JWS compact serialization has three dot-separated parts');
  }
  const headerB64 = jws.slice(0, first);
  const payloadB64 = jws.slice(first + 1, second);
  const sigB64 = jws.slice(second + 1);
  if (!B64URL.test(headerB64) || !B64URL.test(payloadB64) || !B64URL.test(sigB64)) {
    throw invalid('JWS parts must be unpadded base64url');
  }
  // 64 bytes are 86 characters whose last one carries 4 unused bits. Requiring
  // those bits to be zero makes the encoding canonical: one signature, one string.
  if (sigB64.length !== ES256_SIG_CHARS || !CANONICAL_LAST.includes(sigB64[ES256_SIG_CHARS - 1])) {
    throw invalid('ES256 signature must be 64 bytes in canonical base64url');
  }
  const signature = Buffer.from(sigB64, 'base64url');

  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(headerB64, 'base64url').toString('utf8'));
  } catch {
    throw invalid('JWS protected header is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid('JWS protected header is not a JSON object');
  }
  const h = parsed as Record<string, unknown>;
  if (h.alg !== ALG) throw invalid(`alg must be ${ALG}`);
  if (typeof h.kid !== 'string' || h.kid.length === 0 || h.kid.length > MAX_KID_LENGTH) {
    throw invalid('JWS protected header has no usable kid');
  }
  // RFC 7515 §4.1.11: extensions listed in crit must be understood; we
  // understand none. b64:false (RFC 7797) would change the signing input.
  if (h.crit !== undefined) throw invalid('crit header extensions are not supported');
  if (h.b64 !== undefined && h.b64 !== true) throw invalid('unencoded payloads are not supported');
  return { header: h as JwsHeader, headerB64, payloadB64, signature };
}

function keyFor(parts: Parts, resolveKey: KeyResolver): KeyObject {
  const key = resolveKey(parts.header.kid);
  if (key === undefined) {
    throw new GatewayError('LT_SIG_UNKNOWN_KEY', `no key with kid ${parts.header.kid}`, {
      kid: parts.header.kid,
    });
  }
  // With an RSA key, crypto.verify('sha256') would check a PKCS#1 signature:
  // the header says ES256, so only an EC key may answer.
  if (key.asymmetricKeyType !== 'ec') throw invalid('key for this kid is not an EC key');
  return key;
}

/** What an ES256 verification needs, checked: the key for the kid, the signing input, the signature. */
interface Verification {
  header: JwsHeader;
  key: KeyObject;
  input: Buffer;
  signature: Buffer;
}

function verification(parts: Parts, payloadB64: string, resolveKey: KeyResolver): Verification {
  return {
    header: parts.header,
    key: keyFor(parts, resolveKey),
    input: signingInput(parts.headerB64, payloadB64),
    signature: parts.signature,
  };
}

/** A detached JWS (`header..signature`) and the payload that travelled beside it. */
function detached(jws: string, payload: Buffer, resolveKey: KeyResolver): Verification {
  const parts = split(jws);
  if (parts.payloadB64 !== '') throw invalid('detached JWS must have an empty payload part');
  if (!Buffer.isBuffer(payload)) throw invalid('detached payload must be bytes');
  return verification(parts, payload.toString('base64url'), resolveKey);
}

const NOT_VERIFIED = 'signature does not verify';

function check(v: Verification): void {
  let ok = false;
  try {
    ok = verify('sha256', v.input, { key: v.key, dsaEncoding: 'ieee-p1363' }, v.signature);
  } catch {
    ok = false;
  }
  if (!ok) throw invalid(NOT_VERIFIED);
}

/** check, with the EC verification computed on libuv's thread pool (inline for a lone exchange). */
async function checkAsync(v: Verification): Promise<void> {
  if (!offloadCrypto()) return check(v);
  const ok = await new Promise<boolean>((resolve) => {
    try {
      verify(
        'sha256',
        v.input,
        { key: v.key, dsaEncoding: 'ieee-p1363' },
        v.signature,
        (err, res) => resolve(!err && res),
      );
    } catch {
      resolve(false);
    }
  });
  if (!ok) throw invalid(NOT_VERIFIED);
}

/**
 * Verify `header.payload.signature`. Throws only GatewayError:
 * LT_SIG_UNKNOWN_KEY when the kid resolves to nothing, LT_SIG_INVALID for
 * anything malformed, another alg, or a bad signature.
 */
export function verifyCompact(jws: string, resolveKey: KeyResolver): VerifiedJws {
  const parts = split(jws);
  check(verification(parts, parts.payloadB64, resolveKey));
  return { header: parts.header, payload: Buffer.from(parts.payloadB64, 'base64url') };
}

/** Verify `header..signature` against the payload that travelled beside it. */
export function verifyDetached(jws: string, payload: Buffer, resolveKey: KeyResolver): JwsHeader {
  const v = detached(jws, payload, resolveKey);
  check(v);
  return v.header;
}

/** verifyDetached, with the EC verification computed off the event loop. */
export async function verifyDetachedAsync(
  jws: string,
  payload: Buffer,
  resolveKey: KeyResolver,
): Promise<JwsHeader> {
  const v = detached(jws, payload, resolveKey);
  await checkAsync(v);
  return v.header;
}

/**
 * SHA-256 digest, base64url: request/response digests in headers and audit
 * records. One-shot `hash`: a third of createHash's cost, and it
 * runs on every signed exchange.
 */
export function sha256b64url(data: Buffer | string): string {
  return hash('sha256', data, 'base64url');
}
