import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { join } from 'node:path';
import type { ClientConfig } from '../../../src/config/schema.js';
import { refusalOf } from '../../helpers/errors.js';
import type { Message } from '../../../src/message/index.js';
import { ClientDirectory } from '../../../src/identity/bearer.js';
import { signCompact } from '../../../src/security/jws.js';
import { KeyRing } from '../../../src/security/keyring.js';
import { signJwt } from '../../../src/security/jwt.js';
import { TYP } from '../../../src/security/purposes.js';
import { hashSecret } from '../../../src/security/secret.js';
import { asyncCodeOf, tempDir } from '../security/helpers.js';

const bearer = (token: string): Message => ({
  body: null,
  contentType: 'application/json',
  headers: { authorization: `Bearer ${token}` },
});

// R10.4: client credentials → access token → caller; every check refuses on its own.
describe('ClientDirectory', () => {
  let ring: KeyRing;
  let cleanup: () => Promise<void>;
  let clients: ClientConfig[];
  const identity = {
    ttlSeconds: 600,
    issuer: 'lienthong',
    audience: 'urn:lienthong:gateway',
    maxConcurrentSecretChecks: 1,
  };
  const directory = (o: Partial<typeof identity> = {}, list = clients) =>
    new ClientDirectory(list, ring, { ...identity, ...o });
  const tokenFor = async (dir: ClientDirectory, id = 'so-tp', secret = 'so-tp-secret') =>
    (await dir.issueToken(id, secret, 'client_credentials')).access_token;

  beforeAll(async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    ring = await KeyRing.load({ file: join(t.dir, 'jwks.json'), generateIfMissing: true });
    clients = [
      {
        id: 'so-tp',
        name: '',
        secretHash: await hashSecret('so-tp-secret'),
        orgId: '000.00.00.H29',
        routes: ['connection-test'],
        jwks: 'agency-tp',
        demo: false,
      },
      {
        id: 'all-routes',
        name: '',
        secretHash: await hashSecret('all-secret'),
        orgId: '000.00.00.H57',
        routes: ['*'],
        demo: true,
      },
    ];
  });
  afterAll(() => cleanup());
  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('issueToken (POST /token)', () => {
    it('issues an RFC 9068 token for the right credentials', async () => {
      const dir = directory();
      const answer = await dir.issueToken('so-tp', 'so-tp-secret', 'client_credentials');
      expect(answer).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'default' });
      const header = JSON.parse(
        Buffer.from(answer.access_token.split('.')[0], 'base64url').toString(),
      );
      expect(header).toMatchObject({ typ: 'at+jwt', kid: ring.activeKid('token') });
      expect(dir.authenticate(bearer(answer.access_token)).clientId).toBe('so-tp');
    });

    it.each([
      ['another grant', 'so-tp', 'so-tp-secret', 'password', 'LT_AUTH_UNSUPPORTED_GRANT'],
      ['no grant', 'so-tp', 'so-tp-secret', undefined, 'LT_AUTH_UNSUPPORTED_GRANT'],
      ['a wrong secret', 'so-tp', 'wrong', 'client_credentials', 'LT_AUTH_INVALID_CLIENT'],
      [
        'another client’s secret',
        'so-tp',
        'all-secret',
        'client_credentials',
        'LT_AUTH_INVALID_CLIENT',
      ],
      [
        'an unknown client',
        'ghost',
        'so-tp-secret',
        'client_credentials',
        'LT_AUTH_INVALID_CLIENT',
      ],
    ])('refuses %s', async (_n, id, secret, grant, code) => {
      expect(await asyncCodeOf(() => directory().issueToken(id, secret, grant))).toBe(code);
    });

    it('checks at most maxConcurrentSecretChecks secrets at once, and frees the slot after each (mutation-tested)', async () => {
      const dir = directory({ maxConcurrentSecretChecks: 1 });
      const first = dir.issueToken('so-tp', 'wrong', 'client_credentials');
      expect(await asyncCodeOf(() => dir.issueToken('so-tp', 'wrong', 'client_credentials'))).toBe(
        'LT_AUTH_BUSY',
      );
      expect(await asyncCodeOf(() => first)).toBe('LT_AUTH_INVALID_CLIENT');
      // The slot is free again: a wrong secret is refused as wrong, a right one answered.
      expect(await asyncCodeOf(() => dir.issueToken('so-tp', 'wrong', 'client_credentials'))).toBe(
        'LT_AUTH_INVALID_CLIENT',
      );
      expect((await dir.issueToken('so-tp', 'so-tp-secret', 'client_credentials')).token_type).toBe(
        'Bearer',
      );
      const two = directory({ maxConcurrentSecretChecks: 2 });
      const both = await Promise.all([
        asyncCodeOf(() => two.issueToken('so-tp', 'wrong', 'client_credentials')),
        asyncCodeOf(() => two.issueToken('so-tp', 'wrong', 'client_credentials')),
      ]);
      expect(both).toEqual(['LT_AUTH_INVALID_CLIENT', 'LT_AUTH_INVALID_CLIENT']);
    });

    it('lists the demo clients and the JWKS peer of each client', () => {
      const dir = directory();
      expect(dir.demoClients).toEqual(['all-routes']);
      expect(dir.peerOf('so-tp')).toBe('agency-tp');
      expect(dir.peerOf('all-routes')).toBeUndefined();
      expect(dir.peerOf('ghost')).toBeUndefined();
    });
  });

  describe('authenticate', () => {
    it('resolves the caller, its grants and address', async () => {
      const dir = directory();
      const caller = dir.authenticate(bearer(await tokenFor(dir)), '10.0.0.7');
      expect(caller).toMatchObject({ clientId: 'so-tp', orgId: '000.00.00.H29', ip: '10.0.0.7' });
      expect(caller.routes).toEqual(new Set(['connection-test']));
      const all = dir.authenticate(bearer(await tokenFor(dir, 'all-routes', 'all-secret')));
      expect(all.routes).toBe('all');
      expect(all.ip).toBeUndefined();
    });

    it.each([
      ['no Authorization header', {}],
      ['another scheme', { authorization: 'Basic c28tdHA6eA==' }],
      ['a bearer with two parts', { authorization: 'Bearer a b' }],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ])('refuses %s with LT_AUTH_MISSING', (_n, headers) => {
      const msg: Message = { body: null, contentType: 'application/json', headers };
      expect(refusalOf(() => directory().authenticate(msg))[0]).toBe('LT_AUTH_MISSING');
    });

    it('reads the Bearer scheme only at the start, after any run of spaces (mutation-tested)', async () => {
      const dir = directory();
      const token = await tokenFor(dir);
      const msg = (authorization: string): Message => ({
        body: null,
        contentType: 'application/json',
        headers: { authorization },
      });
      expect(dir.authenticate(msg(`Bearer   ${token}`)).clientId).toBe('so-tp');
      expect(refusalOf(() => dir.authenticate(msg(`XBearer ${token}`)))[0]).toBe('LT_AUTH_MISSING');
    });

    it('refuses a token from another issuer (same keys) with reason iss', async () => {
      const token = await tokenFor(directory({ issuer: 'another-gateway' }));
      expect(refusalOf(() => directory().authenticate(bearer(token)))).toEqual([
        'LT_AUTH_TOKEN_INVALID',
        'iss',
      ]);
    });

    it('refuses a token meant for another gateway (same keys and issuer) with reason aud', async () => {
      const token = await tokenFor(directory({ audience: 'urn:other-gateway' }));
      expect(refusalOf(() => directory().authenticate(bearer(token)))).toEqual([
        'LT_AUTH_TOKEN_INVALID',
        'aud',
      ]);
    });

    it('refuses a token for a client no longer configured with reason sub', async () => {
      const token = await tokenFor(directory());
      const without = directory(
        {},
        clients.filter((c) => c.id !== 'so-tp'),
      );
      expect(refusalOf(() => without.authenticate(bearer(token)))).toEqual([
        'LT_AUTH_TOKEN_INVALID',
        'sub',
      ]);
    });

    it('refuses a token signed with an envelope key, and one typed for another purpose', () => {
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: 'lienthong',
        sub: 'all-routes',
        aud: identity.audience,
        client_id: 'all-routes',
        exp: now + 600,
      };
      const byEnvelopeKey = signJwt(claims, ring.signer('envelope'), TYP.accessToken);
      expect(refusalOf(() => directory().authenticate(bearer(byEnvelopeKey)))).toEqual([
        'LT_AUTH_TOKEN_INVALID',
        'LT_SIG_UNKNOWN_KEY',
      ]);
      const oldForm = signCompact(
        Buffer.from(JSON.stringify(claims)),
        { typ: 'JWT' },
        ring.signer('token'),
      );
      expect(refusalOf(() => directory().authenticate(bearer(oldForm)))).toEqual([
        'LT_AUTH_TOKEN_INVALID',
        'LT_SIG_WRONG_TYPE',
      ]);
    });

    it('verifies a token once, then answers from its cache until the token expires', async () => {
      const dir = directory({ ttlSeconds: 60 });
      const token = await tokenFor(dir);
      const first = dir.authenticate(bearer(token), '10.0.0.1');
      // A key ring that no longer resolves the key: only the cache can answer.
      const verify = jest.spyOn(ring, 'resolver');
      const again = dir.authenticate(bearer(token), '10.0.0.2');
      expect(verify).not.toHaveBeenCalled();
      expect(again).toMatchObject({ clientId: first.clientId, ip: '10.0.0.2' });
      expect(dir.authenticate(bearer(token)).ip).toBeUndefined();
      const later = Date.now() + 61_000;
      jest.spyOn(Date, 'now').mockReturnValue(later);
      expect(refusalOf(() => dir.authenticate(bearer(token)))[0]).toBe('LT_AUTH_TOKEN_EXPIRED');
      // Evicted: the next try verifies again (and is expired by the token's own exp, past the skew).
      jest.spyOn(Date, 'now').mockReturnValue(later + 60_000);
      expect(refusalOf(() => dir.authenticate(bearer(token)))[0]).toBe('LT_AUTH_TOKEN_EXPIRED');
    });

    it('does not cache a refused token', async () => {
      const token = await tokenFor(directory({ audience: 'urn:other-gateway' }));
      const dir = directory();
      expect(refusalOf(() => dir.authenticate(bearer(token)))[1]).toBe('aud');
      expect(refusalOf(() => dir.authenticate(bearer(token)))[1]).toBe('aud');
    });
  });
});
