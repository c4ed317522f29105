import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { refusalOf } from '../../helpers/errors.js';
import { issueAccessToken, verifyAccessToken } from '../../../src/security/access-token.js';
import { signCompact } from '../../../src/security/jws.js';
import { signJwt, type JwtClaims } from '../../../src/security/jwt.js';
import { KeyRing } from '../../../src/security/keyring.js';
import { TYP } from '../../../src/security/purposes.js';
import { tempDir } from './helpers.js';

// R10.4 / R14, RFC 9068: the gateway's access tokens, and nothing else, authenticate callers.
describe('access tokens (at+jwt)', () => {
  let ring: KeyRing;
  let cleanup: () => Promise<void>;
  const id = { issuer: 'lienthong', audience: 'urn:lienthong:gateway' };
  const client = { id: 'so-tp', orgId: '000.00.00.H29' };
  const now = Date.UTC(2026, 0, 1, 8, 0, 0);
  const nowSec = now / 1000;
  const good = (): JwtClaims => ({
    iss: id.issuer,
    sub: client.id,
    aud: id.audience,
    client_id: client.id,
    iat: nowSec,
    exp: nowSec + 600,
    jti: 'j-1',
  });
  const verify = (token: string) => verifyAccessToken(token, ring.resolver('token'), id, now);
  const withClaims = (c: JwtClaims) => signJwt(c, ring.signer('token'), TYP.accessToken);

  beforeAll(async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    ring = await KeyRing.load({ file: join(t.dir, 'jwks.json'), generateIfMissing: true });
  });
  afterAll(() => cleanup());

  it('issues typ at+jwt with iss, sub, aud, client_id, org, iat, exp, jti, signed by the token key', () => {
    const token = issueAccessToken(ring.signer('token'), id, client, 3600, now);
    const [h, p] = token.split('.');
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({
      alg: 'ES256',
      kid: ring.activeKid('token'),
      typ: 'at+jwt',
    });
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(claims).toMatchObject({
      iss: 'lienthong',
      sub: 'so-tp',
      aud: 'urn:lienthong:gateway',
      client_id: 'so-tp',
      org: '000.00.00.H29',
      iat: nowSec,
      exp: nowSec + 3600,
    });
    expect(typeof claims.jti).toBe('string');
    expect(verify(token)).toMatchObject({ sub: 'so-tp', client_id: 'so-tp' });
  });

  it('accepts an aud array that names this gateway', () => {
    expect(verify(withClaims({ ...good(), aud: ['other', id.audience] })).sub).toBe('so-tp');
  });

  it.each([
    ['a wrong issuer', { iss: 'someone-else' }, 'iss'],
    ['no issuer', { iss: undefined }, 'iss'],
    ['another audience', { aud: 'urn:other-gateway' }, 'aud'],
    ['no audience', { aud: undefined }, 'aud'],
    ['an aud array without this gateway', { aud: ['urn:other-gateway'] }, 'aud'],
    ['no subject', { sub: undefined, client_id: undefined }, 'sub'],
    ['an empty subject', { sub: '', client_id: '' }, 'sub'],
    ['a numeric subject', { sub: 7 as unknown as string, client_id: 7 }, 'sub'],
    ['client_id naming another client', { client_id: 'other' }, 'client_id'],
    ['no client_id', { client_id: undefined }, 'client_id'],
    ['no exp', { exp: undefined }, 'exp'],
  ])('refuses a token with %s', (_n, patch, reason) => {
    expect(refusalOf(() => verify(withClaims({ ...good(), ...patch })))).toEqual([
      'LT_AUTH_TOKEN_INVALID',
      reason,
    ]);
  });

  it('refuses an expired token with LT_AUTH_TOKEN_EXPIRED', () => {
    expect(refusalOf(() => verify(withClaims({ ...good(), exp: nowSec - 60 })))[0]).toBe(
      'LT_AUTH_TOKEN_EXPIRED',
    );
  });

  it.each([
    ['JWT (a token from before typed tokens)', 'JWT'],
    ['JOSE', 'JOSE'],
    ['a reply', TYP.reply],
    ['a signed request', TYP.request],
    ['an outbound request', TYP.outbound],
    ['none', undefined],
  ])('refuses valid claims signed by the token key but typed as %s', (_n, typ) => {
    const token = signCompact(Buffer.from(JSON.stringify(good())), { typ }, ring.signer('token'));
    expect(refusalOf(() => verify(token))).toEqual(['LT_AUTH_TOKEN_INVALID', 'LT_SIG_WRONG_TYPE']);
  });

  it('refuses a perfect at+jwt signed by an envelope key (what replies are signed with)', () => {
    const token = signJwt(good(), ring.signer('envelope'), TYP.accessToken);
    expect(refusalOf(() => verify(token))).toEqual(['LT_AUTH_TOKEN_INVALID', 'LT_SIG_UNKNOWN_KEY']);
  });

  it('refuses a gateway reply signature turned into a compact JWS (the echoed-body forgery)', () => {
    const echoed = Buffer.from(
      JSON.stringify({ iss: 'lienthong', sub: client.id, exp: 4102444800 }),
    );
    const replySig = signCompact(echoed, { typ: TYP.reply, iat: nowSec }, ring.signer('envelope'));
    const [code, reason] = refusalOf(() => verify(replySig));
    expect(code).toBe('LT_AUTH_TOKEN_INVALID');
    expect(reason).toBe('LT_SIG_UNKNOWN_KEY');
    // Even a resolver that knew the envelope key would refuse it for its typ.
    expect(
      refusalOf(() => verifyAccessToken(replySig, ring.resolver('envelope'), id, now)),
    ).toEqual(['LT_AUTH_TOKEN_INVALID', 'LT_SIG_WRONG_TYPE']);
  });
});
