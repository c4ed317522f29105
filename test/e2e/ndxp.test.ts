import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import soap from 'soap';
import { startNdxpSimulator, type NdxpSimulator } from '../../adapters/ndxp/index.js';
import { parseSoapEnvelope } from '../../src/xml/index.js';
import { readXRoadHeader, requestHashOf } from '../../src/xroad/index.js';
import { demoToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';

// R1.1: the NPD through NDXP (X-Road): lienthong → security-server simulator → NPD simulator.
let gw: TestGateway;
let token: string;
let citizen: { idNumber: string; fullName: string };

async function json(path: string, body: unknown) {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function soapPost(path: string, xml: string) {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'text/xml; charset=utf-8',
      soapaction: '""',
    },
    body: xml,
  });
  const text = await res.text();
  return { status: res.status, text, code: /<lt:code>([^<]+)<\/lt:code>/.exec(text)?.[1] };
}

const LIMITS = { maxBytes: 1 << 20, maxDepth: 64, maxNodes: 10000 };
const lookupXml = (id: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca"><soapenv:Header/><soapenv:Body><dan:TraCuuThongTinCongDan><dan:MaYeuCau>R-1</dan:MaYeuCau><dan:MaDVC>G15-TP110</dan:MaDVC><dan:MaTichHop>037</dan:MaTichHop><dan:MaCanBo>canbo01</dan:MaCanBo><dan:SoDinhDanh>${id}</dan:SoDinhDanh></dan:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>`;

beforeAll(async () => {
  gw = await startTestGateway();
  token = await demoToken(gw.url);
  const sim = gw.simulators.get('npd-behind-ndxp')!.url;
  citizen = ((await (await fetch(`${sim}/__sim/citizens?limit=1&status=1`)).json()) as any)
    .items[0];
});

afterAll(async () => {
  await gw?.stop();
});

describe('the NPD through NDXP', () => {
  it('a JSON client gets the citizen', async () => {
    const r = await json('/v1/ndxp/npd/citizens/lookup', {
      serviceCode: 'G15-TP110',
      officer: 'canbo01',
      idNumber: citizen.idNumber,
    });
    expect(r.status).toBe(200);
    expect(r.body.citizen?.idNumber ?? r.body.citizens?.[0]?.idNumber).toBe(citizen.idNumber);
  });

  it('a SOAP client gets the citizen, without the gateway\u2019s X-Road headers', async () => {
    const r = await soapPost('/ndxp/npd', lookupXml(citizen.idNumber));
    expect(r.status).toBe(200);
    expect(r.text).toContain(citizen.idNumber);
    expect(r.text).not.toContain('x-road.eu');
    // The SOAP caller's officer (MaCanBo) is the X-Road userId.
    const sim = gw.simulators.get('npd-behind-ndxp')!.url;
    const got = (await (await fetch(`${sim}/__sim/received`)).json()) as { body: string }[];
    expect(readXRoadHeader(parseSoapEnvelope(got[got.length - 1].body, LIMITS).header).userId).toBe(
      'canbo01',
    );
  });

  it('the NPD received the X-Road headers: the exchange id as the message id, the officer as userId', async () => {
    const r = await fetch(`${gw.url}/v1/ndxp/npd/citizens/lookup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        serviceCode: 'G15-TP110',
        officer: 'canbo42',
        idNumber: citizen.idNumber,
      }),
    });
    expect(r.status).toBe(200);
    const sim = gw.simulators.get('npd-behind-ndxp')!.url;
    const got = (await (await fetch(`${sim}/__sim/received`)).json()) as { body: string }[];
    const h = readXRoadHeader(parseSoapEnvelope(got[got.length - 1].body, LIMITS).header);
    expect(h.id).toBe(r.headers.get('x-lt-exchange-id'));
    expect(h.userId).toBe('canbo42');
    expect(h.client.memberCode).toBe('000.00.00.H57');
    expect(h.service.serviceCode).toBe('TraCuuThongTinCongDan');
  });

  it('a client the security server does not allow is refused with its fault, surfaced with its code', async () => {
    // The same configuration as an organisation the security server registers but grants nothing on the NPD.
    const other = await startTestGateway({
      endpoints: {
        'npd-ndxp': {
          options: {
            xroad: { client: 'VN/GOV/000.00.00.H58/HOTICH', service: 'VN/GOV/000.00.00.G10/NPD' },
          },
        },
      },
    }).catch((e) => e as Error);
    if (other instanceof Error)
      throw new Error(JSON.stringify((other as any).issues ?? other.message));
    const o = other as TestGateway;
    try {
      const t = await demoToken(o.url);
      const res = await fetch(`${o.url}/v1/ndxp/npd/citizens/lookup`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          serviceCode: 'G15-TP110',
          officer: 'canbo01',
          idNumber: citizen.idNumber,
        }),
      });
      const problem = (await res.json()) as { code: string };
      expect([res.status, problem.code]).toEqual([502, 'LT_XROAD_ACCESS_DENIED']);
    } finally {
      await o.stop();
    }
  });
});

describe('another agency calls lienthong\u2019s X-Road services through the security server', () => {
  const AGENCY = 'VN/GOV/000.00.00.H58/HOTICH';
  const STRANGER = 'VN/GOV/000.00.00.H59/KHAC';
  let ss: NdxpSimulator;

  beforeAll(async () => {
    ss = await startNdxpSimulator({
      options: {
        clients: [AGENCY, STRANGER],
        services: [
          {
            provider: 'VN/GOV/000.00.00.H57/LIENTHONG',
            url: `${gw.url}/xroad`,
            codes: ['TraCuuThongTinCongDan'],
            allowed: [AGENCY],
          },
          {
            provider: 'VN/GOV/000.00.00.H57/LIENTHONG',
            url: `${gw.url}/xroad/r/citizens`,
            profile: 'rest',
            codes: ['citizens'],
            allowed: [AGENCY],
          },
        ],
      },
    });
  });
  afterAll(async () => {
    await ss?.close();
  });

  const headerXml = (client: string, service = 'TraCuuThongTinCongDan') => {
    const [i, c, m, s] = client.split('/');
    return (
      `<xrd:client xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers" id:objectType="SUBSYSTEM"><id:xRoadInstance>${i}</id:xRoadInstance><id:memberClass>${c}</id:memberClass><id:memberCode>${m}</id:memberCode><id:subsystemCode>${s}</id:subsystemCode></xrd:client>` +
      `<xrd:service xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:id="http://x-road.eu/xsd/identifiers" id:objectType="SERVICE"><id:xRoadInstance>VN</id:xRoadInstance><id:memberClass>GOV</id:memberClass><id:memberCode>000.00.00.H57</id:memberCode><id:subsystemCode>LIENTHONG</id:subsystemCode><id:serviceCode>${service}</id:serviceCode></xrd:service>` +
      `<xrd:userId xmlns:xrd="http://x-road.eu/xsd/xroad.xsd">canbo-hotich</xrd:userId><xrd:id xmlns:xrd="http://x-road.eu/xsd/xroad.xsd">msg-0001</xrd:id><xrd:protocolVersion xmlns:xrd="http://x-road.eu/xsd/xroad.xsd">4.0</xrd:protocolVersion>`
    );
  };
  const message = (client: string, service?: string) =>
    lookupXml(citizen.idNumber).replace(
      '<soapenv:Header/>',
      `<soapenv:Header>${headerXml(client, service)}</soapenv:Header>`,
    );
  const post = async (url: string, xml: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: xml,
    });
    return { status: res.status, text: await res.text() };
  };

  it('a SOAP call reaches the provider route and gets the citizen with its headers copied back in order', async () => {
    const sent = message(AGENCY);
    const r = await post(ss.url, sent);
    expect(r.status).toBe(200);
    const env = parseSoapEnvelope(r.text, LIMITS);
    expect(env.body.name).toBe('TraCuuThongTinCongDanResponse');
    expect(r.text).toContain(citizen.idNumber);
    const names = env.header!.children.map((k) => k.name);
    expect(names).toEqual(['client', 'service', 'userId', 'id', 'protocolVersion', 'requestHash']);
    const h = readXRoadHeader(env.header);
    expect([h.id, h.userId, h.requestHash?.value]).toEqual([
      'msg-0001',
      'canbo-hotich',
      requestHashOf(sent),
    ]);
  });

  it('a REST call reaches the REST provider route with the X-Road-* headers answered', async () => {
    const res = await fetch(`${ss.url}/r1/VN/GOV/000.00.00.H57/LIENTHONG/citizens`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-road-client': AGENCY,
        'x-road-id': 'rest-0001',
      },
      body: JSON.stringify({
        serviceCode: 'G15-TP110',
        officer: 'canbo01',
        idNumber: citizen.idNumber,
      }),
    });
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(JSON.stringify(body)).toContain(citizen.idNumber);
    expect([res.headers.get('x-road-client'), res.headers.get('x-road-id')]).toEqual([
      AGENCY,
      'rest-0001',
    ]);
    expect(res.headers.get('x-road-request-hash')).toBeTruthy();
  });

  it('a client the security server does not allow gets its AccessDenied fault', async () => {
    const r = await post(ss.url, message(STRANGER));
    expect(r.text).toContain('<faultcode>Server.ServerProxy.AccessDenied</faultcode>');
  });

  it('straight to the provider path: missing or malformed X-Road headers, an unknown service, each its code', async () => {
    const code = (t: string) => /<lt:code>([^<]+)<\/lt:code>/.exec(t)?.[1];
    expect(code((await post(`${gw.url}/xroad`, lookupXml(citizen.idNumber))).text)).toBe(
      'LT_XROAD_HEADER_MISSING',
    );
    expect(
      code((await post(`${gw.url}/xroad`, message(AGENCY).replace('>4.0<', '>3.1<'))).text),
    ).toBe('LT_XROAD_HEADER_INVALID');
    expect(code((await post(`${gw.url}/xroad`, message(AGENCY, 'NoSuchService'))).text)).toBe(
      'LT_XROAD_SERVICE_UNKNOWN',
    );
    // The Body element must be the service's request element, in its namespace.
    const other = message(AGENCY).replaceAll(
      'dan:TraCuuThongTinCongDan>',
      'dan:XacMinhThongTinNoiOHienTai>',
    );
    expect(code((await post(`${gw.url}/xroad`, other)).text)).toBe('LT_SOAP_OPERATION_MISMATCH');
    const wrongNs = message(AGENCY).replace(
      'xmlns:dan="http://dancuquocgia.bca"',
      'xmlns:dan="urn:other"',
    );
    expect(code((await post(`${gw.url}/xroad`, wrongNs)).text)).toBe('LT_SOAP_OPERATION_MISMATCH');
    // The REST service answers its method only.
    const get = await fetch(`${gw.url}/xroad/r/citizens`, { headers: { 'x-road-client': AGENCY } });
    expect(get.status).toBe(405);
    const rest = await fetch(`${gw.url}/xroad/r/citizens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect([
      rest.status,
      rest.headers.get('x-road-error'),
      ((await rest.json()) as any).detail,
    ]).toEqual([400, 'Client.LT_XROAD_HEADER_MISSING', 'LT_XROAD_HEADER_MISSING']);
  });

  it('a client generated from the published WSDL (the soap package) calls the provider side with X-Road headers', async () => {
    const client = await soap.createClientAsync(`${gw.url}/xroad?wsdl`);
    client.addSoapHeader(headerXml(AGENCY));
    const [result] = await client.TraCuuThongTinCongDanAsync({
      MaYeuCau: 'W-1',
      MaDVC: 'G15-TP110',
      MaTichHop: '037',
      MaCanBo: 'canbo01',
      SoDinhDanh: citizen.idNumber,
    });
    expect(JSON.stringify(result)).toContain(citizen.idNumber);
  });

  it('the security server serves the provider\u2019s WSDL (getWsdl) and lists its services', async () => {
    const w = await fetch(
      `${ss.url}/wsdl?xRoadInstance=VN&memberClass=GOV&memberCode=000.00.00.H57&subsystemCode=LIENTHONG&serviceCode=TraCuuThongTinCongDan`,
    );
    expect([w.status, (await w.text()).includes('TraCuuThongTinCongDanResponse')]).toEqual([
      200,
      true,
    ]);
    const m = await fetch(`${ss.url}/r1/VN/GOV/000.00.00.H57/LIENTHONG/allowedMethods`, {
      headers: { 'x-road-client': AGENCY },
    });
    expect(((await m.json()) as any).service.map((s: any) => s.service_code)).toEqual([
      'TraCuuThongTinCongDan',
      'citizens',
    ]);
  });
});
