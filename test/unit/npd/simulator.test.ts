import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import pino from 'pino';
import { checkSchema } from '../../../src/config/validate.js';
import { parseSoapEnvelope, SOAP11_NS, type SoapEnvelope } from '../../../src/xml/index.js';
import npd from '../../../adapters/npd/index.js';
import { NPD_REQUEST_NS } from '../../../adapters/npd/constants.js';
import { generatePopulation, type SimCitizen } from '../../../adapters/npd/population.js';
import { nameKey, startNpdSimulator, type NpdSimulator } from '../../../adapters/npd/simulator.js';

const population = generatePopulation({ seed: 3, size: 150 });
const CREDS = {
  username: 'u01',
  secretKey: 'secret',
  apiKey: 'api',
  urlXacThuc: 'https://c06.example/api',
};
let open: NpdSimulator;
let guarded: NpdSimulator;

beforeAll(async () => {
  open = await startNpdSimulator({ population });
  guarded = await startNpdSimulator({ population, options: { auth: CREDS } });
});
afterAll(async () => {
  await open.close();
  await guarded.close();
});

function request(op: string, inner: string, prefix = 'dan'): string {
  return `<soapenv:Envelope xmlns:soapenv="${SOAP11_NS}" xmlns:${prefix}="${NPD_REQUEST_NS}"><soapenv:Header/><soapenv:Body><${prefix}:${op}>${inner}</${prefix}:${op}></soapenv:Body></soapenv:Envelope>`;
}

const lookupBody = (c: SimCitizen, extra = '') =>
  `<dan:MaYeuCau>r1</dan:MaYeuCau><dan:MaDVC>G15-TP110</dan:MaDVC><dan:MaTichHop>037</dan:MaTichHop><dan:MaCanBo>cb</dan:MaCanBo><dan:SoDinhDanh>${c.idNumber}</dan:SoDinhDanh>${extra}`;

async function post(sim: NpdSimulator, xml: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.url}/npd`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml', ...headers },
    body: xml,
  });
  const text = await res.text();
  let env: SoapEnvelope | undefined;
  try {
    env = parseSoapEnvelope(text, { maxBytes: 1 << 20, maxDepth: 64 });
  } catch {
    env = undefined;
  }
  return { status: res.status, text, env };
}

describe('NPD simulator, answers', () => {
  it('answers a lookup in the field form', async () => {
    const c = population.citizens[10];
    const { status, text, env } = await post(open, request('TraCuuThongTinCongDan', lookupBody(c)));
    expect(status).toBe(200);
    expect(env?.operation.name).toBe('CongdanCollection');
    expect(text).toContain('<soapenv:Envelope');
    expect(text).toContain(
      `<ns1:HoVaTen><ns1:Ho/><ns1:ChuDem/><ns1:Ten>${c.fullName}</ns1:Ten></ns1:HoVaTen>`,
    );
    expect(text).toContain(`<ns1:DanToc>${c.ethnicity}</ns1:DanToc>`);
    expect(text).toContain('SoCongDan="1"');
  });

  it('matches names without case or diacritics, and the birth date or year', async () => {
    const c = population.citizens[20];
    const ascii = nameKey(c.fullName).toLowerCase();
    const byName = await post(
      open,
      request('TraCuuThongTinCongDan', lookupBody(c, `<dan:HoVaTen>${ascii}  </dan:HoVaTen>`)),
    );
    expect(byName.env?.body.children).toHaveLength(1);
    const year = `<dan:NgayThangNamSinh><dan:Nam>${c.birthDate.slice(0, 4)}</dan:Nam></dan:NgayThangNamSinh>`;
    expect(
      (await post(open, request('TraCuuThongTinCongDan', lookupBody(c, year)))).env?.body.children,
    ).toHaveLength(1);
    const wrong = `<dan:NgayThangNamSinh><dan:NgayThangNam>19000101</dan:NgayThangNam></dan:NgayThangNamSinh>`;
    const none = await post(open, request('TraCuuThongTinCongDan', lookupBody(c, wrong)));
    expect(none.status).toBe(200); // no match is an empty collection, not a fault
    expect(none.env?.body.children).toEqual([]);
    expect(none.env?.fault).toBeUndefined();
  });

  it('answers the verification in the request namespace', async () => {
    const c = population.citizens[30];
    const inner = `<dan:MaYeuCau>r</dan:MaYeuCau><dan:MaDichVu>G15</dan:MaDichVu><dan:MaCanBo>cb</dan:MaCanBo><dan:SoDinhDanh>${c.idNumber}</dan:SoDinhDanh><dan:SoCMND/><dan:HoVaTen>${c.fullName}</dan:HoVaTen>`;
    const { env } = await post(open, request('XacThucThongTinCongDanRequest', inner));
    expect(env?.operation).toEqual({ ns: NPD_REQUEST_NS, name: 'KetQuaXacThucResponse' });
    expect(env?.body.children[0]).toMatchObject({ name: 'TonTai', text: 'true' });
  });

  it.each([
    ['an unknown operation', request('XoaCongDan', '<dan:MaYeuCau>1</dan:MaYeuCau>'), 'XoaCongDan'],
    [
      'a request breaking the contract',
      request(
        'TraCuuThongTinCongDan',
        '<dan:MaYeuCau>1</dan:MaYeuCau><dan:MaCanBo>c</dan:MaCanBo><dan:SoDinhDanh>026092017345</dan:SoDinhDanh>',
      ),
      'MaCanBo',
    ],
    [
      'a DTD',
      `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${request('TraCuuThongTinCongDan', '&e;')}`,
      'DOCTYPE',
    ],
    [
      'a raw ampersand',
      request('TraCuuThongTinCongDan', '<dan:MaYeuCau>A & B</dan:MaYeuCau>'),
      "'&'",
    ],
  ])('answers %s with a Client fault saying why', async (_name, xml, mention) => {
    const { status, env } = await post(open, xml);
    expect(status).toBe(500);
    expect(env?.fault?.faultcode).toBe('soapenv:Client');
    expect(env?.fault?.faultstring).toContain(mention);
  });

  it('says so when the request children are not in the request namespace', async () => {
    const sim = await startNpdSimulator({ population, options: { validateRequests: false } });
    try {
      const xml = `<soapenv:Envelope xmlns:soapenv="${SOAP11_NS}"><soapenv:Body><dan:TraCuuThongTinCongDan xmlns:dan="${NPD_REQUEST_NS}"><SoDinhDanh>026092017345</SoDinhDanh></dan:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>`;
      const { env } = await post(sim, xml);
      expect(env?.fault?.faultstring).toContain(NPD_REQUEST_NS);
    } finally {
      await sim.close();
    }
  });
});

describe('NPD simulator, C06 authentication', () => {
  const c = population.citizens[0];
  const headers = (secret: string, timestamp = String(Date.now())) => {
    const hash = createHash('sha256')
      .update(`${CREDS.urlXacThuc}${CREDS.username}${timestamp}${secret}`)
      .digest('hex');
    return {
      timestamp,
      authorization: `Basic ${Buffer.from(`${CREDS.username}:${hash}`).toString('base64')}`,
      apikey: CREDS.apiKey,
      'x-road-client': 'VN/GOV/000.00.00.H57/LT',
      soapaction: '""',
    };
  };

  it('accepts the documented header formula', async () => {
    const { status, env } = await post(
      guarded,
      request('TraCuuThongTinCongDan', lookupBody(c)),
      headers(CREDS.secretKey),
    );
    expect(status).toBe(200);
    expect(env?.body.children).toHaveLength(1);
  });

  it('refuses a wrong hash, a missing header or a wrong ApiKey with 401 and a fault', async () => {
    for (const h of [
      headers('wrong-secret'),
      { ...headers(CREDS.secretKey), apikey: 'other' },
      { ...headers(CREDS.secretKey), 'x-road-client': '' },
      {},
    ]) {
      const { status, env } = await post(
        guarded,
        request('TraCuuThongTinCongDan', lookupBody(c)),
        h,
      );
      expect(status).toBe(401);
      expect(env?.fault?.faultstring).toContain('Xác thực thất bại');
    }
  });
});

describe('NPD simulator, control and publishing', () => {
  it('lists citizens to test with, filtered by status', async () => {
    const list = (await (await fetch(`${open.url}/__sim/citizens?limit=3&offset=2`)).json()) as {
      total: number;
      items: { idNumber: string }[];
    };
    expect(list.total).toBe(150);
    expect(list.items.map((i) => i.idNumber)).toEqual(
      population.citizens.slice(2, 5).map((c) => c.idNumber),
    );
    const dead = (await (await fetch(`${open.url}/__sim/citizens?status=2&limit=1000`)).json()) as {
      items: { status: string }[];
    };
    expect(dead.items.every((i) => i.status === '2')).toBe(true);
  });

  it('changes faults at run time', async () => {
    const res = await fetch(`${open.url}/__sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorRate: 1 }),
    });
    expect((await res.json()) as object).toMatchObject({ errorRate: 1 });
    try {
      expect(
        (await post(open, request('TraCuuThongTinCongDan', lookupBody(population.citizens[1]))))
          .status,
      ).toBe(500);
    } finally {
      await fetch(`${open.url}/__sim/faults`, { method: 'POST', body: '{}' });
    }
    expect(
      (await post(open, request('TraCuuThongTinCongDan', lookupBody(population.citizens[1]))))
        .status,
    ).toBe(200);
  });

  it('publishes the WSDL and XSDs addressed to itself', async () => {
    const wsdl = await (await fetch(`${open.url}/npd?wsdl`)).text();
    expect(wsdl).toContain(`location="${open.url}/npd"`);
    expect(wsdl).toContain(`schemaLocation="${open.url}/npd?xsd=npd-request.xsd"`);
    const xsd = await (await fetch(`${open.url}/npd?xsd=npd-response.xsd`)).text();
    expect(xsd).toContain('CongdanCollection');
  });

  it('starts through the adapter spec with schema defaults', async () => {
    const checked = checkSchema(npd.simulatorSchema!, { size: 20 });
    if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
    expect(checked.value).toMatchObject({ seed: 2025, size: 20, validateRequests: true });
    const sim = await npd.simulator!(checked.value, {
      log: pino({ level: 'silent' }),
      listen: { host: '127.0.0.1', port: 0 },
    });
    try {
      const list = (await (await fetch(`${sim.url}/__sim/citizens`)).json()) as { total: number };
      expect(list.total).toBe(20);
    } finally {
      await sim.close();
    }
  });
});
