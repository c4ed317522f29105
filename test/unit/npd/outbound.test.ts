import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OutboundContext } from '../../../src/adapter/spec.js';
import { GatewayError } from '../../../src/message/errors.js';
import type { Message } from '../../../src/message/index.js';
import {
  child,
  parseSoapEnvelope,
  parseXml,
  SOAP11_NS,
  type SoapEnvelope,
} from '../../../src/xml/index.js';
import type {
  CitizenReply,
  HouseholdReply,
  VerificationReply,
} from '../../../adapters/npd/canonical.js';
import { NPD_REQUEST_NS, NPD_RESPONSE_NS } from '../../../adapters/npd/constants.js';
import { npdOutbound, type NpdEndpoint } from '../../../adapters/npd/outbound.js';
import { generatePopulation, type SimCitizen } from '../../../adapters/npd/population.js';
import { startNpdSimulator, type NpdSimulator } from '../../../adapters/npd/simulator.js';
import { exchange, jsonRequest, tinyServer } from './helpers.js';

const population = generatePopulation({ seed: 7, size: 300 });
const ctx = (url: string): OutboundContext => ({ name: 'npd', url, log: undefined as never });
const C06 = { username: 'lienthong', secretKey: 'k3y', apiKey: 'api-1' };
const base: NpdEndpoint = {
  prefix: 'dan',
  nameForm: 'as-is',
  connections: 4,
  maxReplyBytes: 1 << 20,
  maxDepth: 64,
  maxNodes: 100000,
};

let sim: NpdSimulator;
let out: ReturnType<typeof npdOutbound>;

async function call(
  operation: string,
  body: Record<string, unknown>,
  o = out,
  signal?: AbortSignal,
) {
  const ex = exchange(undefined, signal);
  return o.send(jsonRequest(operation, body), ex, ex.signal);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof GatewayError))
    throw new Error(`expected a GatewayError, got ${String(err)}`);
  return err.code;
}

const lookup = (c: SimCitizen, extra: Record<string, unknown> = {}) => ({
  serviceCode: 'G15-TP110',
  officer: 'canbo01',
  idNumber: c.idNumber,
  ...extra,
});

async function setFaults(faults: object): Promise<void> {
  const res = await fetch(`${sim.url}/__sim/faults`, {
    method: 'POST',
    body: JSON.stringify(faults),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  sim = await startNpdSimulator({ population, options: { auth: C06 } });
  out = npdOutbound(
    { ...base, auth: { mode: 'c06', ...C06, xRoadClient: 'VN/GOV/000.00.00.H57/LIENTHONG' } },
    ctx(`${sim.url}/npd`),
  );
});
afterAll(async () => {
  await out.close();
  await sim.close();
});

describe('NPD outbound, canonical JSON, against the simulator', () => {
  it('looks a citizen up and maps every field to the canonical form', async () => {
    const c = population.citizens.find((x) => x.father && x.household.relation !== 'CH01')!;
    const reply = (
      await call('TraCuuThongTinCongDan', lookup(c, { fullName: c.fullName.toUpperCase() }))
    ).body as CitizenReply;
    const got = reply.citizen;
    expect(reply.requestId).toBe('0190b1c2-0000-7000-8000-000000000001'); // the exchange id when none is given
    expect(got.idNumber).toBe(c.idNumber);
    expect(got.fullName).toBe(c.fullName);
    expect(got.name).toEqual({ last: '', middle: '', first: c.fullName }); // field form: whole name in Ten
    expect(got.sex).toEqual({ code: c.sex, name: c.sex === '1' ? 'Nam' : 'Nữ' });
    expect(got.ethnicity?.code).toBe(c.ethnicity);
    expect(got.birthDate).toBe(c.birthDate);
    expect(got.permanentResidence).toEqual({
      provinceCode: c.permanentResidence.provinceCode,
      communeCode: c.permanentResidence.communeCode,
      detail: c.permanentResidence.detail,
      country: 'VN',
    });
    expect(got.father).toEqual({ ...c.father, nationality: { code: 'VN', name: 'Việt Nam' } });
    expect(got.householdHead).toMatchObject({
      idNumber: c.household.headId,
      relation: { code: c.household.relation },
    });
    expect(got.householdBookNumber).toBe(c.household.bookNumber);
    expect(typeof got.dataAsOf).toBe('string');
  });

  it('keeps leading zeros through canonical → XML → simulator → canonical', async () => {
    const c = population.citizens.find(
      (x) =>
        x.ethnicity === '01' &&
        x.permanentResidence.communeCode.startsWith('0') &&
        x.idNumber.startsWith('0'),
    )!;
    const got = ((await call('TraCuuThongTinCongDan', lookup(c))).body as CitizenReply).citizen;
    expect(got.idNumber).toBe(c.idNumber);
    expect(got.ethnicity).toEqual({ code: '01', name: 'Kinh' });
    expect(got.permanentResidence?.communeCode).toBe(c.permanentResidence.communeCode);
    expect(got.householdBookNumber).toBe(c.household.bookNumber);
  });

  it('answers the verification, true and false', async () => {
    const c = population.citizens[3];
    const yes = (await call('XacThucThongTinCongDan', lookup(c, { fullName: c.fullName })))
      .body as VerificationReply;
    expect(yes.exists).toBe(true);
    const no = (
      await call('XacThucThongTinCongDan', lookup(c, { fullName: 'Không Phải Người Này' }))
    ).body as VerificationReply;
    expect(no.exists).toBe(false);
  });

  it('returns every member of the household, head first', async () => {
    const head = population.citizens.find(
      (x) => (population.households.get(x.household.bookNumber)?.length ?? 0) >= 3,
    )!;
    const members = population.households.get(head.household.bookNumber)!;
    const reply = (await call('CungCapThongTinHoGiaDinh', lookup(members[1])))
      .body as HouseholdReply;
    expect(reply.members.map((m) => m.idNumber)).toEqual(members.map((m) => m.idNumber));
    expect(reply.members[0].householdHead?.relation).toEqual({ code: 'CH01', name: 'Chủ hộ' });
    expect(reply.householdBookNumber).toBe(head.household.bookNumber);
  });

  it('reports deceased and missing citizens', async () => {
    const dead = population.citizens.find((x) => x.status === '2')!;
    const got = ((await call('XacMinhTinhTrangChetMatTich', lookup(dead))).body as CitizenReply)
      .citizen;
    expect(got.status).toEqual({ code: '2', name: 'Đã chết' });
    expect(got.statusDate).toBe(dead.statusDate);
    expect(got.ethnicity).toBeUndefined(); // not part of this operation's answer
  });

  it('an unknown citizen is LT_NPD_NOT_FOUND, not a fault', async () => {
    expect(
      await codeOf(
        call('TraCuuThongTinCongDan', { serviceCode: 'X', officer: 'o', idNumber: '001099000000' }),
      ),
    ).toBe('LT_NPD_NOT_FOUND');
    const c = population.citizens[0];
    expect(await codeOf(call('TraCuuThongTinCongDan', lookup(c, { birthDate: '19000101' })))).toBe(
      'LT_NPD_NOT_FOUND',
    );
  });

  it('refuses requests it cannot write', async () => {
    // The operation comes from the route: a wrong one is the configuration's fault (500), not the caller's.
    expect(await codeOf(call('XoaCongDan', lookup(population.citizens[0])))).toBe(
      'LT_CONFIG_INVALID',
    );
    // What must be present is the route's contract (test/e2e/npd-defaults.test.ts); the
    // adapter still refuses a value of the wrong type rather than write it.
    expect(
      await codeOf(
        call('TraCuuThongTinCongDan', { serviceCode: 'X', officer: 'o', idNumber: 26092008262 }),
      ),
    ).toBe('LT_CONTRACT_REQUEST');
  });
});

describe('NPD outbound, request defaults', () => {
  it('declares the endpoint’s serviceCode as a request default, and nothing without one', async () => {
    const withCode = npdOutbound({ ...base, serviceCode: 'G15-TP110' }, ctx(`${sim.url}/npd`));
    const without = npdOutbound({ ...base, serviceCode: undefined }, ctx(`${sim.url}/npd`));
    try {
      expect(withCode.requestDefaults?.('TraCuuThongTinCongDan')).toEqual({
        serviceCode: 'G15-TP110',
      });
      expect(without.requestDefaults?.('TraCuuThongTinCongDan')).toBeUndefined();
    } finally {
      await Promise.all([withCode.close(), without.close()]);
    }
  });
});

describe('NPD outbound, failures', () => {
  it('wrong C06 credentials: the simulator answers 401, the gateway LT_UPSTREAM_AUTH', async () => {
    const wrong = npdOutbound(
      { ...base, auth: { mode: 'c06', ...C06, secretKey: 'not-the-key', xRoadClient: 'x' } },
      ctx(`${sim.url}/npd`),
    );
    try {
      expect(
        await codeOf(call('TraCuuThongTinCongDan', lookup(population.citizens[0]), wrong)),
      ).toBe('LT_UPSTREAM_AUTH');
    } finally {
      await wrong.close();
    }
  });

  it('a SOAP fault is LT_UPSTREAM_FAULT, a 5xx LT_UPSTREAM_ERROR, a drop LT_UPSTREAM_UNREACHABLE', async () => {
    const c = population.citizens[0];
    try {
      await setFaults({ faultRate: 1 });
      const fault = await call('TraCuuThongTinCongDan', lookup(c)).catch((e: GatewayError) => e);
      expect(fault).toBeInstanceOf(GatewayError);
      expect((fault as GatewayError).code).toBe('LT_UPSTREAM_FAULT');
      // The faultstring is the provider's: logged (data.provider), never in the caller's detail.
      expect((fault as GatewayError).detail).not.toContain('mô phỏng');
      expect((fault as GatewayError).data?.provider).toContain('mô phỏng');
      await setFaults({ errorRate: 1 });
      expect(await codeOf(call('TraCuuThongTinCongDan', lookup(c)))).toBe('LT_UPSTREAM_ERROR');
      await setFaults({ dropRate: 1 });
      expect(await codeOf(call('TraCuuThongTinCongDan', lookup(c)))).toBe(
        'LT_UPSTREAM_UNREACHABLE',
      );
      await setFaults({ faultRate: 1, onlyFor: ['CungCapThongTinNhomMau'] });
      expect(
        ((await call('TraCuuThongTinCongDan', lookup(c))).body as CitizenReply).citizen.idNumber,
      ).toBe(c.idNumber);
    } finally {
      await setFaults({});
    }
  });

  it('latency is cut short by the abort signal (LT_UPSTREAM_TIMEOUT)', async () => {
    try {
      await setFaults({ latencyMs: 700 });
      const started = Date.now();
      const code = await codeOf(
        call(
          'TraCuuThongTinCongDan',
          lookup(population.citizens[0]),
          out,
          AbortSignal.timeout(100),
        ),
      );
      expect(code).toBe('LT_UPSTREAM_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(600);
    } finally {
      await setFaults({});
    }
  });

  it('a refused connection is LT_UPSTREAM_UNREACHABLE', async () => {
    const dead = npdOutbound(base, ctx('http://127.0.0.1:9/npd'));
    try {
      expect(
        await codeOf(call('TraCuuThongTinCongDan', lookup(population.citizens[0]), dead)),
      ).toBe('LT_UPSTREAM_UNREACHABLE');
    } finally {
      await dead.close();
    }
  });

  it.each([
    ['an HTML page', 200, 'text/html', '<html><body>Gateway maintenance<br></body></html>'],
    ['a DTD', 200, 'text/xml', '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'],
    ['JSON', 200, 'application/json', '{"ok":true}'],
    [
      'a verification answer to a lookup',
      200,
      'text/xml',
      `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body><d:KetQuaXacThucResponse xmlns:d="${NPD_REQUEST_NS}"><d:TonTai>true</d:TonTai></d:KetQuaXacThucResponse></s:Body></s:Envelope>`,
    ],
  ])('an unreadable reply (%s) is LT_UPSTREAM_BAD_REPLY', async (_name, status, type, body) => {
    const bad = await tinyServer((_req, _body, res) => {
      res.statusCode = status;
      res.setHeader('content-type', type);
      res.end(body);
    });
    const o = npdOutbound(base, ctx(bad.url));
    try {
      expect(await codeOf(call('TraCuuThongTinCongDan', lookup(population.citizens[0]), o))).toBe(
        'LT_UPSTREAM_BAD_REPLY',
      );
    } finally {
      await o.close();
      await bad.close();
    }
  });
});

describe('NPD outbound, the request on the wire', () => {
  it('writes the field order, escapes values, fills MaYeuCau and MaTichHop, uses the configured prefix', async () => {
    let seen = '';
    let headers: Record<string, unknown> = {};
    const capture = await tinyServer((req, body, res) => {
      seen = body;
      headers = req.headers;
      res.setHeader('content-type', 'text/xml');
      res.end(
        `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body><n:CongdanCollection xmlns:n="${NPD_RESPONSE_NS}"/></s:Body></s:Envelope>`,
      );
    });
    const o = npdOutbound(
      {
        ...base,
        prefix: 'qldc',
        c06Fields: { unitCode: 'H57', account: 'tk01', phone: '0912345678' },
      },
      ctx(capture.url),
    );
    try {
      const code = await codeOf(
        call(
          'TraCuuThongTinCongDan',
          {
            serviceCode: 'G15-TP110',
            officer: 'cb<01>',
            idNumber: '026092017345',
            fullName: 'Trần & <Lê>',
            birthDate: '1992',
          },
          o,
        ),
      );
      expect(code).toBe('LT_NPD_NOT_FOUND'); // empty CongdanCollection
    } finally {
      await o.close();
      await capture.close();
    }
    expect(headers.soapaction).toBe('""');
    expect(String(headers['content-type'])).toContain('text/xml');
    const op = parseXml(seen, { maxBytes: 1 << 16, maxDepth: 16 }).children[1].children[0];
    expect(op).toMatchObject({ ns: NPD_REQUEST_NS, name: 'TraCuuThongTinCongDan', prefix: 'qldc' });
    expect(op.children.map((k) => k.name)).toEqual([
      'MaYeuCau',
      'MaDVC',
      'MaTichHop',
      'MaCanBo',
      'MaDonVi',
      'TaiKhoan',
      'SoDienThoai',
      'SoDinhDanh',
      'HoVaTen',
      'NgayThangNamSinh',
    ]);
    expect(child(op, 'MaYeuCau')?.text).toBe('0190b1c2-0000-7000-8000-000000000001');
    expect(child(op, 'MaTichHop')?.text).toBe('037');
    expect(child(op, 'MaCanBo')?.text).toBe('cb<01>');
    expect(child(op, 'HoVaTen')?.text).toBe('Trần & <Lê>');
    expect(child(child(op, 'NgayThangNamSinh')!, 'Nam')?.text).toBe('1992');
    expect(seen).toContain('Trần &amp; &lt;Lê&gt;');
  });
});

describe('NPD outbound, pass-through XML', () => {
  const envelope = (c: SimCitizen | { idNumber: string }) =>
    Buffer.from(
      `<soapenv:Envelope xmlns:soapenv="${SOAP11_NS}" xmlns:qldc="${NPD_REQUEST_NS}"><soapenv:Header/><soapenv:Body>
  <qldc:TraCuuThongTinCongDan>
    <qldc:MaYeuCau>RANDOM101112123</qldc:MaYeuCau>
    <qldc:MaDVC>G15-TP110</qldc:MaDVC>
    <qldc:MaTichHop>037</qldc:MaTichHop>
    <qldc:MaCanBo>canbo01</qldc:MaCanBo>
    <qldc:SoDinhDanh>${c.idNumber} </qldc:SoDinhDanh>
  </qldc:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>`,
    );
  // As the SOAP facade hands it on: the Body's element parsed, the bytes kept.
  const passThrough = (raw: Buffer): Message => ({
    contentType: 'text/xml; charset=utf-8',
    operation: 'TraCuuThongTinCongDan',
    headers: {},
    body: parseSoapEnvelope(raw, { maxBytes: 1 << 20, maxDepth: 64 }).body,
    raw,
  });
  const soapExchange = () => ({ ...exchange(), channel: 'soap' as const });

  it('forwards the caller envelope with the endpoint auth and returns the provider bytes', async () => {
    const c = population.citizens[5];
    const ex = soapExchange();
    const reply = await out.send(passThrough(envelope(c)), ex, ex.signal);
    expect(reply.contentType).toBe('text/xml; charset=utf-8');
    expect(reply.raw?.toString('utf8')).toContain(`<ns1:SoDinhDanh>${c.idNumber}</ns1:SoDinhDanh>`);
    const env = reply.body as SoapEnvelope;
    expect(env.operation).toEqual({ ns: NPD_RESPONSE_NS, name: 'CongdanCollection' });
    expect(env.body.attrs.Id).toBe('RANDOM101112123');
  });

  // The verification names nobody, so its reply is forwarded unread (R7 cost).
  const verification = (c: SimCitizen): Message => {
    const raw = Buffer.from(
      `<soapenv:Envelope xmlns:soapenv="${SOAP11_NS}" xmlns:dan="${NPD_REQUEST_NS}"><soapenv:Body><dan:XacThucThongTinCongDanRequest><dan:MaYeuCau>R1</dan:MaYeuCau><dan:MaDichVu>G15-TP110</dan:MaDichVu><dan:MaCanBo>cb</dan:MaCanBo><dan:SoDinhDanh>${c.idNumber}</dan:SoDinhDanh><dan:SoCMND/><dan:HoVaTen>${c.fullName}</dan:HoVaTen></dan:XacThucThongTinCongDanRequest></soapenv:Body></soapenv:Envelope>`,
    );
    return { ...passThrough(raw), operation: 'XacThucThongTinCongDan' };
  };

  /** A provider answering `replies` in turn; `send` passes a lookup envelope (or `msg`) through to it. */
  async function withReplies(
    replies: (string | Buffer)[],
    use: (send: () => Promise<Message>) => Promise<void>,
    msg: () => Message = () => passThrough(envelope(population.citizens[0])),
  ): Promise<void> {
    let next = 0;
    const server = await tinyServer((_req, _body, res) => {
      res.setHeader('content-type', 'text/xml');
      res.end(replies[next++]);
    });
    const o = npdOutbound(base, ctx(server.url));
    const ex = soapExchange();
    try {
      await use(() => o.send(msg(), ex, ex.signal));
    } finally {
      await o.close();
      await server.close();
    }
  }

  it('parses a verification success only when its body is read; unreadable bytes are then LT_UPSTREAM_BAD_REPLY', async () => {
    const replies = [
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><d:KetQua',
      `\ufeff<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body><d:KetQuaXacThucResponse xmlns:d="${NPD_REQUEST_NS}"><d:TonTai>true</d:TonTai></d:KetQuaXacThucResponse></s:Body></s:Envelope>`,
    ];
    await withReplies(
      replies,
      async (send) => {
        const cut = await send();
        // The send succeeded: nothing parsed the bytes yet, and they are the provider's.
        expect(cut.raw?.toString()).toBe(replies[0]);
        expect(() => cut.body).toThrow(expect.objectContaining({ code: 'LT_UPSTREAM_BAD_REPLY' }));
        const bom = await send();
        expect((bom.body as SoapEnvelope).operation.name).toBe('KetQuaXacThucResponse');
        // A stage may replace the body.
        bom.body = { replaced: true };
        expect(bom.body).toEqual({ replaced: true });
      },
      () => verification(population.citizens[0]),
    );
  });

  it('reads a reply naming a person at send (its subject is checked): unreadable bytes are LT_UPSTREAM_BAD_REPLY there', async () => {
    const replies = [
      '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><n:Congdan',
    ];
    await withReplies(replies, async (send) => {
      expect(await codeOf(send())).toBe('LT_UPSTREAM_BAD_REPLY');
    });
  });

  it('parses at once what may be a fault or is not UTF-8', async () => {
    const replies = [
      // "Fault" in the bytes: parsed in send, so the fault is seen there.
      `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>x</faultstring></s:Fault></s:Body></s:Envelope>`,
      // UTF-16: a byte search for "Fault" would mean nothing, so it is parsed (and refused).
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from(`<s:Envelope xmlns:s="${SOAP11_NS}"/>`, 'utf16le'),
      ]),
    ];
    await withReplies(replies, async (send) => {
      expect(await codeOf(send())).toBe('LT_UPSTREAM_FAULT');
      expect(await codeOf(send())).toBe('LT_UPSTREAM_BAD_REPLY');
    });
  });

  it('passes an empty collection through untouched and turns faults into LT_UPSTREAM_FAULT', async () => {
    const ex = soapExchange();
    const reply = await out.send(
      passThrough(envelope({ idNumber: '001099000000' })),
      ex,
      ex.signal,
    );
    expect((reply.body as SoapEnvelope).body.children).toEqual([]);
    const bad = Buffer.from(
      envelope(population.citizens[0]).toString().replace('<qldc:MaDVC>G15-TP110</qldc:MaDVC>', ''),
    );
    expect(await codeOf(out.send(passThrough(bad), ex, ex.signal))).toBe('LT_UPSTREAM_FAULT');
  });
});

describe('NPD outbound, what may be forwarded as XML (a grant reaches one operation)', () => {
  const ns = NPD_REQUEST_NS;
  const lookupEl = (tag = 'TraCuuThongTinCongDan', elNs = ns) =>
    `<q:${tag} xmlns:q="${elNs}"><q:MaYeuCau>R-1</q:MaYeuCau><q:MaDVC>G15-TP110</q:MaDVC><q:MaCanBo>cb</q:MaCanBo><q:SoDinhDanh>026092017345</q:SoDinhDanh></q:${tag}>`;
  const callerEnvelope = (bodyXml: string) =>
    Buffer.from(
      `<soapenv:Envelope xmlns:soapenv="${SOAP11_NS}" xmlns:xrd="http://x-road.eu/xsd/xroad.xsd" xmlns:wsa="http://www.w3.org/2005/08/addressing"><soapenv:Header><xrd:client>VN/GOV/000.00.00.H99/OTHER</xrd:client><wsa:Action>CungCapThongTinHoGiaDinh</wsa:Action></soapenv:Header><soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`,
    );
  const xmlMessage = (raw: Buffer, contentType = 'text/xml; charset=utf-8'): Message => ({
    contentType,
    operation: 'TraCuuThongTinCongDan',
    headers: {},
    body: parseSoapEnvelope(raw, { maxBytes: 1 << 20, maxDepth: 64 }).body,
    raw,
  });

  /** A provider that records every request and answers an empty collection. */
  async function recording(
    use: (
      o: ReturnType<typeof npdOutbound>,
      seen: { body: string; headers: any }[],
    ) => Promise<void>,
  ) {
    const seen: { body: string; headers: any }[] = [];
    const server = await tinyServer((req, body, res) => {
      seen.push({ body, headers: req.headers });
      res.setHeader('content-type', 'text/xml');
      res.end(
        `<s:Envelope xmlns:s="${SOAP11_NS}"><s:Body><n:CongdanCollection xmlns:n="${NPD_RESPONSE_NS}"/></s:Body></s:Envelope>`,
      );
    });
    const o = npdOutbound(
      { ...base, auth: { mode: 'c06', ...C06, xRoadClient: 'VN/GOV/000.00.00.H57/LIENTHONG' } },
      ctx(server.url),
    );
    try {
      await use(o, seen);
    } finally {
      await o.close();
      await server.close();
    }
  }
  const soapEx = () => ({ ...exchange(), channel: 'soap' as const });

  it("sends the caller's Body element in the gateway's own envelope: no xrd:client, no wsa:Action of the caller", async () => {
    await recording(async (o, seen) => {
      const ex = soapEx();
      await o.send(xmlMessage(callerEnvelope(lookupEl())), ex, ex.signal);
      expect(seen).toHaveLength(1);
      const sent = parseSoapEnvelope(seen[0].body, { maxBytes: 1 << 20, maxDepth: 64 });
      // The gateway's envelope: an empty Header, whatever the caller's said.
      expect(sent.header?.children).toEqual([]);
      expect(seen[0].body).not.toContain('x-road.eu');
      expect(seen[0].body).not.toContain('addressing');
      expect(seen[0].body).not.toContain('H99');
      expect(sent.operation).toEqual({ ns, name: 'TraCuuThongTinCongDan' });
      expect(child(sent.body, 'SoDinhDanh', ns)?.text).toBe('026092017345');
      // Who calls is the endpoint's own header.
      expect(seen[0].headers['x-road-client']).toBe('VN/GOV/000.00.00.H57/LIENTHONG');
    });
  });

  it.each([
    ['another operation’s element', lookupEl('CungCapThongTinHoGiaDinh')],
    ['the element in another namespace', lookupEl('TraCuuThongTinCongDan', 'urn:other')],
  ])('refuses %s with LT_SOAP_OPERATION_MISMATCH, sending nothing', async (_n, bodyXml) => {
    await recording(async (o, seen) => {
      const ex = soapEx();
      expect(await codeOf(o.send(xmlMessage(callerEnvelope(bodyXml)), ex, ex.signal))).toBe(
        'LT_SOAP_OPERATION_MISMATCH',
      );
      expect(seen).toHaveLength(0);
    });
  });

  it.each([
    ['no parsed element', null],
    ['a name without children', { ns, name: 'TraCuuThongTinCongDan' }],
    ['a string', 'TraCuuThongTinCongDan'],
  ])('refuses an XML message with %s as its body, sending nothing', async (_n, body) => {
    await recording(async (o, seen) => {
      const ex = soapEx();
      const msg = { ...xmlMessage(callerEnvelope(lookupEl())), body };
      expect(await codeOf(o.send(msg, ex, ex.signal))).toBe('LT_SOAP_OPERATION_MISMATCH');
      expect(seen).toHaveLength(0);
    });
  });

  it('forwards no XML from a route that is not the SOAP facade (the household SOAP body on the JSON lookup)', async () => {
    await recording(async (o, seen) => {
      const ex = exchange(); // channel http
      const msg = xmlMessage(callerEnvelope(lookupEl()), 'text/xml');
      expect(await codeOf(o.send(msg, ex, ex.signal))).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
      expect(seen).toHaveLength(0);
    });
  });

  it('reads the media type case-insensitively, by its essence, once for the whole adapter', async () => {
    await recording(async (o, seen) => {
      const ex = exchange();
      // JSON whatever the case, and a parameter mentioning xml does not make it XML.
      for (const ct of ['Application/JSON', 'application/json; profile="text/xml"']) {
        const msg = {
          ...jsonRequest('TraCuuThongTinCongDan', lookup(population.citizens[0])),
          contentType: ct,
        };
        expect(await codeOf(o.send(msg, ex, ex.signal))).toBe('LT_NPD_NOT_FOUND');
      }
      const sx = soapEx();
      await o.send(
        xmlMessage(callerEnvelope(lookupEl()), 'TEXT/XML; Charset=UTF-8'),
        sx,
        sx.signal,
      );
      expect(seen).toHaveLength(3);
      const other = { ...jsonRequest('TraCuuThongTinCongDan', {}), contentType: 'text/plain' };
      expect(await codeOf(o.send(other, ex, ex.signal))).toBe('LT_UNSUPPORTED_MEDIA_TYPE');
      expect(seen).toHaveLength(3);
    });
  });

  it('encode sets raw to exactly the bytes then sent, and only the gateway’s signature travels', async () => {
    await recording(async (o, seen) => {
      const ex = soapEx();
      const request = xmlMessage(callerEnvelope(lookupEl()));
      request.headers = { 'x-jws-signature': 'the-callers' };
      ex.request = request;
      // The caller's own headers (its signature included) never go on.
      await o.send(request, ex, ex.signal);
      expect(seen[0].headers['x-jws-signature']).toBeUndefined();
      // sign-outbound: a copy for the provider, encoded, then signed over raw.
      const outbound: Message = { ...request, headers: {} };
      o.encode!(outbound, ex);
      expect(outbound.raw?.toString('utf8')).not.toContain('x-road.eu');
      outbound.headers['x-jws-signature'] = 'the-gateways';
      await o.send(outbound, ex, ex.signal);
      expect(seen[1].body).toBe(outbound.raw!.toString('utf8'));
      expect(seen[1].headers['x-jws-signature']).toBe('the-gateways');
      // A JSON request too: raw becomes the SOAP request that is sent.
      const json = jsonRequest('TraCuuThongTinCongDan', lookup(population.citizens[0]));
      const jex = exchange();
      o.encode!(json, jex);
      expect(await codeOf(o.send(json, jex, jex.signal))).toBe('LT_NPD_NOT_FOUND');
      expect(seen[2].body).toBe(json.raw!.toString('utf8'));
    });
  });
});
