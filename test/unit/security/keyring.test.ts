import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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

  it('generates one ES256 key per purpose with RFC 7638 kids, in a 0600 file under a created directory', async () => {
    const file = join(dir, 'nested', 'keys', 'jwks.json');
    const ring = await KeyRing.load({ file, generateIfMissing: true });
    expect(ring.list().map((k) => [k.purpose, k.active, k.alg])).toEqual([
      ['token', true, 'ES256'],
      ['envelope', true, 'ES256'],
    ]);
    expect(ring.activeKid('token')).not.toBe(ring.activeKid('envelope'));
    for (const info of ring.list()) {
      expect(Number.isNaN(Date.parse(info.created))).toBe(false);
      // node-jose computes the thumbprint independently: the kid must equal it.
      const key = ring.keystore.get(info.kid);
      expect(key).toBeTruthy();
      expect(((await key.thumbprint('SHA-256')) as unknown as Buffer).toString('base64url')).toBe(
        info.kid,
      );
    }

    const st = await stat(file);
    expect(st.mode & 0o777).toBe(0o600);
    const doc = JSON.parse(await readFile(file, 'utf8'));
    expect(doc.keys).toHaveLength(2);
    expect(doc.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(typeof doc.keys[0].d).toBe('string');
    expect(doc.purposes).toEqual({
      [ring.activeKid('token')]: 'token',
      [ring.activeKid('envelope')]: 'envelope',
    });
    expect(doc.created[ring.activeKid('token')]).toBe(ring.list()[0].created);
  });

  it('refuses a missing file unless asked to generate one', async () => {
    const code = await asyncCodeOf(() =>
      KeyRing.load({ file: join(dir, 'absent.json'), generateIfMissing: false }),
    );
    expect(code).toBe('LT_CONFIG_INVALID');
  });

  it('round-trips through the file: same keys, same signers, old signatures still verify', async () => {
    const file = join(dir, 'jwks.json');
    const first = await KeyRing.load({ file, generateIfMissing: true });
    const jws = signCompact(Buffer.from('bản tin'), {}, first.signer('envelope'));
    const second = await KeyRing.load({ file, generateIfMissing: false });
    expect(second.list()).toEqual(first.list());
    expect(second.signer('envelope').kid).toBe(first.signer('envelope').kid);
    expect(second.signer('token').kid).toBe(first.signer('token').kid);
    expect(verifyCompact(jws, second.resolver('envelope')).payload.toString()).toBe('bản tin');
  });

  it('keeps purposes apart: a token key verifies no envelope and an envelope key no token', async () => {
    const ring = await KeyRing.load({ file: join(dir, 'jwks.json'), generateIfMissing: true });
    const byToken = signCompact(Buffer.from('t'), {}, ring.signer('token'));
    const byEnvelope = signCompact(Buffer.from('e'), {}, ring.signer('envelope'));
    expect(verifyCompact(byToken, ring.resolver('token')).payload.toString()).toBe('t');
    expect(verifyCompact(byEnvelope, ring.resolver('envelope')).payload.toString()).toBe('e');
    expect(codeOf(() => verifyCompact(byToken, ring.resolver('envelope')))).toBe(
      'LT_SIG_UNKNOWN_KEY',
    );
    expect(codeOf(() => verifyCompact(byEnvelope, ring.resolver('token')))).toBe(
      'LT_SIG_UNKNOWN_KEY',
    );
    expect(ring.resolver('token')('no-such-kid')).toBeUndefined();
  });

  it('rotates one purpose: its new key signs, its old kid still verifies, the other purpose is untouched', async () => {
    const file = join(dir, 'jwks.json');
    const ring = await KeyRing.load({ file, generateIfMissing: true });
    const tokenKid = ring.activeKid('token');
    const oldKid = ring.signer('envelope').kid;
    const oldJws = signCompact(Buffer.from('before'), {}, ring.signer('envelope'));
    const jwksBefore = ring.publicJwks();

    const newKid = await ring.rotate('envelope');
    expect(newKid).not.toBe(oldKid);
    expect(ring.signer('envelope').kid).toBe(newKid);
    expect(ring.activeKid('token')).toBe(tokenKid);
    expect(ring.list().map((k) => [k.kid, k.purpose, k.active])).toEqual([
      [tokenKid, 'token', true],
      [oldKid, 'envelope', false],
      [newKid, 'envelope', true],
    ]);
    const newJws = signCompact(Buffer.from('after'), {}, ring.signer('envelope'));
    expect(verifyCompact(oldJws, ring.resolver('envelope')).header.kid).toBe(oldKid);
    expect(verifyCompact(newJws, ring.resolver('envelope')).header.kid).toBe(newKid);

    // The published set is recomputed, and a peer built from it verifies both.
    expect(ring.publicJwks()).not.toBe(jwksBefore);
    expect(ring.publicJwks().keys.map((k) => k.kid)).toEqual([oldKid, newKid]);
    const peer = new PeerKeys(ring.publicJwks());
    expect(verifyCompact(oldJws, peer.resolve).payload.toString()).toBe('before');
    expect(verifyCompact(newJws, peer.resolve).payload.toString()).toBe('after');

    // Rotation is on disk already: a restart signs with the new key.
    const reloaded = await KeyRing.load({ file, generateIfMissing: false });
    expect(reloaded.signer('envelope').kid).toBe(newKid);
    expect(reloaded.keystore.all()).toHaveLength(3);

    const newToken = await ring.rotate('token');
    expect(ring.activeKid('token')).toBe(newToken);
    expect(ring.activeKid('envelope')).toBe(newKid);
  });

  it('a rotated key is the newest even when the clock stands before the last key’s creation', async () => {
    const file = join(dir, 'jwks.json');
    const ring = await KeyRing.load({ file, generateIfMissing: true });
    const doc = JSON.parse(await readFile(file, 'utf8'));
    const future = '2999-01-01T00:00:00.000Z';
    for (const kid of Object.keys(doc.created)) doc.created[kid] = future;
    await writeFile(file, JSON.stringify(doc));
    const stepped = await KeyRing.load({ file, generateIfMissing: false });
    const kid = await stepped.rotate('envelope');
    expect(stepped.activeKid('envelope')).toBe(kid);
    const created = stepped.list().find((k) => k.kid === kid)!.created;
    expect(created > future).toBe(true);
    const reloaded = await KeyRing.load({ file, generateIfMissing: false });
    expect(reloaded.activeKid('envelope')).toBe(kid);
    void ring;
  });

  it('publishes the public parts of envelope keys only, as a stable cached object', async () => {
    const ring = await KeyRing.load({ file: join(dir, 'jwks.json'), generateIfMissing: true });
    const jwks = ring.publicJwks();
    expect(ring.publicJwks()).toBe(jwks);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0].kid).toBe(ring.activeKid('envelope'));
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(Object.keys(jwks.keys[0]).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(Object.isFrozen(jwks.keys[0])).toBe(true);
  });

  it('removes retired keys but never the active one of a purpose', async () => {
    const file = join(dir, 'jwks.json');
    const ring = await KeyRing.load({ file, generateIfMissing: true });
    const oldKid = ring.signer('envelope').kid;
    const tokenKid = ring.activeKid('token');
    const oldJws = signCompact(Buffer.from('x'), {}, ring.signer('envelope'));
    const newKid = await ring.rotate('envelope');

    expect(await asyncCodeOf(() => ring.remove(newKid))).toBe('LT_CONFIG_INVALID');
    expect(await asyncCodeOf(() => ring.remove(tokenKid))).toBe('LT_CONFIG_INVALID');
    expect(await asyncCodeOf(() => ring.remove('no-such-kid'))).toBe('LT_SIG_UNKNOWN_KEY');

    await ring.remove(oldKid);
    expect(ring.list().map((k) => k.kid)).toEqual([tokenKid, newKid]);
    expect(ring.keystore.get(oldKid)).toBeFalsy();
    expect(codeOf(() => verifyCompact(oldJws, ring.resolver('envelope')))).toBe(
      'LT_SIG_UNKNOWN_KEY',
    );
    const reloaded = await KeyRing.load({ file, generateIfMissing: false });
    expect(reloaded.list().map((k) => k.kid)).toEqual([tokenKid, newKid]);
  });

  it('picks the newest key of each purpose as signer regardless of file order', async () => {
    const file = join(dir, 'jwks.json');
    const ring = await KeyRing.load({ file, generateIfMissing: true });
    const newKid = await ring.rotate('envelope');
    const tokenKid = ring.activeKid('token');
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.keys.reverse();
    await writeFile(file, JSON.stringify(doc));
    const reloaded = await KeyRing.load({ file, generateIfMissing: false });
    expect(reloaded.signer('envelope').kid).toBe(newKid);
    expect(reloaded.signer('token').kid).toBe(tokenKid);
  });

  describe('a key file from before purposes (one key, no purposes member)', () => {
    async function legacyFile(): Promise<{ file: string; kid: string }> {
      const file = join(dir, 'legacy.json');
      const ring = await KeyRing.load({ file, generateIfMissing: true });
      const kid = ring.activeKid('envelope');
      const doc = JSON.parse(await readFile(file, 'utf8'));
      const legacy = {
        keys: doc.keys.filter((k: { kid: string }) => k.kid === kid),
        created: { [kid]: doc.created[kid] },
      };
      await writeFile(file, JSON.stringify(legacy));
      return { file, kid };
    }

    it('keeps its key as the envelope key and gets a token key generated and saved', async () => {
      const { file, kid } = await legacyFile();
      const ring = await KeyRing.load({ file, generateIfMissing: true });
      expect(ring.activeKid('envelope')).toBe(kid);
      expect(ring.publicJwks().keys.map((k) => k.kid)).toEqual([kid]);
      const token = ring.activeKid('token');
      expect(token).not.toBe(kid);
      const doc = JSON.parse(await readFile(file, 'utf8'));
      expect(doc.purposes).toEqual({ [kid]: 'envelope', [token]: 'token' });
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });

    it('reads a purposes member that is not an object as no purposes at all', async () => {
      const { file, kid } = await legacyFile();
      const doc = JSON.parse(await readFile(file, 'utf8'));
      await writeFile(file, JSON.stringify({ ...doc, purposes: null }));
      const ring = await KeyRing.load({ file, generateIfMissing: true });
      expect(ring.activeKid('envelope')).toBe(kid);
    });

    it('refuses to start a gateway on it without generateIfMissing', async () => {
      const { file } = await legacyFile();
      expect(await asyncCodeOf(() => KeyRing.load({ file, generateIfMissing: false }))).toBe(
        'LT_CONFIG_INVALID',
      );
    });

    it('loads it for the keys commands, which cannot sign a token until one is generated', async () => {
      const { file, kid } = await legacyFile();
      const ring = await KeyRing.load({
        file,
        generateIfMissing: false,
        allowMissingPurposes: true,
      });
      expect(ring.list().map((k) => [k.kid, k.purpose, k.active])).toEqual([
        [kid, 'envelope', true],
      ]);
      expect(codeOf(() => ring.signer('token'))).toBe('LT_CONFIG_INVALID');
      expect(ring.signer('envelope').kid).toBe(kid);
      // The file is not rewritten by merely loading it.
      expect(JSON.parse(await readFile(file, 'utf8')).purposes).toBeUndefined();
      const token = await ring.rotate('token');
      expect(ring.activeKid('token')).toBe(token);
    });
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
      { ...good, purposes: { [good.keys[0].kid]: 'everything' } }, // unknown purpose
      { keys: [{ ...good.keys[0], d: 'short' }] }, // d not a P-256 scalar's size
      { keys: [{ ...good.keys[0], d: 'A'.repeat(43) }] }, // d = 0, not a valid scalar
    ];
    for (const [i, c] of cases.entries()) {
      await writeFile(file, typeof c === 'string' ? c : JSON.stringify(c));
      const code = await KeyRing.load({ file, generateIfMissing: true }).then(
        () => 'loaded',
        (err: GatewayError) => err.code,
      );
      expect([i, code]).toEqual([i, 'LT_CONFIG_INVALID']);
    }
    expect(ring.list()).toHaveLength(2);
  });

  it('refuses a key file it cannot read (not a missing one: that is generated)', async () => {
    const file = join(dir, 'a-directory');
    await mkdir(file);
    expect(await asyncCodeOf(() => KeyRing.load({ file, generateIfMissing: true }))).toBe(
      'LT_CONFIG_INVALID',
    );
  });

  it('refuses a key file it cannot write, and keeps its keys', async () => {
    const file = join(dir, 'jwks.json');
    const ring = await KeyRing.load({ file, generateIfMissing: true });
    // A directory where the file should be: the write (a rename onto it) fails, whoever runs the test.
    await rm(file);
    await mkdir(join(file, 'occupied'), { recursive: true });
    expect(await asyncCodeOf(() => ring.rotate('envelope'))).toBe('LT_CONFIG_INVALID');
    expect(ring.list()).toHaveLength(2);
  });
});
