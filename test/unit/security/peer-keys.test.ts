import { describe, expect, it } from '@jest/globals';
import jose from 'node-jose';
import { PeerKeys } from '../../../src/security/peer-keys.js';
import { verifyCompact } from '../../../src/security/jws.js';
import { codeOf } from './helpers.js';

// R14: verifying what a partner platform signs, from its published JWKS.
describe('PeerKeys', () => {
  it('resolves kids of ES256 keys in a JWKS and verifies the peer’s node-jose signatures', async () => {
    const ks = jose.JWK.createKeyStore();
    const ec = await ks.generate('EC', 'P-256', { alg: 'ES256', use: 'sig' });
    await ks.generate('RSA', 2048, { alg: 'RS256', use: 'sig' });
    await ks.generate('EC', 'P-384', { use: 'sig' });
    const published = ks.toJSON(false) as { keys: Record<string, unknown>[] };

    const peer = new PeerKeys(published);
    expect(peer.kids()).toEqual([ec.kid]);
    expect(peer.resolve(ec.kid)?.asymmetricKeyType).toBe('ec');
    expect(peer.resolve('other')).toBeUndefined();

    const jws = (await jose.JWS.createSign({ format: 'compact' }, ec)
      .update(Buffer.from('hồ sơ'))
      .final()) as unknown as string;
    expect(verifyCompact(jws, peer.resolve).payload.toString()).toBe('hồ sơ');
  });

  it('skips P-256 keys marked for encryption or bound to another algorithm', async () => {
    const ks = jose.JWK.createKeyStore();
    const sig = (await ks.generate('EC', 'P-256', { use: 'sig', alg: 'ES256' })).toJSON() as Record<
      string,
      unknown
    >;
    const other = (await ks.generate('EC', 'P-256')).toJSON() as Record<string, unknown>;
    const peer = new PeerKeys({
      keys: [
        sig,
        { ...other, kid: 'for-encryption', use: 'enc' },
        { ...other, kid: 'for-ecdh', alg: 'ECDH-ES' },
        { ...other, kid: 'unmarked' },
      ],
    });
    expect(peer.kids()).toEqual([sig.kid, 'unmarked']);
    expect(peer.size).toBe(2);
  });

  it('derives the kid from the RFC 7638 thumbprint when the JWK has none', async () => {
    const key = await jose.JWK.createKeyStore().generate('EC', 'P-256');
    const { kid: _kid, ...noKid } = key.toJSON() as Record<string, unknown>;
    const peer = new PeerKeys({ keys: [noKid] });
    expect(peer.kids()).toEqual([
      ((await key.thumbprint('SHA-256')) as unknown as Buffer).toString('base64url'),
    ]);
  });

  it('refuses a malformed JWKS, a malformed P-256 key or a duplicate kid', async () => {
    const key = (await jose.JWK.createKeyStore().generate('EC', 'P-256')).toJSON() as Record<
      string,
      unknown
    >;
    for (const jwks of [
      null,
      {},
      { keys: 'x' },
      { keys: [{ ...key, x: 'short' }] },
      { keys: [{ ...key, y: key.x }] }, // not on the curve
      { keys: [key, key] },
    ]) {
      expect(codeOf(() => new PeerKeys(jwks))).toBe('LT_CONFIG_INVALID');
    }
  });
});
