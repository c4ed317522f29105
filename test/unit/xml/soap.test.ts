import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DETAIL_MAX, GatewayError } from '../../../src/message/errors.js';
import {
  child,
  parseSoapEnvelope,
  readGatewayFault,
  SOAP11_NS,
  soapEnvelope,
  soapFault,
  soapFaultFor,
} from '../../../src/xml/index.js';
import { gatewayError, sampleReply } from './helpers.js';

const LIMITS = { maxBytes: 1 << 20, maxDepth: 64 };
const DAN = 'http://dancuquocgia.bca';

/** The same lookup request as clients in the field write it. */
const REQUESTS: Record<string, string> = {
  dan: `<soapenv:Envelope xmlns:soapenv="${SOAP11_NS}" xmlns:dan="${DAN}"><soapenv:Header/><soapenv:Body>
    <dan:TraCuuThongTinCongDan><dan:MaYeuCau>1</dan:MaYeuCau><dan:SoDinhDanh>026092017345</dan:SoDinhDanh></dan:TraCuuThongTinCongDan>
  </soapenv:Body></soapenv:Envelope>`,
  qldc: `<S:Envelope xmlns:S="${SOAP11_NS}"><S:Body><qldc:TraCuuThongTinCongDan xmlns:qldc="${DAN}">
    <qldc:MaYeuCau>1</qldc:MaYeuCau><qldc:SoDinhDanh>026092017345</qldc:SoDinhDanh></qldc:TraCuuThongTinCongDan></S:Body></S:Envelope>`,
  defaultNs: `<Envelope xmlns="${SOAP11_NS}"><Body><TraCuuThongTinCongDan xmlns="${DAN}">
    <MaYeuCau>1</MaYeuCau><SoDinhDanh>026092017345</SoDinhDanh></TraCuuThongTinCongDan></Body></Envelope>`,
  unusedDeclarations: `<soap:Envelope xmlns:soap="${SOAP11_NS}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:ns1="http://www.mic.gov.vn/dancu/1.0" xmlns:dan="${DAN}">
    <soap:Body><dan:TraCuuThongTinCongDan><dan:MaYeuCau>1</dan:MaYeuCau><dan:SoDinhDanh>026092017345</dan:SoDinhDanh></dan:TraCuuThongTinCongDan></soap:Body></soap:Envelope>`,
};

describe('parseSoapEnvelope', () => {
  it.each(Object.keys(REQUESTS))('finds the operation by namespace and name (%s)', (form) => {
    const env = parseSoapEnvelope(Buffer.from(REQUESTS[form]), LIMITS);
    expect(env.envelopeNs).toBe(SOAP11_NS);
    expect(env.operation).toEqual({ ns: DAN, name: 'TraCuuThongTinCongDan' });
    expect(child(env.body, 'SoDinhDanh', DAN)?.text).toBe('026092017345');
    expect(env.fault).toBeUndefined();
  });

  it('reads the reply body element and the header', () => {
    const env = parseSoapEnvelope(sampleReply(), LIMITS);
    expect(env.operation).toEqual({
      ns: 'http://www.mic.gov.vn/dancu/1.0',
      name: 'CongdanCollection',
    });
    expect(env.header?.name).toBe('Header');
  });

  it.each([
    [
      'SOAP 1.2',
      '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><x/></e:Body></e:Envelope>',
    ],
    ['not an envelope', '<dan:TraCuuThongTinCongDan xmlns:dan="http://dancuquocgia.bca"/>'],
    ['Envelope in no namespace', '<Envelope><Body><x/></Body></Envelope>'],
    ['no Body', `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Header/></s:Envelope>`],
    ['empty Body', `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body>  </s:Body></s:Envelope>`],
    [
      'Header after Body',
      `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body><x/></s:Body><s:Header/></s:Envelope>`,
    ],
    ['stray element', `<s:Envelope xmlns:s="${SOAP11_NS}"><x/><s:Body><x/></s:Body></s:Envelope>`],
  ])('%s → LT_SOAP_NOT_ENVELOPE', (_name, xml) => {
    expect(gatewayError(() => parseSoapEnvelope(xml, LIMITS)).code).toBe('LT_SOAP_NOT_ENVELOPE');
  });

  it('keeps the XML hardening codes', () => {
    const dtd = `<!DOCTYPE s [<!ENTITY x SYSTEM "http://attacker/">]><s:Envelope xmlns:s="${SOAP11_NS}"><s:Body>&x;</s:Body></s:Envelope>`;
    expect(gatewayError(() => parseSoapEnvelope(dtd, LIMITS)).code).toBe('LT_XML_DTD_FORBIDDEN');
    const raw = REQUESTS.dan.replace('>1<', '>A & B<');
    expect(gatewayError(() => parseSoapEnvelope(raw, LIMITS)).code).toBe('LT_XML_MALFORMED');
  });

  it('throws only GatewayErrors for random input, including mutated envelopes', () => {
    const check = (input: string) => {
      try {
        parseSoapEnvelope(input, { maxBytes: 8192, maxDepth: 16 });
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        expect(err.code).toMatch(/^LT_(XML|SOAP)_/);
      }
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), check), { numRuns: 1000 });
    const mutated = fc
      .tuple(
        fc.constantFrom(...Object.values(REQUESTS)),
        fc.nat(),
        fc.nat({ max: 20 }),
        fc.string({ maxLength: 8 }),
      )
      .map(([doc, at, cut, insert]) => {
        const i = at % doc.length;
        return doc.slice(0, i) + insert + doc.slice(i + cut);
      });
    fc.assert(fc.property(mutated, check), { numRuns: 2000 });
  });
});

describe('SOAP writing', () => {
  it('soapEnvelope wraps a body, with or without a Header', () => {
    const body = `<dan:X xmlns:dan="${DAN}">1</dan:X>`;
    expect(parseSoapEnvelope(soapEnvelope(body), LIMITS).header).toBeUndefined();
    const env = parseSoapEnvelope(soapEnvelope(body, ''), LIMITS);
    expect(env.header?.children).toEqual([]);
    expect(env.operation).toEqual({ ns: DAN, name: 'X' });
  });

  it('soapFault carries the gateway error code in urn:lienthong:error, escaped', () => {
    const xml = soapFault({
      faultcode: 'soap:Client',
      faultstring: 'LT_XML_MALFORMED: a < b & c',
      detail: {
        code: 'LT_XML_MALFORMED',
        vi: 'Tài liệu XML không đúng cú pháp',
        en: 'XML is not well-formed',
        detail: 'line 1, column 2: <x>',
      },
    });
    const env = parseSoapEnvelope(xml, LIMITS);
    expect(env.fault).toMatchObject({
      faultcode: 'soap:Client',
      faultstring: 'LT_XML_MALFORMED: a < b & c',
    });
    expect(readGatewayFault(env.fault!)).toEqual({
      code: 'LT_XML_MALFORMED',
      vi: 'Tài liệu XML không đúng cú pháp',
      en: 'XML is not well-formed',
      detail: 'line 1, column 2: <x>',
      known: true,
    });
  });

  it('soapFaultFor renders a GatewayError with its table entry', () => {
    const env = parseSoapEnvelope(
      soapFaultFor(new GatewayError('LT_UPSTREAM_TIMEOUT', 'npd')),
      LIMITS,
    );
    expect(env.fault?.faultcode).toBe('soap:Server');
    expect(readGatewayFault(env.fault!)?.code).toBe('LT_UPSTREAM_TIMEOUT');
  });

  it("soapFaultFor carries a refusal's Retry-After in the detail (lt:retryAfter), only when it has one", () => {
    const limited = soapFaultFor(
      new GatewayError('LT_LIMIT_RATE', 'too fast', { retryAfterSeconds: 12 }),
    );
    expect(limited).toContain('<lt:retryAfter>12</lt:retryAfter>');
    expect(readGatewayFault(parseSoapEnvelope(limited, LIMITS).fault!)?.code).toBe('LT_LIMIT_RATE');
    expect(soapFaultFor(new GatewayError('LT_LIMIT_RATE', 'x'))).not.toContain('retryAfter');
    expect(
      soapFaultFor(new GatewayError('LT_LIMIT_RATE', 'x', { retryAfterSeconds: '<b/>' })),
    ).not.toContain('retryAfter');
  });

  it('soapFaultFor never throws: any detail gives a fault that parses, cut to DETAIL_MAX', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (detail) => {
        const env = parseSoapEnvelope(
          soapFaultFor(new GatewayError('LT_XML_MALFORMED', detail)),
          LIMITS,
        );
        expect(readGatewayFault(env.fault!)?.code).toBe('LT_XML_MALFORMED');
      }),
    );
    const long = soapFaultFor(new GatewayError('LT_SOAP_UNKNOWN_OPERATION', 'x'.repeat(100_000)));
    expect(long.length).toBeLessThan(DETAIL_MAX * 2 + 1000);
  });

  it('reads a provider fault without gateway detail', () => {
    const xml = `<soapenv:Envelope xmlns:soapenv="${SOAP11_NS}"><soapenv:Body><soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring> Lỗi hệ thống </faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`;
    const env = parseSoapEnvelope(xml, LIMITS);
    expect(env.fault).toEqual({ faultcode: 'soapenv:Server', faultstring: 'Lỗi hệ thống' });
    expect(readGatewayFault(env.fault!)).toBeUndefined();
  });
});
