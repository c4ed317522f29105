import { describe, expect, it } from '@jest/globals';
import { loadCatalogs } from '../../../src/catalogs/index.js';
import type { Exchange } from '../../../src/message/index.js';
import type { PipelineDeps } from '../../../src/pipeline/deps.js';
import { checkCodes } from '../../../src/pipeline/stages/check-codes.js';
import { parseSoapEnvelope, SOAP11_NS } from '../../../src/xml/index.js';
import { gatewayError } from '../../helpers/errors.js';
import { routeDef } from '../../helpers/route.js';

// R2: codes in a request are checked against the shared catalogs before anything is sent.
const catalogs = loadCatalogs();
const deps = { catalogs } as unknown as PipelineDeps;

const route = (codes?: Record<string, string>) => routeDef({ codes });

function run(codes: Record<string, string>, body: unknown, contentType = 'application/json') {
  const stage = checkCodes.create(route(codes), deps)!;
  return () =>
    stage({
      request: { body, contentType, headers: {} },
    } as unknown as Exchange);
}

const codes = {
  '/address/provinceCode': 'province',
  '/address/communeCode': 'commune',
  '/sex': 'sex',
  '/idNumber': 'cccd',
};

describe('check-codes stage', () => {
  it('accepts the pre-2025 district an NPD record carries (MaQuanHuyen 252)', () => {
    const saw = run(
      { '/address/districtCode': 'district' },
      { address: { districtCode: '252' } },
    )();
    expect(saw).toEqual({ checked: ['/address/districtCode: district'] });
  });

  it('is not part of a route without codes', () => {
    expect(checkCodes.create(route(), deps)).toBeNull();
  });

  it('passes known codes and reports what it checked', () => {
    const saw = run(codes, { address: { provinceCode: '01', communeCode: '00004' }, sex: '2' })();
    expect(saw).toEqual({
      checked: ['/address/provinceCode: province', '/address/communeCode: commune', '/sex: sex'],
    });
  });

  it.each([
    [
      { address: { provinceCode: '99' } },
      '/address/provinceCode',
      '"99" is not in the province catalog',
    ],
    [{ address: { provinceCode: '01', communeCode: '1' } }, '/address/communeCode', 'commune'],
    [{ sex: '5' }, '/sex', 'sex'],
    [{ sex: 1 }, '/sex', 'codes are strings'],
  ])('refuses %j with LT_CATALOG_UNKNOWN_CODE', (body, path, text) => {
    const err = gatewayError(run(codes, body));
    expect(err.code).toBe('LT_CATALOG_UNKNOWN_CODE');
    expect(err.detail).toContain(path);
    expect(err.detail).toContain(text);
  });

  it('checks a CCCD against the sibling birth date and sex', () => {
    const ok = { idNumber: '052180091442', birthDate: '19800128', sex: '2' };
    expect(run(codes, ok)()).toEqual({ checked: ['/sex: sex', '/idNumber: cccd'] });
    const err = gatewayError(run(codes, { ...ok, sex: '1' }));
    expect(err.code).toBe('LT_CCCD_INVALID');
    expect(err.detail).toContain('sex');
  });
});

describe('check-codes on a body that is not the shape its pointers walk', () => {
  it.each([
    ['an array', [{ idNumber: '999092008262' }]],
    ['a string', '999092008262'],
    ['null', null],
    ['raw bytes', Buffer.from('{"idNumber":"999092008262"}')],
    ['a number', 999092008262],
  ])('refuses %s on a JSON route with codes as a contract error, never a pass', (_n, body) => {
    expect(gatewayError(run({ '/idNumber': 'cccd' }, body)).code).toBe('LT_CONTRACT_REQUEST');
  });

  it('refuses a value in the way that is not an object; an absent one is an absent field', () => {
    expect(gatewayError(run(codes, { address: 'Hà Nội' })).code).toBe('LT_CONTRACT_REQUEST');
    expect(gatewayError(run(codes, { address: ['01'] })).code).toBe('LT_CONTRACT_REQUEST');
    expect(run(codes, { address: null })()).toEqual({ checked: [] });
    expect(run(codes, {})()).toEqual({ checked: [] });
  });

  it('skips an empty or null field (an optional one not given)', () => {
    for (const idNumber of ['', null]) expect(run(codes, { idNumber })()).toEqual({ checked: [] });
  });

  it('refuses a personal id written as a number (not read through String())', () => {
    const err = gatewayError(run({ '/idNumber': 'cccd' }, { idNumber: 52180091442 }));
    expect(err.code).toBe('LT_CCCD_INVALID');
  });

  it.each([
    ['Arabic-Indic', '\u0660\u0665\u0662\u0661\u0668\u0660\u0660\u0669\u0661\u0664\u0664\u0662'],
    ['fullwidth', '\uff10\uff15\uff12\uff11\uff18\uff10\uff10\uff19\uff11\uff14\uff14\uff12'],
    ['mixed', '05218009144\u0662'],
  ])('refuses %s digits in a CCCD (digits are ASCII 0-9)', (_n, id) => {
    const err = gatewayError(run({ '/idNumber': 'cccd' }, { idNumber: id }));
    expect(err.code).toBe('LT_CCCD_INVALID');
    expect(err.data).toMatchObject({ reason: 'format' });
  });
});

describe('check-codes on a SOAP body (the operation element; pointers name child elements)', () => {
  const op = (inner: string, prefix = 'dan') =>
    parseSoapEnvelope(
      `<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:${prefix}="http://dancuquocgia.bca"><s:Body><${prefix}:TraCuuThongTinCongDan><${prefix}:MaYeuCau>1</${prefix}:MaYeuCau>${inner.replaceAll('P:', `${prefix}:`)}</${prefix}:TraCuuThongTinCongDan></s:Body></s:Envelope>`,
      { maxBytes: 1 << 16, maxDepth: 32 },
    ).body;
  const soap = (body: unknown, codes: Record<string, string> = { '/SoDinhDanh': 'cccd' }) =>
    run(codes, body, 'Text/XML; charset=utf-8');

  it('checks SoDinhDanh, whatever the prefix, on its xs:token value', () => {
    expect(soap(op('<P:SoDinhDanh> 052180091442\n</P:SoDinhDanh>', 'qldc'))()).toEqual({
      checked: ['/SoDinhDanh: cccd'],
    });
  });

  it.each([
    ['an unknown province prefix', '<P:SoDinhDanh>999092008262</P:SoDinhDanh>', 'prefix'],
    ['letters', '<P:SoDinhDanh>05218009144X</P:SoDinhDanh>', 'format'],
    [
      'Arabic-Indic digits',
      '<P:SoDinhDanh>\u0660\u0665\u0662\u0661\u0668\u0660\u0660\u0669\u0661\u0664\u0664\u0662</P:SoDinhDanh>',
      'format',
    ],
    [
      'fullwidth digits',
      '<P:SoDinhDanh>\uff10\uff15\uff12\uff11\uff18\uff10\uff10\uff19\uff11\uff14\uff14\uff12</P:SoDinhDanh>',
      'format',
    ],
    [
      'a birth date (NgayThangNam) of another century',
      '<P:SoDinhDanh>052180091442</P:SoDinhDanh><P:NgayThangNamSinh><P:NgayThangNam>20800128</P:NgayThangNam></P:NgayThangNamSinh>',
      'century',
    ],
    [
      'a birth year (Nam) that contradicts digits 5-6',
      '<P:SoDinhDanh>052180091442</P:SoDinhDanh><P:NgayThangNamSinh><P:Nam>1981</P:Nam></P:NgayThangNamSinh>',
      'year-mismatch',
    ],
    [
      'a GioiTinh that contradicts digit 4',
      '<P:SoDinhDanh>052180091442</P:SoDinhDanh><P:GioiTinh>1</P:GioiTinh>',
      'sex-mismatch',
    ],
    [
      'a second SoDinhDanh that is invalid',
      '<P:SoDinhDanh>052180091442</P:SoDinhDanh><P:SoDinhDanh>999092008262</P:SoDinhDanh>',
      'prefix',
    ],
  ])('refuses %s with LT_CCCD_INVALID', (_n, inner, reason) => {
    const err = gatewayError(soap(op(inner)));
    expect(err.code).toBe('LT_CCCD_INVALID');
    expect(err.data).toMatchObject({ reason });
  });

  it('does not check a GioiTinh of 0 (no information) against digit 4', () => {
    const body = op('<P:SoDinhDanh>052180091442</P:SoDinhDanh><P:GioiTinh>0</P:GioiTinh>');
    expect(soap(body)()).toEqual({ checked: ['/SoDinhDanh: cccd'] });
  });

  it('passes an empty SoDinhDanh (the lookup by SoCMND) and an absent one without checking', () => {
    expect(soap(op('<P:SoDinhDanh/><P:SoCMND>123456789</P:SoCMND>'))()).toEqual({ checked: [] });
    expect(soap(op('<P:SoCMND>123456789</P:SoCMND>'))()).toEqual({ checked: [] });
  });

  it('reads only the operation namespace: a look-alike in another namespace is not the field', () => {
    const body = op('<x:SoDinhDanh xmlns:x="urn:other">999092008262</x:SoDinhDanh>');
    expect(soap(body)()).toEqual({ checked: [] });
  });

  it('refuses a code element that holds elements, and a body that is not an element', () => {
    expect(
      gatewayError(soap(op('<P:SoDinhDanh><P:x>052180091442</P:x></P:SoDinhDanh>'))).code,
    ).toBe('LT_CONTRACT_REQUEST');
    for (const body of [
      Buffer.from('<x/>'),
      null,
      { idNumber: '052180091442' },
      { name: 'x', ns: '' },
    ])
      expect(gatewayError(soap(body)).code).toBe('LT_CONTRACT_REQUEST');
  });

  it('checks a catalog code in XML as in JSON', () => {
    const codesXml = { '/GioiTinh': 'sex' };
    expect(soap(op('<P:GioiTinh>2</P:GioiTinh>'), codesXml)()).toEqual({
      checked: ['/GioiTinh: sex'],
    });
    expect(gatewayError(soap(op('<P:GioiTinh>7</P:GioiTinh>'), codesXml)).code).toBe(
      'LT_CATALOG_UNKNOWN_CODE',
    );
  });
});
