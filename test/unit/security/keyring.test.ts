import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import jose from 'node-jose';
import { KeyRing } from '../../../src/security/keyring.js';
import { signCompact, verifyCompact } from '../../../src/security/jws.js';
import { PeerKeys } from '../../../src/security/peer-keys.js';
import type { GatewayError } from '../../../src/message/errors.js';
import { asyncCodeOf, codeOf, tempDir } from './helpers.js';

// R14: the gateway's own keys — confidentiality of the private part, rotation without breaking peers.
describe('KeyRing', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('generates an ES256 key with an RFC 7638 kid, in a 0600 file under a created directory', async () => {
    const file = join(dir, 'nested', 'keys', 'jwks.json');
    const ring = await KeyRing.load({ file, generateIfMissing: true });
    const [info] = ring.list();
    expect(ring.list()).toHaveLength(1);
    expect(info).toMatchObject({ alg: 'ES256', active: true });
    expect(Number.isNaN(Date.parse(info.created))).toBe(false);

    const st = await stat(file);
    expect(st.mode & 0o777).toBe(0o600);

    // node-jose computes the thumbprint independently: the kid must equal it.
    const key = ring.keystore.get(info.kid);
    expect(key).toBeTruthy();
    expect(((await key.thumbprint('SHA-256')) as unknown as Buffer).toString('base64url')).toBe(
      info.kid,
    );

    const doc = JSON.parse(await readFile(file, 'utf8'));
    expect(doc.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid: info.kid, alg: 'ES256' });
    expect(typeof doc.keys[0].d).toBe('string');
    expect(doc.created[info.kid]).toBe(info.created);
  });

  it('refuses a missing file unless asked to generate one', async () => {
    const code = await asyncCodeOf(() =>
      KeyRing.load({ file: join(dir, 'absent.json'), generateIfMissing: false }),
    );
    expect(code).toBe('LT_CONFIG_INVALID');
  });

  it('round-trips through the file: same keys, same signer, old signatures still verify', async () => {
    const file = join(dir, 'jwks.json');
    const first = await KeyRing.load({ file, generateIfMissing: true });
    const jws = signCompact(Buffer.from('bản tin'), {}, first.signer());
    const second = await KeyRing.load({ file, generateIfMissing: false });
    expect(second.list()).toEqual(first.list());
    expect(second.signer().kid).toBe(first.signer().kid);
    expect(verifyCompact(jws, second.resolve).payload.toString()).toBe('bản tin');
  });

  it('rotates: the new key signs, the old kid still verifies, both are published', async () => {
    const file = join(dir, 'jwks.json');
    const ring = await KeyRing.load({ file, generateIfMissing: true });
    const oldKid = ring.signer().kid;
    const oldJws = signCompact(Buffer.from('before'), {}, ring.signer());
    const jwksBefore = ring.publicJwks();

    const newKid = await ring.rotate();
    expect(newKid).not.toBe(oldKid);
    expect(ring.signer().kid).toBe(newKid);
    expect(ring.list().map((k) => [k.kid, k.active])).toEqual([
      [oldKid, false],
      [newKid, true],
    ]);
    const newJws = signCompact(Buffer.from('after'), {}, ring.signer());
    expect(verifyCompact(oldJws, ring.resolve).header.kid).toBe(oldKid);
    expect(verifyCompact(newJws, ring.resolve).header.kid).toBe(newKid);

    // The published set is recomputed, and a peer built from it verifies both.
    expect(ring.publicJwks()).not.toBe(jwksBefore);
    expect(ring.publicJwks().keys.map((k) => k.kid)).toEqual([oldKid, newKid]);
    const peer = new PeerKeys(ring.publicJwks());
    expect(verifyCompact(oldJws, peer.resolve).payload.toString()).toBe('before');
    expect(verifyCompact(newJws, peer.resolve).payload.toString()).toBe('after');

    // Rotation is on disk already: a restart signs with the new key.
    const reloaded = await KeyRing.load({ file, generateIfMissing: false });
    expect(reloaded.signer().kid).toBe(newKid);
    expect(reloaded.keystore.all()).toHaveLength(2);
  });

  it('publishes public parts only, as a stable cached object', async () => {
    const ring = await KeyRing.load({ file: join(dir, 'jwks.json'), generateIfMissing: true });
    const jwks = ring.publicJwks();
    expect(ring.publicJwks()).toBe(jwks);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(Object.keys(jwks.keys[0]).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(Object.isFrozen(jwks.keys[0])).toBe(true);
  });

  it('removes retired keys but never the active one', async () => {
    const file = join(dir, 'jwks.json');
    const ring = await KeyRing.load({ file, generateIfMissing: true });
    const oldKid = ring.signer().kid;
    const oldJws = signCompact(Buffer.from('x'), {}, ring.signer());
    const newKid = await ring.rotate();

    expect(await asyncCodeOf(() => ring.remove(newKid))).toBe('LT_CONFIG_INVALID');
    expect(await asyncCodeOf(() => ring.remove('no-such-kid'))).toBe('LT_SIG_UNKNOWN_KEY');

    await ring.remove(oldKid);
    expect(ring.list().map((k) => k.kid)).toEqual([newKid]);
    expect(ring.keystore.get(oldKid)).toBeFalsy();
    expect(codeOf(() => verifyCompact(oldJws, ring.resolve))).toBe('LT_SIG_UNKNOWN_KEY');
    const reloaded = await KeyRing.load({ file, generateIfMissing: false });
    expect(reloaded.list().map((k) => k.kid)).toEqual([newKid]);
  });

  it('picks the newest key as signer regardless of file order', async () => {
    const file = join(dir, 'jwks.json');
    const ring = await KeyRing.load({ file, generateIfMissing: true });
    const newKid = await ring.rotate();
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.keys.reverse();
    await writeFile(file, JSON.stringify(doc));
    const reloaded = await KeyRing.load({ file, generateIfMissing: false });
    expect(reloaded.signer().kid).toBe(newKid);
  });

  it('refuses malformed key files with LT_CONFIG_INVALID', async () => {
    const file = join(dir, 'jwks.json');
    const ring = await KeyRing.load({ file, generateIfMissing: true });
    const good = JSON.parse(await readFile(file, 'utf8'));
    const other = (await jose.JWK.createKeyStore().generate('EC', 'P-256')).toJSON(true) as Record<
      string,
      unknown
    >;
    const cases: unknown[] = [
      'not json',
      { keys: [] },
      { keys: [{ ...good.keys[0], d: undefined }] }, // public only: cannot sign
      { keys: [{ ...good.keys[0], crv: 'P-384' }] },
      { keys: [{ ...good.keys[0], d: other.d }] }, // d of another key
      { keys: [good.keys[0], good.keys[0]] }, // duplicate kid
      { keys: [(await jose.JWK.createKeyStore().generate('RSA', 2048)).toJSON(true)] },
    ];
    for (const [i, c] of cases.entries()) {
      await writeFile(file, typeof c === 'string' ? c : JSON.stringify(c));
      const code = await KeyRing.load({ file, generateIfMissing: true }).then(
        () => 'loaded',
        (err: GatewayError) => err.code,
      );
      expect([i, code]).toEqual([i, 'LT_CONFIG_INVALID']);
    }
    expect(ring.list()).toHaveLength(1);
  });
});
