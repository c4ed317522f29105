import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { demoToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';

// "A grant for one operation reaches all of them": a client granted only the NPD
// lookup, through the gateway's real ports, against the NPD simulator (R10, R2).
let gw: TestGateway;
let sim: string;
let narrow: string; // granted npd-lookup and npd-soap-lookup only
let demo: string; // granted everything
let citizen: { idNumber: string };

const NARROW_ID = 'lookup-only';
const NARROW_SECRET = 'narrow-secret-for-tests';

beforeAll(async () => {
  gw = await startTestGateway({
    clients: [
      {
        id: 'demo',
        secretHash:
          'scrypt$16384$8$1$N5bdVuTO0bNy/Z4csNWldw==$/Vi9FqV5VSo8zUgudQmkW2I3VoW5q+Hm93gkC+17sug=',
        orgId: '000.00.00.H57',
        routes: ['*'],
      },
      {
        id: NARROW_ID,
        name: 'An agency granted the citizen lookup only',
        // `lienthong secret narrow-secret-for-tests`
        secretHash:
          'scrypt$16384$8$1$t8lT2T5lMbs6kzILUp2xww==$sF2d+flfTXnXFm1/t6q0yddiH0a6prEer9r6LcN/CKE=',
        orgId: '000.00.00.H26',
        routes: ['npd-lookup', 'npd-soap-lookup'],
      },
    ],
  });
  narrow = await demoToken(gw.url, NARROW_ID, NARROW_SECRET);
  demo = await demoToken(gw.url);
  sim = gw.simulators.get('npd')!.url;
  const list = (await (await fetch(`${sim}/__sim/citizens?limit=1&status=1`)).json()) as any;
  citizen = list.items[0];
});

afterAll(async () => {
  await gw?.stop();
});

interface Received {
  headers: Record<string, string>;
  body: string;
}
async function received(): Promise<Received[]> {
  return (await (await fetch(`${sim}/__sim/received`)).json()) as Received[];
}

const ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const fields = (id: string) =>
  `<dan:MaYeuCau>R-1</dan:MaYeuCau><dan:MaDVC>G15-TP110</dan:MaDVC><dan:MaCanBo>canbo01</dan:MaCanBo><dan:SoDinhDanh>${id}</dan:SoDinhDanh>`;
const op = (name: string, id: string) => `<dan:${name}>${fields(id)}</dan:${name}>`;
const envelope = (body: string, header = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${ENV_NS}" xmlns:dan="http://dancuquocgia.bca"><soapenv:Header>${header}</soapenv:Header><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

async function post(path: string, body: string, contentType: string | undefined, token?: string) {
  const headers: Record<string, string> = {};
  if (contentType !== undefined) headers['content-type'] = contentType;
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers, body });
  const text = await res.text();
  let code = /<lt:code>([^<]+)<\/lt:code>/.exec(text)?.[1];
  if (!code && res.headers.get('content-type')?.includes('json')) code = JSON.parse(text).code;
  return { status: res.status, text, code, exchange: res.headers.get('x-lt-exchange-id') };
}
const lookupJson = (id: string) =>
  JSON.stringify({ serviceCode: 'G15-TP110', officer: 'canbo01', idNumber: id });
/** The JSON lookup, as the narrow client unless told otherwise (null: no token). */
const jsonLookup = (id: string, contentType = 'application/json', token: string | null = narrow) =>
  post('/v1/npd/citizens/lookup', lookupJson(id), contentType, token ?? undefined);
/** One operation on the SOAP facade, as the narrow client unless told otherwise (null: no token). */
const soapCall = (
  name: string,
  id: string,
  contentType = 'text/xml',
  token: string | null = narrow,
) => post('/npd', envelope(op(name, id)), contentType, token ?? undefined);

describe('the attack of the issue', () => {
  it('the narrow client is refused the household route', async () => {
    const r = await post(
      '/v1/npd/citizens/household',
      lookupJson(citizen.idNumber),
      'application/json',
      narrow,
    );
    expect(r.status).toBe(403);
    expect(r.code).toBe('LT_POLICY_ROUTE_NOT_ALLOWED');
  });

  it('…and does not get the household through the lookup route as text/xml with a CungCapThongTinHoGiaDinh body', async () => {
    const before = (await received()).length;
    const r = await post(
      '/v1/npd/citizens/lookup',
      envelope(op('CungCapThongTinHoGiaDinh', citizen.idNumber)),
      'text/xml',
      narrow,
    );
    expect(r.status).toBe(415);
    expect(r.code).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
    expect(r.text).not.toContain('ChuHo');
    // Nothing reached the NPD.
    expect((await received()).length).toBe(before);
  });

  it('…nor through the SOAP facade, where the household element is the household route', async () => {
    const r = await soapCall('CungCapThongTinHoGiaDinh', citizen.idNumber);
    expect(r.code).toBe('LT_POLICY_ROUTE_NOT_ALLOWED');
    expect(r.status).toBe(500);
  });

  it('…while the lookup it was granted works on both facades', async () => {
    const json = await jsonLookup(citizen.idNumber);
    expect(json.status).toBe(200);
    const soap = await soapCall(
      'TraCuuThongTinCongDan',
      citizen.idNumber,
      'text/xml; charset=utf-8',
    );
    expect(soap.status).toBe(200);
    expect(soap.text).toContain(citizen.idNumber);
  });
});

describe('each route accepts the media types it declares (415 otherwise, before authentication)', () => {
  it.each([
    'text/xml',
    'application/xml',
    'application/soap+xml',
    'text/plain',
    'application/jsonx',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
  ])('JSON route: %s → 415 problem+json, even without a token', async (ct) => {
    for (const token of [null, narrow]) {
      const r = await jsonLookup(citizen.idNumber, ct, token);
      expect({ ct, status: r.status, code: r.code }).toEqual({
        ct,
        status: 415,
        code: 'LT_UNSUPPORTED_MEDIA_TYPE',
      });
    }
  });

  it('JSON route: a body without a content type → 415', async () => {
    const res = await fetch(`${gw.url}/v1/npd/citizens/lookup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${narrow}` },
      body: new Uint8Array(Buffer.from(lookupJson(citizen.idNumber))),
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as any).code).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
  });

  it('JSON route: no body and no content type: nothing to refuse as a media type (the contract answers)', async () => {
    const res = await fetch(`${gw.url}/v1/npd/citizens/lookup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${narrow}` },
    });
    expect(((await res.json()) as any).code).toBe('LT_CONTRACT_REQUEST');
    // A declared media type is checked even on an empty body.
    expect((await post('/v1/npd/citizens/lookup', '', 'text/xml', narrow)).status).toBe(415);
  });

  it('JSON route: a chunked body (no Content-Length) in another media type, or in none, → 415', async () => {
    for (const type of [{ 'content-type': 'text/xml' }, {}]) {
      const res = await fetch(`${gw.url}/v1/npd/citizens/lookup`, {
        method: 'POST',
        headers: { authorization: `Bearer ${narrow}`, ...type },
        body: new ReadableStream({
          start(c) {
            c.enqueue(Buffer.from(envelope(op('CungCapThongTinHoGiaDinh', citizen.idNumber))));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect({ type, status: res.status }).toEqual({ type, status: 415 });
    }
  });

  it('SOAP facade: a POST with no body and no content type has no envelope', async () => {
    const res = await fetch(`${gw.url}/npd`, {
      method: 'POST',
      headers: { authorization: `Bearer ${narrow}` },
    });
    expect(await res.text()).toContain('<lt:code>LT_UNSUPPORTED_MEDIA_TYPE</lt:code>');
    expect((await post('/npd', '', 'text/xml', narrow)).code).toBe('LT_XML_MALFORMED');
  });

  it('JSON route: the media type is read case-insensitively, +json included', async () => {
    for (const ct of ['Application/JSON; Charset=UTF-8', 'application/vnd.lienthong+json']) {
      const r = await jsonLookup(citizen.idNumber, ct);
      expect({ ct, status: r.status }).toEqual({ ct, status: 200 });
    }
  });

  it('JSON route: application/jose only where the route requires signatures', async () => {
    const plain = await post(
      '/v1/connection-test',
      'eyJhbGciOiJFUzI1NiJ9.e30.x',
      'application/jose',
      demo,
    );
    expect(plain.code).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
    const signed = await post(
      '/v1/connection-test/signed',
      'eyJhbGciOiJFUzI1NiJ9.e30.x',
      'application/jose',
      demo,
    );
    expect(signed.status).not.toBe(415);
  });

  it.each([
    'application/json',
    'application/soap+xml',
    'application/xml',
    'text/plain',
    'text/xmlx',
  ])(
    'SOAP facade: %s → LT_UNSUPPORTED_MEDIA_TYPE as a SOAP fault, even without a token',
    async (ct) => {
      for (const token of [null, narrow]) {
        const r = await soapCall('TraCuuThongTinCongDan', citizen.idNumber, ct, token);
        expect({ ct, code: r.code, status: r.status }).toEqual({
          ct,
          code: 'LT_UNSUPPORTED_MEDIA_TYPE',
          status: 500,
        });
        expect(r.text).toContain('<faultcode>soap:Client</faultcode>');
      }
    },
  );

  it('SOAP facade: TEXT/XML is text/xml', async () => {
    const r = await soapCall('TraCuuThongTinCongDan', citizen.idNumber, 'TEXT/XML; Charset=utf-8');
    expect(r.status).toBe(200);
  });
});

describe('the SOAP facade forwards one operation, in the gateway’s own envelope', () => {
  it('refuses a Body that carries another operation after the lookup, sending nothing', async () => {
    const before = (await received()).length;
    const r = await post(
      '/npd',
      envelope(
        op('TraCuuThongTinCongDan', citizen.idNumber) +
          op('CungCapThongTinHoGiaDinh', citizen.idNumber),
      ),
      'text/xml',
      narrow,
    );
    expect(r.code).toBe('LT_CONTRACT_REQUEST');
    expect((await received()).length).toBe(before);
  });

  it('refuses an NPD element in another namespace, and a reply element, as unknown operations', async () => {
    const foreign = envelope(
      `<x:TraCuuThongTinCongDan xmlns:x="urn:not-npd">${fields(citizen.idNumber).replaceAll('dan:', 'x:')}</x:TraCuuThongTinCongDan>`,
    );
    expect((await post('/npd', foreign, 'text/xml', demo)).code).toBe('LT_SOAP_UNKNOWN_OPERATION');
    const reply = envelope('<dc:CongdanCollection xmlns:dc="http://www.mic.gov.vn/dancu/1.0"/>');
    expect((await post('/npd', reply, 'text/xml', demo)).code).toBe('LT_SOAP_UNKNOWN_OPERATION');
  });

  it('never lets the caller’s SOAP Header reach the NPD: no xrd:client of another organisation, no wsa:Action of another operation', async () => {
    const header =
      '<xrd:client xmlns:xrd="http://x-road.eu/xsd/xroad.xsd"><xrd:memberCode>000.00.00.H99</xrd:memberCode></xrd:client>' +
      '<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">CungCapThongTinHoGiaDinh</wsa:Action>';
    const r = await post(
      '/npd',
      envelope(op('TraCuuThongTinCongDan', citizen.idNumber), header),
      'text/xml',
      narrow,
    );
    expect(r.status).toBe(200);
    const mine = (await received()).find((x) => x.headers['x-lt-exchange-id'] === r.exchange);
    expect(mine).toBeDefined();
    expect(mine!.body).toContain(`<dan:SoDinhDanh>${citizen.idNumber}</dan:SoDinhDanh>`);
    expect(mine!.body).toContain('<soapenv:Header/>');
    for (const leaked of ['x-road.eu', 'H99', 'addressing', 'CungCapThongTinHoGiaDinh'])
      expect(mine!.body).not.toContain(leaked);
    // Who calls is the gateway's own header, from the endpoint's configuration.
    expect(mine!.headers['x-road-client']).toBe('VN/GOV/000.00.00.H57/LGSP');
  });
});

describe('R2 identifier checks on the SOAP facade as on the JSON one', () => {
  it('refuses an invalid CCCD (unknown province prefix) on /npd with LT_CCCD_INVALID, before the NPD', async () => {
    const before = (await received()).length;
    const r = await soapCall('TraCuuThongTinCongDan', '999092008262');
    expect(r.code).toBe('LT_CCCD_INVALID');
    expect(r.text).toContain('<faultcode>soap:Client</faultcode>');
    const json = await jsonLookup('999092008262');
    expect(json.code).toBe('LT_CCCD_INVALID');
    expect((await received()).length).toBe(before);
  });

  it.each([
    [
      'Arabic-Indic',
      (id: string) => id.replace(/[0-9]/g, (d) => String.fromCharCode(0x660 + Number(d))),
    ],
    [
      'fullwidth',
      (id: string) => id.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d))),
    ],
  ])('refuses %s digits on both facades, before the NPD', async (_n, toDigits) => {
    const id = toDigits(citizen.idNumber);
    const before = (await received()).length;
    const soap = await soapCall('TraCuuThongTinCongDan', id);
    expect(soap.code).toBe('LT_CONTRACT_REQUEST');
    const json = await jsonLookup(id);
    expect(json.code).toBe('LT_CONTRACT_REQUEST');
    expect((await received()).length).toBe(before);
  });
});
