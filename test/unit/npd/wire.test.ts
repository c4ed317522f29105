import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutboundContext } from '../../../src/adapter/spec.js';
import { loadCatalogs } from '../../../src/catalogs/index.js';
import { ContractRegistry } from '../../../src/validation/contracts.js';
import {
  child,
  compileXsd,
  parseSoapEnvelope,
  parseXml,
  type CompiledXsd,
} from '../../../src/xml/index.js';
import type { CitizenReply, HouseholdReply } from '../../../adapters/npd/canonical.js';
import { NPD_OPERATIONS, NPD_REQUEST_NS } from '../../../adapters/npd/constants.js';
import {
  NpdEndpointSchema,
  npdOutbound,
  type NpdEndpoint,
} from '../../../adapters/npd/outbound.js';
import { generatePopulation, recordId } from '../../../adapters/npd/population.js';
import { createRequestWriter } from '../../../adapters/npd/request.js';
import { createReplyReader } from '../../../adapters/npd/response.js';
import { checkSubject } from '../../../adapters/npd/subject.js';
import { createCollectionWriter } from '../../../adapters/npd/sim-response.js';
import { startNpdSimulator, type NpdSimulator } from '../../../adapters/npd/simulator.js';
import { checkSchema } from '../../../src/config/validate.js';
import { codeOf, gatewayError } from '../../helpers/errors.js';
import { sampleReply } from '../xml/helpers.js';
import { exchange, jsonRequest, tinyServer } from './helpers.js';

// The NPD as the real wire shows it (DOMAIN.md §2, "What real traffic looks like"; issue 17).

const CONTRACTS = fileURLToPath(new URL('../../../contracts', import.meta.url));
const LIMITS = { maxBytes: 1 << 20, maxDepth: 64 };
const population = generatePopulation({ seed: 17, size: 400 });
const ctx = (url: string, extra: Partial<OutboundContext> = {}): OutboundContext => ({
  name: 'npd',
  url,
  log: undefined as never,
  ...extra,
});
const base: NpdEndpoint = {
  prefix: 'dan',
  nameForm: 'as-is',
  connections: 4,
  maxReplyBytes: 1 << 20,
  maxDepth: 64,
  maxNodes: 100000,
};

let xsd: CompiledXsd;
let sim: NpdSimulator;
beforeAll(async () => {
  xsd = compileXsd(`${CONTRACTS}/npd/envelope.xsd`);
  sim = await startNpdSimulator({ population });
});
afterAll(async () => {
  xsd.dispose();
  await sim.close();
});

const env = (body: string, decl = 'xmlns:dan="http://dancuquocgia.bca"') =>
  `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ${decl}><soapenv:Header/><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

/** The court system's CallApi037 template: the C06 fields right after MaCanBo, SoDienThoai 0. */
const c06Direct = (p: string, id: string) =>
  `<${p}:TraCuuThongTinCongDan><${p}:MaYeuCau>RANDOM101112123</${p}:MaYeuCau><${p}:MaDVC>G15-TP110</${p}:MaDVC><${p}:MaTichHop>037</${p}:MaTichHop><${p}:MaCanBo>canbo01</${p}:MaCanBo><${p}:MaDonVi>H57</${p}:MaDonVi><${p}:TaiKhoan>tk01</${p}:TaiKhoan><${p}:SoDienThoai>0</${p}:SoDienThoai><${p}:SoDinhDanh>${id} </${p}:SoDinhDanh><${p}:HoVaTen>NGUYEN VAN AN</${p}:HoVaTen><${p}:NgayThangNamSinh><${p}:NgayThangNam>19921122</${p}:NgayThangNam></${p}:NgayThangNamSinh></${p}:TraCuuThongTinCongDan>`;

describe('the request contract accepts what real clients send (npd-request.xsd)', () => {
  it('the C06 direct request: MaDonVi, TaiKhoan, SoDienThoai 0 right after MaCanBo', () => {
    xsd.validate(env(c06Direct('dan', '026092008262')), 'LT_CONTRACT_REQUEST');
  });

  it('the compact one-line form with another prefix, declared on the Body element', () => {
    const compact = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${c06Direct('ns2', '026092008262').replace('<ns2:TraCuuThongTinCongDan>', '<ns2:TraCuuThongTinCongDan xmlns:ns2="http://dancuquocgia.bca" xmlns:unused="urn:x">')}</soapenv:Body></soapenv:Envelope>`;
    expect(compact).not.toContain('\n');
    xsd.validate(compact, 'LT_CONTRACT_REQUEST');
  });

  it('refuses the C06 fields after the birth date (where the gateway used to write them)', () => {
    const old = c06Direct('dan', '026092008262')
      .replace(
        '<dan:MaDonVi>H57</dan:MaDonVi><dan:TaiKhoan>tk01</dan:TaiKhoan><dan:SoDienThoai>0</dan:SoDienThoai>',
        '',
      )
      .replace('</dan:NgayThangNamSinh>', '</dan:NgayThangNamSinh><dan:MaDonVi>H57</dan:MaDonVi>');
    const err = gatewayError(() => xsd.validate(env(old), 'LT_CONTRACT_REQUEST'));
    expect(err.code).toBe('LT_CONTRACT_REQUEST');
    expect(err.detail).toContain('MaDonVi');
  });

  it('refuses a verification carrying MaTichHop, as the service’s own schema does', () => {
    const verify = (extra: string) =>
      env(
        `<dan:XacThucThongTinCongDanRequest><dan:MaYeuCau>R1</dan:MaYeuCau><dan:MaDichVu>G15-TP110</dan:MaDichVu>${extra}<dan:MaCanBo>cb</dan:MaCanBo><dan:SoDinhDanh>026092008262</dan:SoDinhDanh><dan:SoCMND/><dan:HoVaTen>A</dan:HoVaTen></dan:XacThucThongTinCongDanRequest>`,
      );
    xsd.validate(verify(''), 'LT_CONTRACT_REQUEST');
    const err = gatewayError(() =>
      xsd.validate(verify('<dan:MaTichHop>003</dan:MaTichHop>'), 'LT_CONTRACT_REQUEST'),
    );
    expect(err.code).toBe('LT_CONTRACT_REQUEST');
    expect(err.detail).toContain('MaTichHop');
  });
});

describe('the reply contract passes what the real service answers (npd-response.xsd)', () => {
  const relative = (tag: string, id: string) =>
    `<ns1:${tag}><ns1:HoVaTen>Nguyễn Văn Bình</ns1:HoVaTen><ns1:QuocTich/><ns1:SoDinhDanh>${id}</ns1:SoDinhDanh><ns1:SoCMND>${id.slice(0, 6)}</ns1:SoCMND></ns1:${tag}>`;
  const withRelatives = (ids: string[]) =>
    sampleReply().replace(
      /<ns1:Cha>.*<\/ns1:Cha>/,
      ['Cha', 'Me', 'VoChong', 'NguoiDaiDien'].map((t, i) => relative(t, ids[i]!)).join(''),
    );

  it.each([
    ['6, 8, 9 and 12 digits', ['123456', '12345678', '123456789', '026092008262']],
    ['empty', ['', '', '', '']],
  ])('relatives’ identity numbers of any length: %s', (_what, ids) => {
    const reply = withRelatives(ids);
    expect(reply).toContain(`<ns1:SoDinhDanh>${ids[0]}</ns1:SoDinhDanh>`);
    xsd.validate(reply, 'LT_CONTRACT_RESPONSE');
  });

  it('the head of household’s number from an old register too (DOMAIN.md is silent on ChuHo)', () => {
    const reply = sampleReply().replace(
      '<ns1:ChuHo><ns1:QuanHe>CH01</ns1:QuanHe><ns1:SoDinhDanh>026092017345</ns1:SoDinhDanh>',
      '<ns1:ChuHo><ns1:QuanHe>CH01</ns1:QuanHe><ns1:SoDinhDanh>20417788</ns1:SoDinhDanh>',
    );
    xsd.validate(reply, 'LT_CONTRACT_RESPONSE');
  });

  it('stays strict on the citizen’s own SoDinhDanh (12 digits) and on non-digits in a relative’s', () => {
    const own = sampleReply().replace(
      '<ns1:SoDinhDanh>026092017345</ns1:SoDinhDanh>',
      '<ns1:SoDinhDanh>123456789</ns1:SoDinhDanh>',
    );
    expect(gatewayError(() => xsd.validate(own, 'LT_CONTRACT_RESPONSE')).code).toBe(
      'LT_CONTRACT_RESPONSE',
    );
    const letters = withRelatives(['12AB56', '', '', '']);
    expect(gatewayError(() => xsd.validate(letters, 'LT_CONTRACT_RESPONSE')).code).toBe(
      'LT_CONTRACT_RESPONSE',
    );
  });

  it('the simulator’s replies carry relatives’ numbers of several lengths, and they validate', () => {
    const lengths = new Set<number>();
    for (const c of population.citizens)
      for (const p of [c.father, c.mother, c.spouse, c.representative])
        if (p) lengths.add(p.idNumber.length);
    expect([...lengths].sort((a, b) => a - b)).toEqual([0, 6, 8, 9, 12]);
    const write = createCollectionWriter();
    xsd.validate(
      write('TraCuuThongTinCongDan', population.citizens.slice(0, 60), { id: 'r', asOf: 'x' }),
      'LT_CONTRACT_RESPONSE',
    );
  });

  it('recordId keeps a number’s tail: 12, 9, 8 or 6 digits by its last digit', () => {
    expect(recordId('026092008260')).toBe('026092008260');
    expect(recordId('026092008266')).toBe('092008266');
    expect(recordId('026092008268')).toBe('92008268');
    expect(recordId('026092008269')).toBe('008269');
  });
});

describe('the canonical reply (JSON facade)', () => {
  const reader = createReplyReader(loadCatalogs());
  const read = (xml: string, asked?: { idNumber: string; oldIdNumber: string }) =>
    reader.read('TraCuuThongTinCongDan', parseSoapEnvelope(xml, LIMITS), 'r1', asked);

  it('keeps both Nam and NgayThangNam when the reply has both, even when they disagree', () => {
    const both = read(sampleReply().replace('<ns1:Nam>1992</ns1:Nam>', '<ns1:Nam>1991</ns1:Nam>'));
    expect((both as CitizenReply).citizen).toMatchObject({
      birthDate: '19921122',
      birthYear: '1991',
    });
    const yearOnly = read(
      sampleReply().replace('<ns1:NgayThangNam>19921122</ns1:NgayThangNam>', ''),
    ) as CitizenReply;
    expect(yearOnly.citizen).toMatchObject({ birthDate: '1992', birthYear: '1992' });
    const dayOnly = read(sampleReply().replace('<ns1:Nam>1992</ns1:Nam>', '')) as CitizenReply;
    expect(dayOnly.citizen.birthDate).toBe('19921122');
    expect('birthYear' in dayOnly.citizen).toBe(false);
    // and the reply contract admits it
    new ContractRegistry(CONTRACTS)
      .get('npd/TraCuuThongTinCongDan')
      .validateResponse({ contentType: 'application/json', headers: {}, body: both });
  });

  it('passes a record whose elements are empty, through the XSD and the JSON contract', () => {
    const empties = sampleReply()
      .replace(
        /<ns1:(GioiTinh|DanToc|TonGiao|TinhTrangHonNhan|NhomMau)>[^<]*<\/ns1:\1>/g,
        '<ns1:$1/>',
      )
      .replace(/<ns1:HoVaTen><ns1:Ho\/>.*?<\/ns1:HoVaTen>/, '<ns1:HoVaTen/>')
      .replace(/<ns1:NgayThangNamSinh>.*?<\/ns1:NgayThangNamSinh>/, '<ns1:NgayThangNamSinh/>')
      .replace(/<ns1:NoiDangKyKhaiSinh>.*?<\/ns1:NoiDangKyKhaiSinh>/, '<ns1:NoiDangKyKhaiSinh/>');
    expect(empties).toContain('<ns1:GioiTinh/>');
    expect(empties).toContain('<ns1:NgayThangNamSinh/>');
    xsd.validate(empties, 'LT_CONTRACT_RESPONSE');
    const reply = read(empties, { idNumber: '026092017345', oldIdNumber: '' }) as CitizenReply;
    expect(reply.citizen).toMatchObject({
      sex: null,
      ethnicity: null,
      fullName: '',
      birthDate: null,
      birthRegistration: null,
      nationality: null,
    });
    new ContractRegistry(CONTRACTS)
      .get('npd/TraCuuThongTinCongDan')
      .validateResponse({ contentType: 'application/json', headers: {}, body: reply });
  });

  it('passes relatives’ numbers of any length and plain-text names as they are', () => {
    const reply = read(
      sampleReply().replace(
        '<ns1:SoDinhDanh/><ns1:SoCMND/></ns1:Cha>',
        '<ns1:SoDinhDanh>20417788</ns1:SoDinhDanh><ns1:SoCMND>135000</ns1:SoCMND></ns1:Cha>',
      ),
    ) as CitizenReply;
    expect(reply.citizen.father).toEqual({
      fullName: 'Nguyễn Văn Bình',
      idNumber: '20417788',
      oldIdNumber: '135000',
      nationality: { code: 'VN', name: 'Việt Nam' },
    });
  });

  it('refuses a reply about another person with LT_NPD_OTHER_PERSON, blaming the provider', () => {
    const err = gatewayError(() =>
      read(sampleReply(), { idNumber: '026092008262', oldIdNumber: '' }),
    );
    expect(err.code).toBe('LT_NPD_OTHER_PERSON');
    expect(err.spec.blame).toBe('provider');
    // What is logged names the ids by their last digits only.
    expect(err.data?.provider).toBe('asked SoDinhDanh …262, answered …345');
    expect(JSON.stringify(err.data)).not.toContain('026092017345');
    // The same reply about the person asked for (a trailing space in the reply is not a difference).
    const same = sampleReply().replace('026092017345<', '026092017345 <');
    expect(
      (read(same, { idNumber: '026092017345', oldIdNumber: '' }) as CitizenReply).citizen.idNumber,
    ).toBe('026092017345');
  });

  it('compares SoCMND when the request asked by SoCMND only; an empty reply id is a difference', () => {
    const byOld = sampleReply().replace('<ns1:SoCMND/>', '<ns1:SoCMND>135123456</ns1:SoCMND>');
    expect(read(byOld, { idNumber: '', oldIdNumber: '135123456' })).toHaveProperty('citizen');
    expect(gatewayError(() => read(byOld, { idNumber: '', oldIdNumber: '135999999' })).code).toBe(
      'LT_NPD_OTHER_PERSON',
    );
    const noId = sampleReply().replace(
      '<ns1:SoDinhDanh>026092017345</ns1:SoDinhDanh>',
      '<ns1:SoDinhDanh/>',
    );
    expect(gatewayError(() => read(noId, { idNumber: '026092017345', oldIdNumber: '' })).code).toBe(
      'LT_NPD_OTHER_PERSON',
    );
  });

  it('checks a reply in another namespace all the same (the pass-through forwards what its XSD may only log)', () => {
    const other = sampleReply().replace('http://www.mic.gov.vn/dancu/1.0', 'urn:other');
    const envl = parseSoapEnvelope(other, LIMITS);
    expect(() =>
      checkSubject(
        'TraCuuThongTinCongDan',
        envl.body,
        { idNumber: '026092017345', oldIdNumber: '' },
        'npd',
      ),
    ).not.toThrow();
    expect(
      gatewayError(() =>
        checkSubject(
          'TraCuuThongTinCongDan',
          envl.body,
          { idNumber: '026092008262', oldIdNumber: '' },
          'npd',
        ),
      ).code,
    ).toBe('LT_NPD_OTHER_PERSON');
  });

  it('refuses a lookup reply with a second CongDan about someone else', () => {
    const two = sampleReply().replace(
      '</ns1:CongDan>',
      '</ns1:CongDan><ns1:CongDan><ns1:SoDinhDanh>001099000001</ns1:SoDinhDanh></ns1:CongDan>',
    );
    expect(gatewayError(() => read(two, { idNumber: '026092017345', oldIdNumber: '' })).code).toBe(
      'LT_NPD_OTHER_PERSON',
    );
  });

  it('a household must include the person asked for; an empty collection is still not found', () => {
    const write = createCollectionWriter();
    const head = population.citizens[0]!;
    const members = population.households.get(head.household.bookNumber)!;
    const xml = write('CungCapThongTinHoGiaDinh', members, { id: 'r', asOf: 'x' });
    const asked = (id: string) => ({ idNumber: id, oldIdNumber: '' });
    const member = members[members.length - 1]!;
    const ok = reader.read(
      'CungCapThongTinHoGiaDinh',
      parseSoapEnvelope(xml, LIMITS),
      'r',
      asked(member.idNumber),
    ) as HouseholdReply;
    expect(ok.members.length).toBe(members.length);
    const stranger = population.citizens.find(
      (c) => c.household.bookNumber !== head.household.bookNumber,
    )!;
    expect(
      gatewayError(() =>
        reader.read(
          'CungCapThongTinHoGiaDinh',
          parseSoapEnvelope(xml, LIMITS),
          'r',
          asked(stranger.idNumber),
        ),
      ).code,
    ).toBe('LT_NPD_OTHER_PERSON');
    const empty = write('TraCuuThongTinCongDan', [], { id: 'r', asOf: 'x' });
    expect(gatewayError(() => read(empty, asked(stranger.idNumber))).code).toBe('LT_NPD_NOT_FOUND');
  });
});

describe('the gateway’s own requests match the service', () => {
  const write = createRequestWriter({ prefix: 'dan' });
  const names = (xml: string) =>
    parseXml(xml, LIMITS).children[1]!.children[0]!.children.map((k) => k.name);

  it('the verification carries no MaTichHop, whatever the canonical request says', () => {
    const xml = write('XacThucThongTinCongDan', {
      requestId: 'r',
      serviceCode: 'G15-TP110',
      integrationCode: '003',
      officer: 'cb',
      idNumber: '026092008262',
    });
    expect(names(xml)).toEqual([
      'MaYeuCau',
      'MaDichVu',
      'MaCanBo',
      'SoDinhDanh',
      'SoCMND',
      'HoVaTen',
    ]);
    xsd.validate(xml, 'LT_CONTRACT_REQUEST');
  });

  it('the verification’s JSON contract and the endpoint options have no integration code for it', () => {
    const registry = new ContractRegistry(CONTRACTS);
    const body = { serviceCode: 'G15-TP110', officer: 'cb', idNumber: '026092008262' };
    const msg = (b: object) => ({ contentType: 'application/json', headers: {}, body: b });
    registry.get('npd/XacThucThongTinCongDan').validateRequest(msg(body));
    expect(
      gatewayError(() =>
        registry
          .get('npd/XacThucThongTinCongDan')
          .validateRequest(msg({ ...body, integrationCode: '003' })),
      ).code,
    ).toBe('LT_CONTRACT_REQUEST');
    registry
      .get('npd/TraCuuThongTinCongDan')
      .validateRequest(msg({ ...body, integrationCode: '037' }));
    const opts = (codes: object) => checkSchema(NpdEndpointSchema, { integrationCodes: codes }).ok;
    expect(opts({ TraCuuThongTinCongDan: '037' })).toBe(true);
    expect(opts({ XacThucThongTinCongDan: '003' })).toBe(false);
  });

  it('sends the C06 fields right after MaCanBo, SoDienThoai 0 without a phone, each request valid under the contract', async () => {
    let seen = '';
    const capture = await tinyServer((_req, body, res) => {
      seen = body;
      res.setHeader('content-type', 'text/xml');
      res.end(createCollectionWriter()('TraCuuThongTinCongDan', [], { id: 'r', asOf: 'x' }));
    });
    const o = npdOutbound(
      { ...base, c06Fields: { unitCode: 'H57', account: 'tk01' } },
      ctx(capture.url),
    );
    try {
      for (const op of NPD_OPERATIONS) {
        const ex = exchange();
        await o
          .send(
            jsonRequest(op, { serviceCode: 'G15-TP110', officer: 'cb', idNumber: '026092008262' }),
            ex,
            ex.signal,
          )
          .catch(() => undefined);
        const order = names(seen);
        const at = order.indexOf('MaCanBo');
        expect(order.slice(at, at + 5)).toEqual([
          'MaCanBo',
          'MaDonVi',
          'TaiKhoan',
          'SoDienThoai',
          'SoDinhDanh',
        ]);
        const el = parseXml(seen, LIMITS).children[1]!.children[0]!;
        expect(child(el, 'SoDienThoai', NPD_REQUEST_NS)?.text).toBe('0');
        xsd.validate(seen, 'LT_CONTRACT_REQUEST');
      }
    } finally {
      await o.close();
      await capture.close();
    }
  });
});

describe('the NPD outbound uses the gateway’s catalogs (operator overrides)', () => {
  it('names codes from the catalogs it is given, not the built-in ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npd-catalogs-'));
    try {
      const c = population.citizens.find((p) => p.religion !== '00')!;
      writeFileSync(
        join(dir, 'religion.json'),
        JSON.stringify({
          replace: true,
          entries: [
            { code: '00', vi: 'Không (danh mục của đơn vị)' },
            { code: c.religion, vi: 'Tôn giáo theo danh mục của đơn vị' },
          ],
        }),
      );
      const catalogs = loadCatalogs({ overridesDir: dir });
      const o = npdOutbound(base, ctx(`${sim.url}/npd`, { catalogs }));
      const builtin = npdOutbound(base, ctx(`${sim.url}/npd`));
      try {
        const ask = async (out: typeof o) => {
          const ex = exchange();
          const r = await out.send(
            jsonRequest('TraCuuThongTinCongDan', {
              serviceCode: 'G15-TP110',
              officer: 'cb',
              idNumber: c.idNumber,
            }),
            ex,
            ex.signal,
          );
          return (r.body as CitizenReply).citizen.religion;
        };
        expect(await ask(o)).toEqual({
          code: c.religion,
          name: 'Tôn giáo theo danh mục của đơn vị',
        });
        expect((await ask(builtin))?.name).not.toBe('Tôn giáo theo danh mục của đơn vị');
      } finally {
        await o.close();
        await builtin.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the simulator answers about another person under its otherPersonRate', () => {
  it('answers another citizen, and the outbound refuses it (JSON and pass-through)', async () => {
    const s = await startNpdSimulator({ population, options: { otherPersonRate: 1 } });
    const o = npdOutbound(base, ctx(`${s.url}/npd`));
    try {
      const c = population.citizens[3]!;
      const ex = exchange();
      const p = o.send(
        jsonRequest('TraCuuThongTinCongDan', {
          serviceCode: 'S',
          officer: 'cb',
          idNumber: c.idNumber,
        }),
        ex,
        ex.signal,
      );
      expect(await codeOf(p)).toBe('LT_NPD_OTHER_PERSON');
      const raw = Buffer.from(
        env(
          c06Direct('dan', c.idNumber).replace(
            '<dan:HoVaTen>NGUYEN VAN AN</dan:HoVaTen><dan:NgayThangNamSinh><dan:NgayThangNam>19921122</dan:NgayThangNam></dan:NgayThangNamSinh>',
            '',
          ),
        ),
      );
      const soapEx = { ...exchange(), channel: 'soap' as const };
      const msg = {
        contentType: 'text/xml; charset=utf-8',
        operation: 'TraCuuThongTinCongDan',
        headers: {},
        body: parseSoapEnvelope(raw, LIMITS).body,
        raw,
      };
      expect(await codeOf(o.send(msg, soapEx, soapEx.signal))).toBe('LT_NPD_OTHER_PERSON');
      // The verification names nobody: the fault leaves its answer alone.
      const v = await o.send(
        jsonRequest('XacThucThongTinCongDan', {
          serviceCode: 'S',
          officer: 'cb',
          idNumber: c.idNumber,
        }),
        ex,
        ex.signal,
      );
      expect(v.body).toMatchObject({ exists: true });
      // Without the fault the same pass-through is answered about the citizen asked for.
      // Its run-time control: read, refuse what is not a share, set.
      const control = (body?: string) =>
        fetch(`${s.url}/__sim/other-person`, body === undefined ? {} : { method: 'POST', body });
      expect(await (await control()).json()).toEqual({ rate: 1 });
      for (const bad of ['{"rate":2}', '{"rate":"1"}', 'not json', '{}'])
        expect((await control(bad)).status).toBe(400);
      expect(await (await control('{"rate":0}')).json()).toEqual({ rate: 0 });
      expect(s.otherPersonRate).toBe(0);
      const ok = await o.send(msg, soapEx, soapEx.signal);
      expect(ok.raw?.toString()).toContain(`<ns1:SoDinhDanh>${c.idNumber}</ns1:SoDinhDanh>`);
    } finally {
      await o.close();
      await s.close();
    }
  });
});
