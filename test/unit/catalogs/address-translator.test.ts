import { describe, expect, it } from '@jest/globals';
import {
  createAddressTranslator,
  loadCatalogs,
  translationSteps,
  type Units2025,
} from '../../../src/catalogs/index.js';
import { thrown } from './helpers.js';

// R2: old and new administrative-unit codes both occur in traffic; replies get the 2025 codes added.
const catalogs = loadCatalogs();
const translate = createAddressTranslator(catalogs);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

type Addr = Record<string, unknown> & { units2025?: Units2025 };

describe('admin-units-to-2025 translation step (R2)', () => {
  it('adds units2025 to a pre-2025 NPD address and keeps the old codes', () => {
    const address = {
      provinceCode: '26',
      districtCode: '252',
      communeCode: '09106',
      detail: 'Thôn 1',
      country: 'VN',
    };
    const out = translate({ CongDan: { ThuongTru: address } }) as { CongDan: { ThuongTru: Addr } };
    expect(out.CongDan.ThuongTru).toEqual({
      ...address,
      units2025: {
        provinceCode: '25',
        communeCode: '09106',
        candidates: [
          { provinceCode: '25', communeCode: '09106', name: 'Xã Vĩnh Thành', merge: 'full' },
        ],
        ambiguous: false,
      },
    });
  });

  it('never picks one commune for a split one: communeCode null, every candidate, ambiguous', () => {
    const out = translate({
      provinceCode: '01',
      districtCode: '001',
      communeCode: '00016',
    }) as Addr;
    expect(out.units2025?.ambiguous).toBe(true);
    expect(out.units2025?.communeCode).toBeNull();
    expect(out.units2025?.provinceCode).toBe('01');
    expect(
      out.units2025?.candidates.map((c) => ('communeCode' in c ? c.communeCode : null)).sort(),
    ).toEqual(['00004', '00008']);
  });

  it('leaves a two-tier address alone and returns the very same object', () => {
    const value = deepFreeze({
      person: { address: { provinceCode: '01', communeCode: '00004', detail: 'x' } },
    });
    expect(translate(value)).toBe(value);
  });

  it('reads a 2025 commune given with a province it does not belong to as a pre-2025 address', () => {
    // 09106 is in Phú Thọ (25) now and was in Vĩnh Phúc (26) before: Hà Nội fits neither reading.
    const out = translate({ provinceCode: '01', communeCode: '09106' }) as Addr;
    expect(out.units2025?.communeCode).toBeNull();
    expect(out.units2025?.provinceCode).toBeNull();
    expect(out.units2025?.candidates.map((c) => c.provinceCode)).toEqual(['25', '01']);
    expect(out.units2025?.disagreements?.[0]).toMatchObject({ field: 'communeCode', given: '01' });
  });

  it('flags a commune, district and province that disagree, never picking one, and reports it', () => {
    // A Vĩnh Phúc address (26, huyện Vĩnh Tường 252) holding a Hà Nội commune code (00004).
    const findings: unknown[] = [];
    const address = { provinceCode: '26', districtCode: '252', communeCode: '00004' };
    const out = translate({ home: address }, (f) => findings.push(f)) as { home: Addr };
    expect(out.home.units2025).toEqual({
      provinceCode: null,
      communeCode: null,
      candidates: [
        { provinceCode: '01', communeCode: '00004', name: 'Phường Ba Đình', merge: 'full' },
        { provinceCode: '25', name: 'Tỉnh Phú Thọ', merge: 'full' },
      ],
      ambiguous: true,
      disagreements: [
        {
          field: 'communeCode',
          code: '00004',
          against: 'districtCode',
          given: '252',
          belongsTo: '001',
        },
        {
          field: 'communeCode',
          code: '00004',
          against: 'provinceCode',
          given: '26',
          belongsTo: '01',
        },
      ],
    });
    expect(findings).toEqual([
      {
        kind: 'address-codes-disagree',
        disagreements: out.home.units2025?.disagreements,
        ...address,
      },
    ]);
  });

  it('flags a district of another province, and accepts the 2025 code of the old province', () => {
    const wrong = translate({ provinceCode: '01', districtCode: '252' }) as Addr;
    expect(wrong.units2025?.disagreements).toEqual([
      { field: 'districtCode', code: '252', against: 'provinceCode', given: '01', belongsTo: '26' },
    ]);
    expect(wrong.units2025?.ambiguous).toBe(true);
    // Province already written as the 2025 one (Phú Thọ took Vĩnh Phúc whole): consistent.
    const mixed = translate({
      provinceCode: '25',
      districtCode: '252',
      communeCode: '09106',
    }) as Addr;
    expect(mixed.units2025?.disagreements).toBeUndefined();
    expect(mixed.units2025?.communeCode).toBe('09106');
  });

  it('takes the province from the district when the address gives none', () => {
    const out = translate({ districtCode: '252' }) as Addr;
    expect(out.units2025?.provinceCode).toBe('25');
    expect(out.units2025?.communeCode).toBeNull();
  });

  it('refuses an unknown district with onUnknown: fail; skips it by default', () => {
    const address = { provinceCode: '26', districtCode: '999', communeCode: '09106' };
    const strict = createAddressTranslator(catalogs, { onUnknown: 'fail' });
    const err = thrown(() => strict(address));
    expect(err.code).toBe('LT_CATALOG_UNKNOWN_CODE');
    expect(err.data).toEqual({ catalog: 'district', code: '999' });
    expect(thrown(() => strict({ provinceCode: '26', districtCode: '999' })).code).toBe(
      'LT_CATALOG_UNKNOWN_CODE',
    );
    // A known district is fine in fail mode, even one the data has no mapping for.
    expect(
      (strict({ provinceCode: '26', districtCode: '252' }) as Addr).units2025?.provinceCode,
    ).toBe('25');
    expect((translate(address) as Addr).units2025?.communeCode).toBe('09106');
  });

  it('translates a province-only old address', () => {
    const out = translate({ provinceCode: '26' }) as Addr;
    expect(out.units2025).toEqual({
      provinceCode: '25',
      communeCode: null,
      candidates: [{ provinceCode: '25', name: 'Tỉnh Phú Thọ', merge: 'full' }],
      ambiguous: false,
    });
  });

  it('falls back to the province when only an unmapped district is known', () => {
    const out = translate({ provinceCode: '26', districtCode: '252', communeCode: '' }) as Addr;
    expect(out.units2025?.provinceCode).toBe('25');
    expect(out.units2025?.communeCode).toBeNull();
  });

  it('translates an island district that had no communes', () => {
    const out = translate({ provinceCode: '31', districtCode: '318' }) as Addr;
    expect(out.units2025?.communeCode).toBe('11948');
    expect(out.units2025?.provinceCode).toBe('31');
  });

  it('ignores trailing spaces in codes, as existing clients send them', () => {
    const out = translate({
      provinceCode: '26 ',
      districtCode: '252',
      communeCode: ' 09106 ',
    }) as Addr;
    expect(out.units2025?.communeCode).toBe('09106');
  });

  it('walks arrays and nested objects without mutating the input', () => {
    const input = deepFreeze({
      list: [
        { name: 'a', home: { provinceCode: '26', districtCode: '252', communeCode: '09106' } },
        { name: 'b', home: { provinceCode: '01', communeCode: '00004' } },
        'text',
        42,
        null,
      ],
    });
    const before = JSON.stringify(input);
    const out = translate(input) as { list: [{ home: Addr }, { home: Addr }, ...unknown[]] };
    expect(JSON.stringify(input)).toBe(before);
    expect(out.list[0].home.units2025?.communeCode).toBe('09106');
    expect(out.list[1]).toBe(input.list[1]); // untouched branch is shared
    expect(out.list.slice(2)).toEqual(['text', 42, null]);
  });

  it('skips foreign addresses and addresses already translated', () => {
    const foreign = {
      provinceCode: '26',
      districtCode: '252',
      communeCode: '09106',
      country: 'LA',
    };
    expect(translate(foreign)).toBe(foreign);
    const done = { provinceCode: '26', communeCode: '09106', units2025: { provinceCode: 'kept' } };
    expect(translate(done)).toBe(done);
  });

  it('leaves unknown old codes alone by default, and refuses them with onUnknown: fail', () => {
    const address = { provinceCode: '26', districtCode: '252', communeCode: '99999' };
    expect(translate(address)).toBe(address);
    const strict = createAddressTranslator(catalogs, { onUnknown: 'fail' });
    const err = thrown(() => strict({ wrapper: address }));
    expect(err.code).toBe('LT_CATALOG_UNKNOWN_CODE');
    expect(err.data).toEqual({ catalog: 'commune', code: '99999' });
  });

  it('is registered as a named step routes can list', () => {
    const step = translationSteps['admin-units-to-2025'](catalogs);
    const out = step({ provinceCode: '26' }) as Addr;
    expect(out.units2025?.provinceCode).toBe('25');
    expect(translationSteps['no-such-step']).toBeUndefined();
  });

  it('passes through non-address values unchanged', () => {
    for (const value of ['09106', 1, null, true, [], {}, { code: '01' }])
      expect(translate(value)).toBe(value);
  });
});
