import { describe, expect, it } from '@jest/globals';
import { GatewayError } from '../../../src/message/errors.js';
import { TYP, audienceMatches, isKeyPurpose, requireTyp } from '../../../src/security/purposes.js';
import { codeOf } from './helpers.js';

// RFC 8725 §3.11: every signature says what it is for, and every verifier accepts one purpose.
describe('signature purposes', () => {
  it('gives each purpose its own typ', () => {
    const typs = Object.values(TYP);
    expect(new Set(typs).size).toBe(typs.length);
    expect(TYP.accessToken).toBe('at+jwt');
  });

  it.each([['lt-req+jws'], ['LT-REQ+JWS'], ['application/lt-req+jws'], ['Application/Lt-Req+Jws']])(
    'accepts typ %s where a request is expected (media types compare case-insensitively)',
    (typ) => {
      expect(() => requireTyp({ typ }, TYP.request)).not.toThrow();
    },
  );

  it.each([
    ['missing', {}],
    ['JOSE (the old form)', { typ: 'JOSE' }],
    ['JWT', { typ: 'JWT' }],
    ['a reply', { typ: TYP.reply }],
    ['an access token', { typ: TYP.accessToken }],
    ['an outbound request', { typ: TYP.outbound }],
    ['a prefix of it', { typ: 'lt-req' }],
    ['it with a suffix', { typ: 'lt-req+jwsx' }],
    ['another prefix than application/', { typ: 'text/lt-req+jws' }],
    ['application/ anywhere but at the start', { typ: 'lt-req+jwsapplication/' }],
    ['not a string', { typ: ['lt-req+jws'] }],
  ])('refuses typ %s where a request is expected, with LT_SIG_WRONG_TYPE', (_n, header) => {
    expect(codeOf(() => requireTyp(header, TYP.request))).toBe('LT_SIG_WRONG_TYPE');
  });

  it('says which typ it expected', () => {
    try {
      requireTyp({ typ: TYP.reply }, TYP.request);
    } catch (err) {
      expect((err as GatewayError).data).toEqual({ expected: TYP.request });
    }
  });

  it('matches aud as a string or an array naming the audience, nothing else', () => {
    expect(audienceMatches('urn:gw', 'urn:gw')).toBe(true);
    expect(audienceMatches(['other', 'urn:gw'], 'urn:gw')).toBe(true);
    expect(audienceMatches('urn:gw2', 'urn:gw')).toBe(false);
    expect(audienceMatches(['other'], 'urn:gw')).toBe(false);
    expect(audienceMatches(undefined, 'urn:gw')).toBe(false);
    expect(audienceMatches({ 0: 'urn:gw' }, 'urn:gw')).toBe(false);
  });

  it('knows two key purposes', () => {
    expect(isKeyPurpose('token')).toBe(true);
    expect(isKeyPurpose('envelope')).toBe(true);
    expect(isKeyPurpose('both')).toBe(false);
    expect(isKeyPurpose(undefined)).toBe(false);
  });
});
