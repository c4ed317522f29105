import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { join } from 'node:path';
import fc from 'fast-check';
import jose from 'node-jose';
import { GatewayError } from '../../../src/message/errors.js';
import { KeyRing } from '../../../src/security/keyring.js';
import {
  sha256b64url,
  signCompact,
  signDetached,
  signDetachedAsync,
  verifyCompact,
  verifyDetached,
} from '../../../src/security/jws.js';
import { b64json, codeOf, tempDir } from './helpers.js';

// R14 (integrity): ES256 JWS on the hot path, interoperable with node-jose.
describe('JWS ES256', () => {
  let ring: KeyRing;
  let cleanup: () => Promise<void>;
  const payload = Buffer.from(
    JSON.stringify({ soDinhDanh: '001099012345', hoVaTen: 'Nguyễn Văn A' }),
  );

  beforeAll(async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    ring = await KeyRing.load({ file: join(t.dir, 'jwks.json'), generateIfMissing: true });
  });
  afterAll(() => cleanup());

  it('signs compact with alg ES256 and kid in the protected header, and verifies it', () => {
    const jws = signCompact(
      payload,
      { typ: 'JOSE', alg: 'none', kid: 'forged', iat: 1 },
      ring.signer('envelope'),
    );
    const [h] = jws.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    expect(header).toEqual({ alg: 'ES256', kid: ring.signer('envelope').kid, typ: 'JOSE', iat: 1 });
    const out = verifyCompact(jws, ring.resolver('envelope'));
    expect(out.payload.equals(payload)).toBe(true);
    expect(out.header.iat).toBe(1);
  });

  it('node-jose verifies what the hot path signs', async () => {
    const jws = signCompact(payload, { iat: 1700000000 }, ring.signer('envelope'));
    const result = await jose.JWS.createVerify(ring.keystore).verify(jws);
    expect(result.payload.equals(payload)).toBe(true);
    expect(result.header).toMatchObject({ alg: 'ES256', kid: ring.signer('envelope').kid });
  });

  it('the hot path verifies what node-jose signs', async () => {
    const key = ring.keystore.get(ring.signer('envelope').kid);
    const jws = (await jose.JWS.createSign({ format: 'compact', fields: { iat: 1700000000 } }, key)
      .update(payload)
      .final()) as unknown as string;
    const out = verifyCompact(jws, ring.resolver('envelope'));
    expect(out.payload.equals(payload)).toBe(true);
    expect(out.header).toMatchObject({
      alg: 'ES256',
      kid: ring.signer('envelope').kid,
      iat: 1700000000,
    });
  });

  it('detached JWS omits the payload and verifies against it (RFC 7515 Appendix F)', async () => {
    const jws = signDetached(payload, { iat: 5 }, ring.signer('envelope'));
    const [h, p, s] = jws.split('.');
    expect(p).toBe('');
    expect(verifyDetached(jws, payload, ring.resolver('envelope'))).toMatchObject({
      kid: ring.signer('envelope').kid,
      iat: 5,
    });
    // Re-attached, it is an ordinary compact JWS that node-jose accepts.
    const attached = `${h}.${payload.toString('base64url')}.${s}`;
    const result = await jose.JWS.createVerify(ring.keystore).verify(attached);
    expect(result.payload.equals(payload)).toBe(true);

    expect(
      codeOf(() => verifyDetached(jws, Buffer.from('other body'), ring.resolver('envelope'))),
    ).toBe('LT_SIG_INVALID');
    expect(codeOf(() => verifyDetached(attached, payload, ring.resolver('envelope')))).toBe(
      'LT_SIG_INVALID',
    );
  });

  it('rejects a tampered header, payload or signature with LT_SIG_INVALID', () => {
    const jws = signCompact(payload, { iat: 1 }, ring.signer('envelope'));
    const [h, p, s] = jws.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const otherPayload = Buffer.from(payload.toString().replace('A', 'B')).toString('base64url');
    const sig = Buffer.from(s, 'base64url');
    sig[10] ^= 1;
    const tampered = [
      `${b64json({ ...header, iat: 2 })}.${p}.${s}`,
      `${h}.${otherPayload}.${s}`,
      `${h}.${p}.${sig.toString('base64url')}`,
      `${h}.${p}.${s.slice(0, -2)}`,
      `${h}.${p}`,
      `${h}.${p}.${s}.`,
      `${h}.${p}.${s}=`,
    ];
    for (const t of tampered)
      expect(codeOf(() => verifyCompact(t, ring.resolver('envelope')))).toBe('LT_SIG_INVALID');
  });

  it('rejects alg none, HS256 keyed with the public key, and other algs', () => {
    const jws = signCompact(payload, {}, ring.signer('envelope'));
    const [h, p, s] = jws.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const pub = JSON.stringify(ring.publicJwks().keys[0]);
    const none = `${b64json({ ...header, alg: 'none' })}.${p}.`;
    const hsHeader = b64json({ ...header, alg: 'HS256' });
    const hs = createHmac('sha256', pub).update(`${hsHeader}.${p}`).digest('base64url');
    const cases = [
      none,
      `${b64json({ ...header, alg: 'none' })}.${p}.${s}`,
      `${hsHeader}.${p}.${hs}`,
      `${hsHeader}.${p}.${s}`,
      `${b64json({ ...header, alg: 'ES384' })}.${p}.${s}`,
      `${b64json({ ...header, alg: 'es256' })}.${p}.${s}`,
    ];
    for (const c of cases)
      expect(codeOf(() => verifyCompact(c, ring.resolver('envelope')))).toBe('LT_SIG_INVALID');
  });

  it('rejects a missing kid, crit extensions and b64:false; unknown kid is LT_SIG_UNKNOWN_KEY', () => {
    const jws = signCompact(payload, {}, ring.signer('envelope'));
    const [h, p, s] = jws.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const { kid: _kid, ...noKid } = header;
    expect(
      codeOf(() => verifyCompact(`${b64json(noKid)}.${p}.${s}`, ring.resolver('envelope'))),
    ).toBe('LT_SIG_INVALID');
    expect(
      codeOf(() =>
        verifyCompact(
          `${b64json({ ...header, crit: ['exp'], exp: 1 })}.${p}.${s}`,
          ring.resolver('envelope'),
        ),
      ),
    ).toBe('LT_SIG_INVALID');
    expect(
      codeOf(() =>
        verifyCompact(
          `${b64json({ ...header, b64: false, crit: ['b64'] })}.${p}.${s}`,
          ring.resolver('envelope'),
        ),
      ),
    ).toBe('LT_SIG_INVALID');
    expect(codeOf(() => verifyCompact(jws, () => undefined))).toBe('LT_SIG_UNKNOWN_KEY');
  });

  it('refuses to verify ES256 with a non-EC key under the right kid', () => {
    const jws = signCompact(payload, {}, ring.signer('envelope'));
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    expect(codeOf(() => verifyCompact(jws, () => rsa))).toBe('LT_SIG_INVALID');
  });

  it('never throws anything but LT_SIG_INVALID / LT_SIG_UNKNOWN_KEY on garbage input', () => {
    const good = signCompact(payload, { iat: 1 }, ring.signer('envelope'));
    const part = fc.stringMatching(/^[A-Za-z0-9_-]{0,120}$/);
    const header = fc
      .dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })
      .map((d) => b64json(d));
    const garbage = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.tuple(part, part, part).map((t) => t.join('.')),
      fc.tuple(header, part, part).map((t) => t.join('.')),
      fc
        .tuple(
          fc.integer({ min: 0, max: good.length - 1 }),
          fc.string({ minLength: 1, maxLength: 1 }),
        )
        .map(([i, c]) => {
          // One character changed anywhere in a valid JWS.
          const ch = good[i] === c ? (c === 'A' ? 'B' : 'A') : c;
          return good.slice(0, i) + ch + good.slice(i + 1);
        }),
    );
    fc.assert(
      fc.property(garbage, (input) => {
        for (const run of [
          () => verifyCompact(input, ring.resolver('envelope')),
          () => verifyDetached(input, payload, ring.resolver('envelope')),
        ]) {
          try {
            run();
            return false;
          } catch (err) {
            if (!(err instanceof GatewayError)) return false;
            if (err.code !== 'LT_SIG_INVALID' && err.code !== 'LT_SIG_UNKNOWN_KEY') return false;
          }
        }
        return true;
      }),
      { numRuns: 2000 },
    );
    // Non-string inputs from untyped callers too.
    for (const v of [undefined, null, 42, {}, Buffer.from('a.b.c')]) {
      expect(codeOf(() => verifyCompact(v as unknown as string, ring.resolver('envelope')))).toBe(
        'LT_SIG_INVALID',
      );
    }
  });

  describe('checks that refuse a JWS whose ES256 signature is valid', () => {
    // Each input below carries a correct signature over its own header and
    // payload, so only the check named refuses it (a tampered input would
    // fail the signature anyway and prove nothing about the check).
    const signer = () => ring.signer('envelope');
    function signRaw(headerJson: string, body = payload): string {
      const h = Buffer.from(headerJson).toString('base64url');
      const p = body.toString('base64url');
      const sig = sign('sha256', Buffer.from(`${h}.${p}`), {
        key: signer().key,
        dsaEncoding: 'ieee-p1363',
      });
      return `${h}.${p}.${sig.toString('base64url')}`;
    }
    const anyKid = () => ring.resolver('envelope')(ring.activeKid('envelope'));
    const kid = () => ring.activeKid('envelope');

    it('accepts the control: a raw-signed ES256 header with the kid', () => {
      const jws = signRaw(JSON.stringify({ alg: 'ES256', kid: kid() }));
      expect(verifyCompact(jws, anyKid).payload.equals(payload)).toBe(true);
    });

    it.each([
      ['alg none', () => ({ alg: 'none', kid: kid() })],
      ['alg HS256', () => ({ alg: 'HS256', kid: kid() })],
      ['no alg', () => ({ kid: kid() })],
      ['no kid', () => ({ alg: 'ES256' })],
      ['an empty kid', () => ({ alg: 'ES256', kid: '' })],
      ['a numeric kid', () => ({ alg: 'ES256', kid: 7 })],
      ['a kid over 256 characters', () => ({ alg: 'ES256', kid: 'k'.repeat(257) })],
      ['crit', () => ({ alg: 'ES256', kid: kid(), crit: ['exp'], exp: 1 })],
      ['b64: false', () => ({ alg: 'ES256', kid: kid(), b64: false })],
    ])('refuses %s with LT_SIG_INVALID', (_n, header) => {
      // The resolver answers for any kid: the kid checks, not the lookup, must refuse.
      expect(codeOf(() => verifyCompact(signRaw(JSON.stringify(header())), anyKid))).toBe(
        'LT_SIG_INVALID',
      );
    });

    it('accepts a kid of exactly 256 characters and b64: true', () => {
      const h = { alg: 'ES256', kid: 'k'.repeat(256), b64: true };
      expect(verifyCompact(signRaw(JSON.stringify(h)), anyKid).header.kid).toHaveLength(256);
    });

    it.each([['null'], ['[1]'], ['"ES256"'], ['7']])(
      'refuses a protected header that is the JSON %s',
      (json) => {
        expect(codeOf(() => verifyCompact(signRaw(json), anyKid))).toBe('LT_SIG_INVALID');
      },
    );

    it('refuses a non-canonical signature encoding of the same 64 bytes', () => {
      const jws = signRaw(JSON.stringify({ alg: 'ES256', kid: kid() }));
      const last = jws.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sibling = alphabet[alphabet.indexOf(last) + 1];
      const other = jws.slice(0, -1) + sibling;
      expect(Buffer.from(other.split('.')[2], 'base64url')).toEqual(
        Buffer.from(jws.split('.')[2], 'base64url'),
      );
      expect(codeOf(() => verifyCompact(other, anyKid))).toBe('LT_SIG_INVALID');
    });

    it('refuses a compact JWS where a detached one is expected, even over the same payload', () => {
      const jws = signCompact(payload, {}, signer());
      expect(codeOf(() => verifyDetached(jws, payload, ring.resolver('envelope')))).toBe(
        'LT_SIG_INVALID',
      );
    });

    it('refuses a detached payload given as a string, even its own base64url', () => {
      const jws = signDetached(payload, {}, signer());
      const asString = payload.toString('base64url') as unknown as Buffer;
      expect(codeOf(() => verifyDetached(jws, asString, ring.resolver('envelope')))).toBe(
        'LT_SIG_INVALID',
      );
    });

    it('answers LT_INTERNAL when the signing key cannot make an ES256 signature', async () => {
      const ed = generateKeyPairSync('ed25519').privateKey;
      expect(codeOf(() => signCompact(payload, {}, { kid: 'ed', key: ed }))).toBe('LT_INTERNAL');
      await expect(signDetachedAsync(payload, {}, { kid: 'ed', key: ed })).rejects.toMatchObject({
        code: 'LT_INTERNAL',
      });
    });
  });

  it('sha256b64url is the base64url SHA-256 digest', () => {
    // FIPS 180-2 test vector "abc".
    expect(sha256b64url('abc')).toBe(
      Buffer.from(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
        'hex',
      ).toString('base64url'),
    );
    expect(sha256b64url(Buffer.from('abc'))).toBe(sha256b64url('abc'));
  });
});
