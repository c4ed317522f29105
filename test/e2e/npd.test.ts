import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import soap from 'soap';
import { makeCccd } from '../../src/catalogs/index.js';
import { demoToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';

// The NPD paths (R1.1) through the gateway's real port, against the NPD simulator.
let gw: TestGateway;
let token: string;
let sim: string;
let citizen: { idNumber: string; fullName: string; birthDate: string; sex: string };

async function json(path: string, body: unknown) {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

async function soapPost(xml: string | Buffer, extraHeaders: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}/npd`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'text/xml; charset=utf-8',
      soapaction: '""',
      ...extraHeaders,
    },
    body: xml,
  });
  const text = await res.text();
  const code = /<lt:code>([^<]+)<\/lt:code>/.exec(text)?.[1];
  return { status: res.status, text, code };
}

const envelope = (body: string, prefix = 'dan') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:${prefix}="http://dancuquocgia.bca"><soapenv:Header/><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

const lookupXml = (id: string, p = 'dan') =>
  envelope(
    `<${p}:TraCuuThongTinCongDan><${p}:MaYeuCau>R-1</${p}:MaYeuCau><${p}:MaDVC>G15-TP110</${p}:MaDVC><${p}:MaTichHop>037</${p}:MaTichHop><${p}:MaCanBo>canbo01</${p}:MaCanBo><${p}:SoDinhDanh>${id}</${p}:SoDinhDanh></${p}:TraCuuThongTinCongDan>`,
    p,
  );

beforeAll(async () => {
  gw = await startTestGateway({
    endpoints: { npd: { breaker: { volumeThreshold: 3, resetTimeoutMs: 300 } } },
  });
  token = await demoToken(gw.url);
  sim = gw.simulators.get('npd')!.url;
  const list = (await (await fetch(`${sim}/__sim/citizens?limit=5&status=1`)).json()) as any;
  citizen = list.items[0];
});

afterAll(async () => {
  await gw?.stop();
});

describe('JSON facade', () => {
  it('looks a citizen up and answers the canonical object, codes as strings with their names', async () => {
    const r = await json('/v1/npd/citizens/lookup', {
      serviceCode: 'G15-TP110',
      officer: 'canbo01',
      idNumber: citizen.idNumber,
    });
    expect(r.status).toBe(200);
    const c = r.body.citizen;
    expect(c.idNumber).toBe(citizen.idNumber);
    expect(c.idNumber).toMatch(/^\d{12}$/); // a leading zero would be lost if a parser made it a number
    expect(c.sex).toEqual({ code: citizen.sex, name: citizen.sex === '1' ? 'Nam' : 'Nữ' });
    expect(c.ethnicity.code).toMatch(/^\d{2}$/);
    expect(c.currentResidence.communeCode).toMatch(/^\d{5}$/);
    expect(r.headers.get('x-jws-signature')).toBeTruthy();
  });

  it('adds the 2025 units to a pre-2025 address (translate: admin-units-to-2025, R2)', async () => {
    const list = (await (await fetch(`${sim}/__sim/citizens?limit=30`)).json()) as any;
    let translated: any;
    for (const c of list.items) {
      const r = await json('/v1/npd/citizens/lookup', {
        serviceCode: 'G15-TP110',
        officer: 'cb',
        idNumber: c.idNumber,
      });
      if (r.body.citizen?.birthRegistration?.units2025) {
        translated = r.body.citizen.birthRegistration;
        break;
      }
    }
    expect(translated).toBeDefined();
    const expected = gw.catalogs.adminUnits.translateProvince(translated.provinceCode);
    expect(translated.units2025.candidates.map((c: any) => c.provinceCode)).toEqual(
      expected.candidates.map((c) => c.provinceCode),
    );
  });

  it('verifies (TonTai) true and false', async () => {
    const yes = await json('/v1/npd/citizens/verify', {
      serviceCode: 'G15-TP110',
      officer: 'cb',
      idNumber: citizen.idNumber,
      fullName: citizen.fullName,
    });
    expect(yes.body.exists).toBe(true);
    const no = await json('/v1/npd/citizens/verify', {
      serviceCode: 'G15-TP110',
      officer: 'cb',
      idNumber: citizen.idNumber,
      fullName: 'TRAN THI KHONG CO',
    });
    expect(no.body.exists).toBe(false);
  });

  it.each(['residence', 'household', 'blood-group', 'marital-status', 'death-status'])(
    'serves /%s',
    async (path) => {
      const r = await json(`/v1/npd/citizens/${path}`, {
        serviceCode: 'G15-TP110',
        officer: 'cb',
        idNumber: citizen.idNumber,
      });
      expect(r.status).toBe(200);
    },
  );

  it('answers LT_NPD_NOT_FOUND for a well-formed id nobody has', async () => {
    const id = makeCccd({ provinceCode: '001', sex: '1', birthYear: 1931, random: () => 0.999 });
    const r = await json('/v1/npd/citizens/lookup', {
      serviceCode: 'G15-TP110',
      officer: 'cb',
      idNumber: id,
    });
    expect(r.body.code).toBe('LT_NPD_NOT_FOUND');
    expect(r.status).toBe(404);
  });

  it.each([
    ['an unknown province prefix', { idNumber: '999092008262' }, 'LT_CCCD_INVALID', 'prefix'],
    [
      'a century digit that contradicts the birth date',
      { idNumber: '001092008262', birthDate: '20010101' },
      'LT_CCCD_INVALID',
      'century',
    ],
    [
      'a year that contradicts the birth date',
      { idNumber: '001093008262', birthDate: '19920101' },
      'LT_CCCD_INVALID',
      'year-mismatch',
    ],
    ['letters in the id', { idNumber: '00109200826A' }, 'LT_CONTRACT_REQUEST', undefined],
    ['a code written as a number', { idNumber: 1092008262 }, 'LT_CONTRACT_REQUEST', undefined],
    [
      'a malformed integration code',
      { idNumber: citizen?.idNumber ?? '001092008262', integrationCode: 'ABC' },
      'LT_CONTRACT_REQUEST',
      undefined,
    ],
  ])('refuses %s before the NPD is called', async (_n, fields, code, reason) => {
    const r = await json('/v1/npd/citizens/lookup', {
      serviceCode: 'G15-TP110',
      officer: 'cb',
      ...fields,
    });
    expect(r.body.code).toBe(code);
    if (reason) expect(r.body.detail).toContain(reason);
  });
});

describe('SOAP facade at /npd', () => {
  it('a soap client generated from the gateway’s published WSDL gets the simulator’s citizen', async () => {
    const client = await soap.createClientAsync(`${gw.url}/npd?wsdl`);
    client.addHttpHeader('Authorization', `Bearer ${token}`);
    const [r] = await (client as any).TraCuuThongTinCongDanAsync({
      MaYeuCau: 'R-42',
      MaDVC: 'G15-TP110',
      MaTichHop: '037',
      MaCanBo: 'canbo01',
      SoDinhDanh: citizen.idNumber,
    });
    expect(r.CongDan.SoDinhDanh).toBe(citizen.idNumber);
    expect(r.CongDan.DanToc).toMatch(/^\d{2}$/);
  });

  it('the WSDL names the gateway as the service address', async () => {
    const wsdl = await (await fetch(`${gw.url}/npd?wsdl`)).text();
    expect(wsdl).toContain(`location="${gw.url}/npd"`);
    expect(wsdl).toContain(`${gw.url}/npd?xsd=npd-request.xsd`);
  });

  it('accepts the qldc prefix and a signed raw reply', async () => {
    const r = await soapPost(lookupXml(citizen.idNumber, 'qldc'));
    expect(r.status).toBe(200);
    expect(r.text).toContain(citizen.idNumber);
  });

  it.each([
    [
      'an XXE payload',
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${lookupXml('&xxe;').replace(/^<\?xml[^>]*>/, '')}`,
      'LT_XML_DTD_FORBIDDEN',
    ],
    [
      'an entity bomb',
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><x>&lol3;</x>`,
      'LT_XML_DTD_FORBIDDEN',
    ],
    [
      'a raw ampersand',
      lookupXml(citizen?.idNumber ?? '').replace('canbo01', 'can & bo'),
      'LT_XML_MALFORMED',
    ],
    ['an id with letters (XSD)', lookupXml('12345678901X'), 'LT_CONTRACT_REQUEST'],
    [
      'an unknown operation',
      envelope('<dan:XoaCongDan><dan:MaYeuCau>1</dan:MaYeuCau></dan:XoaCongDan>'),
      'LT_SOAP_UNKNOWN_OPERATION',
    ],
    ['something that is not SOAP', '<hello/>', 'LT_SOAP_NOT_ENVELOPE'],
    [
      // Unbounded, its repeat check was quadratic: 40,000 cost the event loop 2.5 s.
      'an element with 40,000 attributes',
      lookupXml('052180091442').replace(
        '<soapenv:Body>',
        `<soapenv:Body ${Array.from({ length: 40_000 }, (_, i) => `a${i}=""`).join(' ')}>`,
      ),
      'LT_XML_TOO_MANY_ATTRIBUTES',
    ],
  ])('refuses %s with a SOAP fault carrying the code', async (_n, xml, code) => {
    const r = await soapPost(xml);
    expect(r.code).toBe(code);
    expect(r.status).toBe(500);
    expect(r.text).toContain('<faultcode>soap:Client</faultcode>');
  });

  it('names line and column of malformed XML', async () => {
    const r = await soapPost(lookupXml(citizen.idNumber).replace('canbo01', 'can & bo'));
    expect(r.text).toMatch(/line \d+, column \d+/);
  });

  it('refuses an oversized envelope', async () => {
    const big = lookupXml(citizen.idNumber).replace('canbo01', 'x'.repeat(1_100_000));
    const r = await soapPost(big);
    expect(['LT_BODY_TOO_LARGE', 'LT_XML_TOO_LARGE']).toContain(r.code);
  });

  it('takes a gzip-compressed envelope (as CXF or WCF send with compression on)', async () => {
    const r = await soapPost(gzipSync(lookupXml(citizen.idNumber)), { 'content-encoding': 'gzip' });
    expect(r.status).toBe(200);
    expect(r.text).toContain(`<ns1:SoDinhDanh>${citizen.idNumber}</ns1:SoDinhDanh>`);
  });

  it.each([
    [
      'a compressed bomb (50 MB of zeros in ~50 KB)',
      gzipSync(Buffer.alloc(50_000_000)),
      'gzip',
      'LT_BODY_TOO_LARGE',
    ],
    ['an uncompressed body labelled gzip', Buffer.from('<x/>'), 'gzip', 'LT_BODY_ENCODING_INVALID'],
    ['an unknown coding', Buffer.from('<x/>'), 'compress', 'LT_UNSUPPORTED_MEDIA_TYPE'],
  ])('refuses %s with a SOAP fault carrying the code', async (_n, body, coding, code) => {
    const r = await soapPost(body, { 'content-encoding': coding });
    expect(r.code).toBe(code);
    expect(r.status).toBe(500);
  });

  it('refuses a JSON body on the SOAP path as a media type, not as malformed XML', async () => {
    const r = await soapPost('{}', { 'content-type': 'application/json' });
    expect(r.code).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a caller without a token with a SOAP fault', async () => {
    const res = await fetch(`${gw.url}/npd`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: lookupXml(citizen.idNumber),
    });
    expect(await res.text()).toContain('<lt:code>LT_AUTH_MISSING</lt:code>');
  });
});

describe('NPD faults and the breaker', () => {
  it("refuses a cut-off NPD reply as the provider's: LT_UPSTREAM_BAD_REPLY on both facades", async () => {
    const set = (f: unknown) =>
      fetch(`${sim}/__sim/faults`, { method: 'POST', body: JSON.stringify(f) });
    await set({ garbageRate: 1 });
    try {
      // The SOAP facade forwards the reply unparsed; the route's XSD refuses it.
      const soap = await soapPost(lookupXml(citizen.idNumber));
      expect(soap.code).toBe('LT_UPSTREAM_BAD_REPLY');
      expect(soap.text).toContain('<faultcode>soap:Server</faultcode>');
      const rest = await json('/v1/npd/citizens/lookup', {
        serviceCode: 'G15-TP110',
        officer: 'cb',
        idNumber: citizen.idNumber,
      });
      expect(rest.body.code).toBe('LT_UPSTREAM_BAD_REPLY');
    } finally {
      await set({});
    }
  });

  it('maps NPD 5xx and SOAP faults, opens the breaker, and recovers', async () => {
    const set = (f: unknown) =>
      fetch(`${sim}/__sim/faults`, { method: 'POST', body: JSON.stringify(f) });
    await set({ faultRate: 1 });
    const fault = await json('/v1/npd/citizens/lookup', {
      serviceCode: 'G15-TP110',
      officer: 'cb',
      idNumber: citizen.idNumber,
    });
    expect(fault.body.code).toBe('LT_UPSTREAM_FAULT');
    await set({ errorRate: 1 });
    const codes: string[] = [];
    for (let i = 0; i < 60 && !codes.includes('LT_BREAKER_OPEN'); i++) {
      codes.push(
        (
          await json('/v1/npd/citizens/lookup', {
            serviceCode: 'G15-TP110',
            officer: 'cb',
            idNumber: citizen.idNumber,
          })
        ).body.code,
      );
    }
    expect(codes[0]).toBe('LT_UPSTREAM_ERROR');
    expect(codes).toContain('LT_BREAKER_OPEN');
    const soapOpen = await soapPost(lookupXml(citizen.idNumber));
    expect(soapOpen.code).toBe('LT_BREAKER_OPEN');
    expect(soapOpen.text).toContain('<faultcode>soap:Server</faultcode>');
    await set({});
    await new Promise((r) => setTimeout(r, 400));
    expect(
      (
        await json('/v1/npd/citizens/lookup', {
          serviceCode: 'G15-TP110',
          officer: 'cb',
          idNumber: citizen.idNumber,
        })
      ).status,
    ).toBe(200);
  });
});
