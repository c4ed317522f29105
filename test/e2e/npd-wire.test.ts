import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { NpdSimulator, SimCitizen } from '../../adapters/npd/index.js';
import { demoToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';

// The NPD on the real wire (issue 17, DOMAIN.md §2 "What real traffic looks like"), through
// the gateway's port: JSON and SOAP facades → the NPD adapter → the NPD simulator.

let gw: TestGateway;
let token: string;
let sim: NpdSimulator;
let overrides: string;
const logLines: Record<string, unknown>[] = [];
const OVERRIDE_NAME = 'Tôn giáo theo danh mục của đơn vị';

async function json(path: string, body: unknown) {
  const res = await fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

async function soapPost(xml: string) {
  const res = await fetch(`${gw.url}/npd`, {
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

/** The simulator's run-time control of its otherPersonRate. */
async function otherPerson(rate: number) {
  const res = await fetch(`${sim.url}/__sim/other-person`, {
    method: 'POST',
    body: JSON.stringify({ rate }),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ rate });
}

/** The court system's request (CallApi037): C06 fields after MaCanBo, SoDienThoai 0, pretty-printed, trailing spaces. */
const c06Direct = (c: SimCitizen) => `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca">
  <soapenv:Header/>
  <soapenv:Body>
    <dan:TraCuuThongTinCongDan>
      <dan:MaYeuCau>RANDOM101112123</dan:MaYeuCau>
      <dan:MaDVC>G15-TP110</dan:MaDVC>
      <dan:MaTichHop>037</dan:MaTichHop>
      <dan:MaCanBo>canbo01</dan:MaCanBo>
      <dan:MaDonVi>H57</dan:MaDonVi>
      <dan:TaiKhoan>tk01</dan:TaiKhoan>
      <dan:SoDienThoai>0</dan:SoDienThoai>
      <dan:SoDinhDanh>${c.idNumber} </dan:SoDinhDanh>
      <dan:HoVaTen>${c.fullName} </dan:HoVaTen>
      <dan:NgayThangNamSinh><dan:NgayThangNam>${c.birthDate}</dan:NgayThangNam></dan:NgayThangNamSinh>
    </dan:TraCuuThongTinCongDan>
  </soapenv:Body>
</soapenv:Envelope>`;

/** The same C06 request in the compact one-line form: another prefix declared on the operation element, an unused declaration. */
const compact = (c: SimCitizen) =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><qldc:TraCuuThongTinCongDan xmlns:qldc="http://dancuquocgia.bca"><qldc:MaYeuCau>1733300000000</qldc:MaYeuCau><qldc:MaDVC>G15-TP110</qldc:MaDVC><qldc:MaTichHop>037</qldc:MaTichHop><qldc:MaCanBo>canbo01</qldc:MaCanBo><qldc:MaDonVi>H57</qldc:MaDonVi><qldc:TaiKhoan>tk01</qldc:TaiKhoan><qldc:SoDienThoai>0</qldc:SoDienThoai><qldc:SoDinhDanh>${c.idNumber}</qldc:SoDinhDanh></qldc:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>`;

const verifyXml = (c: SimCitizen, extra = '') =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dan="http://dancuquocgia.bca"><soapenv:Body><dan:XacThucThongTinCongDanRequest><dan:MaYeuCau>R-2</dan:MaYeuCau><dan:MaDichVu>G15-TP110</dan:MaDichVu>${extra}<dan:MaCanBo>canbo01</dan:MaCanBo><dan:SoDinhDanh>${c.idNumber}</dan:SoDinhDanh><dan:SoCMND/><dan:HoVaTen>${c.fullName}</dan:HoVaTen></dan:XacThucThongTinCongDanRequest></soapenv:Body></soapenv:Envelope>`;

let alive: SimCitizen[];

beforeAll(async () => {
  overrides = mkdtempSync(join(tmpdir(), 'npd-wire-catalogs-'));
  writeFileSync(
    join(overrides, 'religion.json'),
    JSON.stringify({
      replace: true,
      entries: ['00', '01', '02', '03', '04'].map((code) => ({
        code,
        vi: `${OVERRIDE_NAME} ${code}`,
      })),
    }),
  );
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  gw = await startTestGateway(
    {
      catalogOverridesDir: overrides,
      // The mismatch tests fail calls on purpose: the breaker must not open for the others.
      endpoints: { npd: { breaker: { volumeThreshold: 1000 } } },
    },
    {},
    undefined,
    { log: pino({ level: 'info' }, sink) },
  );
  token = await demoToken(gw.url);
  sim = gw.simulators.get('npd') as NpdSimulator;
  alive = sim.population.citizens.filter((c) => c.status === '1');
});

beforeEach(async () => {
  await otherPerson(0);
});

afterAll(async () => {
  await gw?.stop();
  rmSync(overrides, { recursive: true, force: true });
});

const lookup = (c: SimCitizen) => ({
  serviceCode: 'G15-TP110',
  officer: 'canbo01',
  idNumber: c.idNumber,
});

describe('the SOAP facade accepts what real clients send', () => {
  it('the C06 direct request with MaDonVi, TaiKhoan, SoDienThoai 0 right after MaCanBo', async () => {
    const c = alive[0]!;
    const r = await soapPost(c06Direct(c));
    expect(r.code).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.text).toContain(`<ns1:SoDinhDanh>${c.idNumber}</ns1:SoDinhDanh>`);
  });

  it('the same request in the compact one-line form with another prefix', async () => {
    const c = alive[1]!;
    const r = await soapPost(compact(c));
    expect(r.status).toBe(200);
    expect(r.text).toContain(`<ns1:SoDinhDanh>${c.idNumber}</ns1:SoDinhDanh>`);
  });

  it('the verification without MaTichHop; with one it is refused before the NPD is called', async () => {
    const c = alive[2]!;
    const ok = await soapPost(verifyXml(c));
    expect(ok.status).toBe(200);
    expect(ok.text).toMatch(/<dan:TonTai>true<\/dan:TonTai>/);
    const refused = await soapPost(verifyXml(c, '<dan:MaTichHop>003</dan:MaTichHop>'));
    expect(refused.status).toBe(500);
    expect(refused.code).toBe('LT_CONTRACT_REQUEST');
  });
});

describe('it passes on what the real service answers', () => {
  it('relatives’ identity numbers of every length and empty, on the SOAP and the JSON facade', async () => {
    const byLength = new Map<number, SimCitizen>();
    for (const c of alive)
      for (const p of [c.father, c.mother, c.spouse])
        if (p && !byLength.has(p.idNumber.length)) byLength.set(p.idNumber.length, c);
    expect([...byLength.keys()].sort((a, b) => a - b)).toEqual([0, 6, 8, 9, 12]);
    for (const c of byLength.values()) {
      const s = await soapPost(compact(c));
      expect({ id: c.idNumber, status: s.status, code: s.code }).toEqual({
        id: c.idNumber,
        status: 200,
        code: undefined,
      });
      const j = await json('/v1/npd/citizens/lookup', lookup(c));
      expect(j.status).toBe(200);
      const relatives = [j.body.citizen.father, j.body.citizen.mother, j.body.citizen.spouse];
      const expected = [c.father, c.mother, c.spouse].map((p) => p?.idNumber ?? '');
      expect(relatives.map((p: any) => p?.idNumber ?? '')).toEqual(expected);
    }
  });

  it('both Nam and NgayThangNam reach a JSON caller (birthDate and birthYear)', async () => {
    const c = alive[3]!;
    const j = await json('/v1/npd/citizens/lookup', lookup(c));
    expect(j.body.citizen).toMatchObject({
      birthDate: c.birthDate,
      birthYear: c.birthDate.slice(0, 4),
    });
  });
});

describe('a reply about another person is refused, counted and logged', () => {
  it('on the JSON facade: 502 LT_NPD_OTHER_PERSON, nothing of the other person shown', async () => {
    await otherPerson(1);
    const c = alive[4]!;
    const r = await json('/v1/npd/citizens/lookup', lookup(c));
    expect(r.status).toBe(502);
    expect(r.body.code).toBe('LT_NPD_OTHER_PERSON');
    expect(JSON.stringify(r.body)).not.toMatch(/\d{12}/);
    const household = await json('/v1/npd/citizens/household', lookup(c));
    expect(household.body.code).toBe('LT_NPD_OTHER_PERSON');
  });

  it('on the SOAP facade: a fault with the code, not the other person’s record', async () => {
    await otherPerson(1);
    const c = alive[5]!;
    const r = await soapPost(c06Direct(c));
    expect(r.status).toBe(500);
    expect(r.code).toBe('LT_NPD_OTHER_PERSON');
    expect(r.text).not.toContain('CongdanCollection');
    expect(r.text).toContain('<faultcode>soap:Server</faultcode>');
  });

  it('is counted in lienthong_errors_total and logged at warn with the exchange, ids masked', async () => {
    await otherPerson(1);
    const c = alive[6]!;
    const before = logLines.length;
    await json('/v1/npd/citizens/lookup', lookup(c));
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(
      /lienthong_errors_total\{route="npd-lookup",code="LT_NPD_OTHER_PERSON"\} [1-9]/,
    );
    expect(metrics).toMatch(
      /lienthong_errors_total\{route="npd-soap-lookup",code="LT_NPD_OTHER_PERSON"\} [1-9]/,
    );
    const line = logLines
      .slice(before)
      .find((l) => l.msg === 'provider error' && l.code === 'LT_NPD_OTHER_PERSON');
    expect(line).toMatchObject({ level: 40, route: 'npd-lookup', endpoint: 'npd' });
    expect(typeof line!.ex).toBe('string');
    expect(line!.provider).toMatch(
      new RegExp(`^asked SoDinhDanh …${c.idNumber.slice(-3)}, answered …[0-9]{3}$`),
    );
    expect(JSON.stringify(logLines.slice(before))).not.toContain(c.idNumber);
  });

  it('the same requests are answered once the fault is off', async () => {
    const c = alive[4]!;
    const r = await json('/v1/npd/citizens/lookup', lookup(c));
    expect(r.status).toBe(200);
    expect(r.body.citizen.idNumber).toBe(c.idNumber);
  });
});

describe('the NPD outbound uses the gateway’s catalogs', () => {
  it('an operator’s religion list names the codes in replies', async () => {
    const c = alive.find((p) => p.religion !== '00') ?? alive[0]!;
    const r = await json('/v1/npd/citizens/lookup', lookup(c));
    expect(r.body.citizen.religion).toEqual({
      code: c.religion,
      name: `${OVERRIDE_NAME} ${c.religion}`,
    });
  });
});
