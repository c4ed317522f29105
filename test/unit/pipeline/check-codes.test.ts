import { describe, expect, it } from '@jest/globals';
import { loadCatalogs } from '../../../src/catalogs/index.js';
import { checkSchema } from '../../../src/config/validate.js';
import { RouteSchema, type RouteDef } from '../../../src/config/schema.js';
import type { Exchange } from '../../../src/message/index.js';
import type { PipelineDeps } from '../../../src/pipeline/deps.js';
import { checkCodes } from '../../../src/pipeline/stages/check-codes.js';
import { gatewayError } from '../../helpers/errors.js';

// R2: codes in a request are checked against the shared catalogs before anything is sent.
const catalogs = loadCatalogs();
const deps = { catalogs } as unknown as PipelineDeps;

function route(codes?: Record<string, string>): RouteDef {
  const r = checkSchema(RouteSchema, {
    id: 'r',
    from: { adapter: 'http' },
    to: { endpoint: 'e' },
    service: 's',
    codes,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

function run(codes: Record<string, string>, body: unknown) {
  const stage = checkCodes.create(route(codes), deps)!;
  return () =>
    stage({
      request: { body, contentType: 'application/json', headers: {} },
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
