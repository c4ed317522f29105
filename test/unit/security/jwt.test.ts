import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { GatewayError } from '../../../src/message/errors.js';
import { KeyRing } from '../../../src/security/keyring.js';
import { signCompact } from '../../../src/security/jws.js';
import { signJwt, verifyJwt } from '../../../src/security/jwt.js';
import { TYP } from '../../../src/security/purposes.js';
import { codeOf, tempDir } from './helpers.js';

// R10.4 / R14: access tokens issued to accounts and client applications.
describe('JWT on ES256', () => {
  let ring: KeyRing;
  let cleanup: () => Promise<void>;
  const now = Date.UTC(2025, 6, 1, 8, 0, 0);
  const nowSec = now / 1000;

  beforeAll(async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    ring = await KeyRing.load({ file: join(t.dir, 'jwks.json'), generateIfMissing: true });
  });
  afterAll(() => cleanup());

  it('round-trips claims with typ at+jwt', () => {
    const token = signJwt(
      { sub: 'can-bo-001', exp: nowSec + 300, scope: 'npd.read' },
      ring.signer('token'),
      TYP.accessToken,
    );
    const { header, claims } = verifyJwt(token, ring.resolver('token'), {
      typ: TYP.accessToken,
      now,
    });
    expect(header).toMatchObject({ typ: 'at+jwt', alg: 'ES256', kid: ring.signer('token').kid });
    expect(claims).toEqual({ sub: 'can-bo-001', exp: nowSec + 300, scope: 'npd.read' });
  });

  it('checks exp with clock skew: expired is LT_AUTH_TOKEN_EXPIRED', () => {
    const token = signJwt({ sub: 'x', exp: nowSec - 10 }, ring.signer('token'), TYP.accessToken);
    expect(
      verifyJwt(token, ring.resolver('token'), { typ: TYP.accessToken, now, clockSkewSec: 30 })
        .claims.sub,
    ).toBe('x');
    expect(
      codeOf(() =>
        verifyJwt(token, ring.resolver('token'), { typ: TYP.accessToken, now, clockSkewSec: 0 }),
      ),
    ).toBe('LT_AUTH_TOKEN_EXPIRED');
    const atExp = signJwt({ sub: 'x', exp: nowSec }, ring.signer('token'), TYP.accessToken);
    expect(
      codeOf(() =>
        verifyJwt(atExp, ring.resolver('token'), { typ: TYP.accessToken, now, clockSkewSec: 0 }),
      ),
    ).toBe('LT_AUTH_TOKEN_EXPIRED');
  });

  it.each([
    ['null', 'null', 'payload'],
    ['an array', '[]', 'payload'],
    ['a number', '5', 'payload'],
    ['not JSON', '{', 'payload'],
    ['a non-numeric nbf', JSON.stringify({ sub: 'x', exp: 4102444800, nbf: 'soon' }), 'nbf'],
    ['a non-numeric exp', JSON.stringify({ sub: 'x', exp: 'later' }), 'exp'],
  ])(
    'refuses a validly signed payload that is %s, naming the claim (mutation-tested)',
    (_n, payload, reason) => {
      const token = signCompact(
        Buffer.from(payload),
        { typ: TYP.accessToken },
        ring.signer('token'),
      );
      let caught: unknown;
      try {
        verifyJwt(token, ring.resolver('token'), { typ: TYP.accessToken, now });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(GatewayError);
      expect((caught as GatewayError).code).toBe('LT_AUTH_TOKEN_INVALID');
      expect((caught as GatewayError).data?.reason).toBe(reason);
    },
  );

  it('checks nbf with clock skew', () => {
    const token = signJwt(
      { sub: 'x', exp: nowSec + 600, nbf: nowSec + 60 },
      ring.signer('token'),
      TYP.accessToken,
    );
    expect(
      codeOf(() =>
        verifyJwt(token, ring.resolver('token'), { typ: TYP.accessToken, now, clockSkewSec: 30 }),
      ),
    ).toBe('LT_AUTH_TOKEN_INVALID');
    expect(
      verifyJwt(token, ring.resolver('token'), { typ: TYP.accessToken, now, clockSkewSec: 90 })
        .claims.nbf,
    ).toBe(nowSec + 60);
  });

  it('requires exp unless told otherwise, and numeric time claims', () => {
    const noExp = signJwt({ sub: 'x' }, ring.signer('token'), TYP.accessToken);
    expect(
      codeOf(() => verifyJwt(noExp, ring.resolver('token'), { typ: TYP.accessToken, now })),
    ).toBe('LT_AUTH_TOKEN_INVALID');
    expect(
      verifyJwt(noExp, ring.resolver('token'), { typ: TYP.accessToken, now, requireExp: false })
        .claims.sub,
    ).toBe('x');
    const strExp = signJwt(
      { sub: 'x', exp: String(nowSec + 60) as unknown as number },
      ring.signer('token'),
      TYP.accessToken,
    );
    expect(
      codeOf(() => verifyJwt(strExp, ring.resolver('token'), { typ: TYP.accessToken, now })),
    ).toBe('LT_AUTH_TOKEN_INVALID');
  });

  it('reports signature problems as LT_AUTH_TOKEN_INVALID with the reason kept', () => {
    const token = signJwt({ sub: 'x', exp: nowSec + 60 }, ring.signer('token'), TYP.accessToken);
    const [h, p, s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', exp: nowSec + 60 })).toString(
      'base64url',
    );
    for (const [bad, reason] of [
      [`${h}.${forged}.${s}`, 'LT_SIG_INVALID'],
      ['garbage', 'LT_SIG_INVALID'],
    ] as const) {
      try {
        verifyJwt(bad, ring.resolver('token'), { typ: TYP.accessToken, now });
        throw new Error('accepted');
      } catch (err) {
        expect(err).toBeInstanceOf(GatewayError);
        expect((err as GatewayError).code).toBe('LT_AUTH_TOKEN_INVALID');
        expect((err as GatewayError).data?.reason).toBe(reason);
      }
    }
    expect(
      codeOf(() => verifyJwt(`${h}.${p}.${s}`, () => undefined, { typ: TYP.accessToken, now })),
    ).toBe('LT_AUTH_TOKEN_INVALID');
    const notJson = signCompact(
      Buffer.from('not json'),
      { typ: TYP.accessToken },
      ring.signer('token'),
    );
    expect(
      codeOf(() => verifyJwt(notJson, ring.resolver('token'), { typ: TYP.accessToken, now })),
    ).toBe('LT_AUTH_TOKEN_INVALID');
    const array = signCompact(Buffer.from('[1,2]'), { typ: TYP.accessToken }, ring.signer('token'));
    expect(
      codeOf(() => verifyJwt(array, ring.resolver('token'), { typ: TYP.accessToken, now })),
    ).toBe('LT_AUTH_TOKEN_INVALID');
  });
});
