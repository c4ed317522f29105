import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { GatewayError } from '../../../src/message/errors.js';
import { rejectionOf } from '../../helpers/errors.js';
import type { Message } from '../../../src/message/index.js';
import type { RequestBinding } from '../../../src/pipeline/deps.js';
import type { Store } from '../../../src/store/store.js';
import { EnvelopeService, checkRequestBinding } from '../../../src/security/envelope.js';
import { sha256b64url, signCompact, signDetached } from '../../../src/security/jws.js';
import type { KeyResolver, Signer } from '../../../src/security/jwk.js';
import { KeyRing } from '../../../src/security/keyring.js';
import { PeerKeys } from '../../../src/security/peer-keys.js';
import { TYP } from '../../../src/security/purposes.js';
import { asyncCodeOf, codeOf, tempDir } from './helpers.js';

/** rememberOnce with the Store's semantics; the namespaces used are recorded. */
function memoryStore(): Store & { namespaces: string[] } {
  const seen = new Set<string>();
  const namespaces: string[] = [];
  return {
    namespaces,
    rememberOnce: async (ns: string, key: string) => {
      namespaces.push(ns);
      if (seen.has(`${ns}\u0000${key}`)) return false;
      seen.add(`${ns}\u0000${key}`);
      return true;
    },
  } as unknown as Store & { namespaces: string[] };
}

/** A client-side key with its published JWKS. */
function agencyKey(kid: string): { signer: Signer; resolve: KeyResolver } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid };
  return { signer: { kid, key: privateKey }, resolve: new PeerKeys({ keys: [jwk] }).resolve };
}

// R14 (integrity), RFC 8725 §3.11: envelopes typed by purpose, bound to their request, fresh.
describe('EnvelopeService', () => {
  let ring: KeyRing;
  let cleanup: () => Promise<void>;
  const binding: RequestBinding = {
    htm: 'POST',
    htu: '/v1/connection-test/signed',
    aud: 'urn:lienthong:gateway',
  };
  const body = Buffer.from('{"message":"xin chào"}');
  let seq = 0;
  const reqHeader = (extra: Record<string, unknown> = {}) => ({
    typ: TYP.request,
    iat: Math.floor(Date.now() / 1000),
    jti: `j-${++seq}`,
    ...binding,
    ...extra,
  });
  const detachedRequest = (sig: string, raw = body): Message => ({
    body: JSON.parse(raw.toString()),
    raw,
    contentType: 'application/json',
    headers: { 'x-jws-signature': sig },
  });

  beforeAll(async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    ring = await KeyRing.load({ file: join(t.dir, 'jwks.json'), generateIfMissing: true });
  });
  afterAll(() => cleanup());

  const service = (
    peers: Record<string, KeyResolver> = { self: ring.resolver('envelope') },
    store = memoryStore(),
  ) => new EnvelopeService(ring, new Map(Object.entries(peers)), store, 300);

  describe('sign', () => {
    it.each([
      ['reply', TYP.reply],
      ['outbound', TYP.outbound],
    ] as const)('types a %s as %s, with the envelope key and iat', async (kind, typ) => {
      const s = await service().sign(kind, body, { jti: 'x', typ: 'at+jwt', 'lt-req': 'd' });
      const header = JSON.parse(Buffer.from(s.jws.split('.')[0], 'base64url').toString());
      expect(header).toMatchObject({
        typ,
        kid: ring.activeKid('envelope'),
        jti: 'x',
        'lt-req': 'd',
      });
      expect(Math.abs(header.iat - Date.now() / 1000)).toBeLessThan(5);
      expect(s.kid).toBe(ring.activeKid('envelope'));
      expect(s.header).toBe('x-jws-signature');
    });
  });

  describe('verifyRequest', () => {
    it('accepts a detached request signature typed, bound and fresh', async () => {
      const sig = signDetached(body, reqHeader(), ring.signer('envelope'));
      const v = await service().verifyRequest(detachedRequest(sig), 'self', binding);
      expect(v.kid).toBe(ring.activeKid('envelope'));
      expect(v.jti).toBe(`j-${seq}`);
    });

    it('accepts an aud array naming this gateway', async () => {
      const sig = signDetached(
        body,
        reqHeader({ aud: ['x', binding.aud] }),
        ring.signer('envelope'),
      );
      await service().verifyRequest(detachedRequest(sig), 'self', binding);
    });

    it.each([
      ['no typ', { typ: undefined }, 'LT_SIG_WRONG_TYPE'],
      ['typ JOSE (the old form)', { typ: 'JOSE' }, 'LT_SIG_WRONG_TYPE'],
      ['a reply typ', { typ: TYP.reply }, 'LT_SIG_WRONG_TYPE'],
      ['an outbound typ', { typ: TYP.outbound }, 'LT_SIG_WRONG_TYPE'],
      ['an access-token typ', { typ: TYP.accessToken }, 'LT_SIG_WRONG_TYPE'],
      ['another method', { htm: 'PUT' }, 'LT_SIG_NOT_BOUND'],
      ['no method', { htm: undefined }, 'LT_SIG_NOT_BOUND'],
      ['another path', { htu: '/v1/other' }, 'LT_SIG_NOT_BOUND'],
      ['no path', { htu: undefined }, 'LT_SIG_NOT_BOUND'],
      ['another audience', { aud: 'urn:other-gateway' }, 'LT_SIG_NOT_BOUND'],
      ['no audience', { aud: undefined }, 'LT_SIG_NOT_BOUND'],
      ['a stale iat', { iat: Math.floor(Date.now() / 1000) - 3600 }, 'LT_SIG_STALE'],
      ['no jti', { jti: undefined }, 'LT_SIG_INVALID'],
    ])('refuses a detached signature with %s', async (_n, patch, code) => {
      const sig = signDetached(body, reqHeader(patch), ring.signer('envelope'));
      expect(
        await asyncCodeOf(() => service().verifyRequest(detachedRequest(sig), 'self', binding)),
      ).toBe(code);
    });

    it('names the member that is not bound', () => {
      for (const member of ['htm', 'htu', 'aud']) {
        try {
          checkRequestBinding({ ...binding, [member]: 'other' }, binding);
          throw new Error('accepted');
        } catch (err) {
          expect((err as GatewayError).code).toBe('LT_SIG_NOT_BOUND');
          expect((err as GatewayError).data).toEqual({ member });
        }
      }
      expect(() => checkRequestBinding({ ...binding }, binding)).not.toThrow();
      expect(codeOf(() => checkRequestBinding({ ...binding, htm: 'post' }, binding))).toBe(
        'LT_SIG_NOT_BOUND',
      );
    });

    it('refuses an unsigned request, an unknown peer, a signature over other bytes', async () => {
      const msg: Message = { body: {}, raw: body, contentType: 'application/json', headers: {} };
      expect(await asyncCodeOf(() => service().verifyRequest(msg, 'self', binding))).toBe(
        'LT_SIG_MISSING',
      );
      const sig = signDetached(body, reqHeader(), ring.signer('envelope'));
      expect(
        await asyncCodeOf(() => service().verifyRequest(detachedRequest(sig), 'nobody', binding)),
      ).toBe('LT_SIG_UNKNOWN_KEY');
      expect(
        await asyncCodeOf(() =>
          service().verifyRequest(
            detachedRequest(sig, Buffer.from('{"message":"khác"}')),
            'self',
            binding,
          ),
        ),
      ).toBe('LT_SIG_INVALID');
    });

    it('refuses a token-key signature even from the gateway-self peer (it resolves envelope keys only)', async () => {
      const sig = signDetached(body, reqHeader(), ring.signer('token'));
      expect(
        await asyncCodeOf(() => service().verifyRequest(detachedRequest(sig), 'self', binding)),
      ).toBe('LT_SIG_UNKNOWN_KEY');
    });

    it('keys replay protection by the signing key: a second client sharing the key cannot reuse the jti', async () => {
      const agency = agencyKey('agency-1');
      const store = memoryStore();
      // Two clients, two peers, one agency key.
      const svc = service({ 'client-a': agency.resolve, 'client-b': agency.resolve }, store);
      const sig = signDetached(body, reqHeader(), agency.signer);
      await svc.verifyRequest(detachedRequest(sig), 'client-a', binding);
      expect(
        await asyncCodeOf(() => svc.verifyRequest(detachedRequest(sig), 'client-b', binding)),
      ).toBe('LT_SIG_REPLAYED');
      expect(new Set(store.namespaces).size).toBe(1);
    });

    it('does not let a key named like another share its jti space (the scope is the key, not the kid)', async () => {
      const a = agencyKey('same-kid');
      const b = agencyKey('same-kid');
      const svc = service({ a: a.resolve, b: b.resolve });
      const header = reqHeader();
      await svc.verifyRequest(detachedRequest(signDetached(body, header, a.signer)), 'a', binding);
      await svc.verifyRequest(detachedRequest(signDetached(body, header, b.signer)), 'b', binding);
    });

    it('scopes replays per peer and kid for a key it cannot fingerprint', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const resolve: KeyResolver = (kid) => (kid === 'raw' ? publicKey : undefined);
      const store = memoryStore();
      const svc = service({ p: resolve }, store);
      const sig = signDetached(body, reqHeader(), { kid: 'raw', key: privateKey });
      await svc.verifyRequest(detachedRequest(sig), 'p', binding);
      expect(await asyncCodeOf(() => svc.verifyRequest(detachedRequest(sig), 'p', binding))).toBe(
        'LT_SIG_REPLAYED',
      );
      expect(store.namespaces[0]).toBe('jti:p/raw');
    });

    describe('enveloped (application/jose)', () => {
      const jose = (payload: Buffer, extra: Record<string, unknown> = {}): Message => ({
        body: null,
        raw: Buffer.from(signCompact(payload, reqHeader(extra), ring.signer('envelope'))),
        contentType: 'application/jose',
        headers: {},
      });

      it('hands the pipeline the signed JSON document', async () => {
        const msg = jose(body);
        await service().verifyRequest(msg, 'self', binding);
        expect(msg.body).toEqual({ message: 'xin chào' });
        expect(msg.raw!.equals(body)).toBe(true);
        expect(msg.contentType).toBe('application/json');
      });

      it.each([
        ['a reply typ', { typ: TYP.reply }, 'LT_SIG_WRONG_TYPE'],
        ['another path', { htu: '/v1/elsewhere' }, 'LT_SIG_NOT_BOUND'],
      ])('refuses %s and leaves the message as it came', async (_n, patch, code) => {
        const msg = jose(body, patch);
        expect(await asyncCodeOf(() => service().verifyRequest(msg, 'self', binding))).toBe(code);
        expect(msg.contentType).toBe('application/jose');
        expect(msg.body).toBeNull();
      });

      it('refuses a signed payload that is not JSON', async () => {
        expect(
          await asyncCodeOf(() =>
            service().verifyRequest(jose(Buffer.from('not json')), 'self', binding),
          ),
        ).toBe('LT_BAD_JSON');
      });
    });
  });

  describe('verifyReply (a provider’s signed reply)', () => {
    const provider = agencyKey('provider-1');
    const sent = Buffer.from('{"message":"to the provider"}');
    const sentDigest = sha256b64url(sent);
    const reply = Buffer.from('{"ok":true}');
    const replyHeader = (extra: Record<string, unknown> = {}) => ({
      typ: TYP.reply,
      iat: Math.floor(Date.now() / 1000),
      'lt-req': sentDigest,
      ...extra,
    });
    const replyMsg = (sig: string | undefined, raw = reply): Message => ({
      body: JSON.parse(raw.toString()),
      raw,
      contentType: 'application/json',
      headers: sig ? { 'x-jws-signature': sig } : {},
    });
    const svc = () => service({ provider: provider.resolve });

    it('accepts a reply typed lt-reply+jws, fresh, answering the request sent', async () => {
      const v = await svc().verifyReply(
        replyMsg(signDetached(reply, replyHeader(), provider.signer)),
        'provider',
        sentDigest,
      );
      expect(v.kid).toBe('provider-1');
    });

    it.each([
      ['unsigned', undefined, 'LT_SIG_MISSING'],
      ['with no typ', { typ: undefined }, 'LT_SIG_WRONG_TYPE'],
      ['typed JOSE (the old form)', { typ: 'JOSE' }, 'LT_SIG_WRONG_TYPE'],
      ['typed as a request', { typ: TYP.request }, 'LT_SIG_WRONG_TYPE'],
      ['typed as an outbound request', { typ: TYP.outbound }, 'LT_SIG_WRONG_TYPE'],
      ['with a stale iat', { iat: Math.floor(Date.now() / 1000) - 3600 }, 'LT_SIG_STALE'],
      ['with no iat', { iat: undefined }, 'LT_SIG_STALE'],
      ['answering another request', { 'lt-req': sha256b64url('other') }, 'LT_SIG_NOT_BOUND'],
      ['naming no request', { 'lt-req': undefined }, 'LT_SIG_NOT_BOUND'],
    ])(
      'refuses a reply %s as LT_UPSTREAM_SIG_INVALID, keeping the cause',
      async (_n, patch, cause) => {
        const sig =
          patch === undefined
            ? undefined
            : signDetached(reply, replyHeader(patch), provider.signer);
        const err = await rejectionOf(svc().verifyReply(replyMsg(sig), 'provider', sentDigest));
        expect(err.code).toBe('LT_UPSTREAM_SIG_INVALID');
        expect(err.data?.cause).toBe(cause);
      },
    );

    it('refuses a reply whose signature is over other bytes or by an unknown key', async () => {
      const sig = signDetached(reply, replyHeader(), provider.signer);
      const tampered = await rejectionOf(
        svc().verifyReply(replyMsg(sig, Buffer.from('{"ok":false}')), 'provider', sentDigest),
      );
      expect([tampered.code, tampered.data?.cause]).toEqual([
        'LT_UPSTREAM_SIG_INVALID',
        'LT_SIG_INVALID',
      ]);
      const stranger = agencyKey('provider-1');
      const unknown = await rejectionOf(
        svc().verifyReply(
          replyMsg(signDetached(reply, replyHeader({}), { ...stranger.signer, kid: 'other' })),
          'provider',
          sentDigest,
        ),
      );
      expect([unknown.code, unknown.data?.cause]).toEqual([
        'LT_UPSTREAM_SIG_INVALID',
        'LT_SIG_UNKNOWN_KEY',
      ]);
      expect(await asyncCodeOf(() => svc().verifyReply(replyMsg(sig), 'nobody', sentDigest))).toBe(
        'LT_SIG_UNKNOWN_KEY',
      );
    });
  });
});
