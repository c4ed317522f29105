import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
  });

  it('the NPD received the X-Road headers: the exchange id as the message id, the officer as userId', async () => {
    const sim = gw.simulators.get('npd-behind-ndxp')!.url;
    const got = (await (await fetch(`${sim}/__sim/received`)).json()) as { body: string }[];
    const last = got[got.length - 1].body;
    expect(last).toContain('<id:memberCode>000.00.00.H57</id:memberCode>');
    expect(last).toContain('<id:serviceCode>TraCuuThongTinCongDan</id:serviceCode>');
    expect(last).toMatch(/<xrd:protocolVersion[^>]*>4\.0</);
  });
});
