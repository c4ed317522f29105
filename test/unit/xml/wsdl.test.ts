import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { join } from 'node:path';
import { PublishedWsdl, requestOrigin } from '../../../src/xml/wsdl.js';
import { parseXml } from '../../../src/xml/index.js';
import { gatewayError } from '../../helpers/errors.js';
import { ROOT } from '../../helpers/paths.js';

const WSDL = join(ROOT, 'contracts', 'npd', 'npd.wsdl');

describe('requestOrigin: the WSDL base from the request, only when it names a host', () => {
  it.each(['gw.example.vn', 'gw.example.vn:8443', '127.0.0.1:8080', '[::1]:8080', 'my_host'])(
    'accepts %s',
    (host) => expect(requestOrigin('https', host)).toBe(`https://${host}`),
  );

  it.each([
    ["$'", "$'"],
    ['markup', 'a"><x/>'],
    ['a path', 'gw.example/x'],
    ['a space', 'a b'],
    ['userinfo', 'user@gw.example'],
    ['too long', 'a'.repeat(300)],
    ['empty', ''],
  ])('refuses %s with LT_HTTP_MALFORMED', (_name, host) => {
    expect(gatewayError(() => requestOrigin('http', host)).code).toBe('LT_HTTP_MALFORMED');
  });

  it('refuses a protocol other than http and https (X-Forwarded-Proto is the caller’s)', () => {
    expect(gatewayError(() => requestOrigin('javascript', 'a')).code).toBe('LT_HTTP_MALFORMED');
  });
});

describe('PublishedWsdl: the base is escaped and never a replacement pattern', () => {
  const wsdl = new PublishedWsdl(WSDL, '/npd');

  it('puts the base in every address and schema location, the size growing by the base only', () => {
    const text = wsdl.wsdl('https://gw.example.vn');
    expect(text).toContain('location="https://gw.example.vn/npd"');
    expect(text).toContain('schemaLocation="https://gw.example.vn/npd?xsd=npd-request.xsd"');
    expect(wsdl.xsd('npd-request.xsd', 'https://gw.example.vn')).toBeDefined();
    expect(wsdl.xsd('__proto__', 'https://gw.example.vn')).toBeUndefined();
  });

  it('any base (even a configured one) yields a well-formed WSDL of bounded size', () => {
    const plain = wsdl.wsdl('').length;
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (base) => {
        const text = wsdl.wsdl(base);
        // Three slots in npd.wsdl; each escaped character is at most 6 characters.
        expect(text.length).toBeLessThanOrEqual(plain + 3 * 6 * base.length);
        expect(() => parseXml(text, { maxBytes: 1 << 20, maxDepth: 64 })).not.toThrow();
      }),
    );
    expect(wsdl.wsdl("$'$&$`").length).toBeLessThan(plain + 100);
  });
});
