import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createAddressTranslator,
  describeCatalogs,
  loadCatalogs,
} from '../../../src/catalogs/index.js';
import { thrown } from './helpers.js';

// R2: operators supply the catalogs we could not find (religion, household relation, districts).
describe('catalog overrides', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lt-catalogs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: unknown) =>
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));

  it('extends a catalog with an array file and keeps the built-in codes', () => {
    write('householdRelation.json', [
      { code: 'CH02', vi: 'Vợ', en: 'Wife' },
      { code: 'CH03', vi: 'Chồng' },
    ]);
    write('README.txt', 'not a catalog, ignored');
    const catalogs = loadCatalogs({ overridesDir: dir });
    expect([...catalogs.householdRelation.entries.keys()]).toEqual(['CH01', 'CH02', 'CH03']);
    expect(catalogs.householdRelation.require('CH02').en).toBe('Wife');
    expect(catalogs.householdRelation.require('CH03').en).toBe('Chồng'); // English falls back to Vietnamese
    expect(catalogs.householdRelation.source).toContain('householdRelation.json');
    expect(describeCatalogs(catalogs).find((s) => s.name === 'householdRelation')?.entries).toBe(3);
    // the shared default catalogs are untouched
    expect(loadCatalogs().householdRelation.has('CH02')).toBe(false);
  });

  it('replaces a code that already exists', () => {
    write('ethnicity.json', [{ code: '01', vi: 'Kinh', en: 'Kinh (Viet)', aliases: ['Việt'] }]);
    const catalogs = loadCatalogs({ overridesDir: dir });
    expect(catalogs.ethnicity.require('01').en).toBe('Kinh (Viet)');
    expect(catalogs.ethnicity.entries.size).toBe(54);
  });

  it('replaces a whole catalog with { replace: true }', () => {
    write('householdRelation.json', {
      replace: true,
      entries: [
        { code: 'CH01', vi: 'Chủ hộ', en: 'Head of household' },
        { code: 'X01', vi: 'Quan hệ thử nghiệm', en: 'Test relation' },
      ],
    });
    const catalogs = loadCatalogs({ overridesDir: dir });
    expect([...catalogs.householdRelation.entries.keys()]).toEqual(['CH01', 'X01']);
    expect(catalogs.householdRelation.source).toContain('replaced by');
  });

  it('loads districts, which ship nearly empty, as pre-2025 units', () => {
    write('district.json', [{ code: '252', vi: 'Huyện Vĩnh Tường' }]);
    const catalogs = loadCatalogs({ overridesDir: dir });
    const district = catalogs.district.require('252');
    expect(district).toMatchObject({
      code: '252',
      era: 'pre2025',
      level: 'district',
      en: 'Vinh Tuong District',
    });
    expect(catalogs.district.has('318')).toBe(true); // shipped island districts stay
    // a known district with no 2025 mapping: the address falls back to its province
    const out = createAddressTranslator(catalogs)({ provinceCode: '26', districtCode: '252' }) as {
      units2025: { provinceCode: string; communeCode: string | null };
    };
    expect(out.units2025).toMatchObject({ provinceCode: '25', communeCode: null });
    expect(thrown(() => catalogs.adminUnits.translateDistrict('252')).code).toBe(
      'LT_CATALOG_UNKNOWN_CODE',
    );
  });

  it('extends communes by era without touching the translations', () => {
    write('commune.json', [{ code: '99990', vi: 'Xã Thử Nghiệm', provinceCode: '01' }]);
    const catalogs = loadCatalogs({ overridesDir: dir });
    expect(catalogs.commune.require('99990')).toMatchObject({ era: '2025', provinceCode: '01' });
    expect(catalogs.adminUnits.communes2025.has('99990')).toBe(true);
    expect(catalogs.adminUnits.translateCommune('00016').ambiguous).toBe(true);
  });

  describe('refuses a bad file with LT_CONFIG_INVALID, naming file and path', () => {
    const cases: [string, string, unknown, string][] = [
      [
        'a numeric code (leading zeros would be lost)',
        'religion.json',
        [{ code: 1, vi: 'x' }],
        '[0].code',
      ],
      ['a missing Vietnamese name', 'religion.json', [{ code: '01', en: 'x' }], '[0].vi'],
      ['an unknown property', 'sex.json', [{ code: '9', vi: 'x', colour: 'red' }], '[0].colour'],
      [
        'a bad entry in replace form',
        'sex.json',
        { replace: true, entries: [{ code: '', vi: 'x' }] },
        'entries[0].code',
      ],
      [
        'a duplicate code',
        'religion.json',
        [
          { code: '01', vi: 'a' },
          { code: '01', vi: 'b' },
        ],
        '[1].code',
      ],
      [
        'era on a non-admin catalog',
        'religion.json',
        [{ code: '01', vi: 'a', era: '2025' }],
        '[0]',
      ],
      ['replacing communes', 'commune.json', { replace: true, entries: [] }, 'replace'],
      ['invalid JSON', 'religion.json', '[{"code": "01",', '(root)'],
      ['a misspelt catalog name', 'religon.json', [], '(file name)'],
      ['neither array nor object form', 'religion.json', '"00"', '(root)'],
    ];
    it.each(cases)('%s', (_why, fileName, content, path) => {
      write(fileName, content);
      const err = thrown(() => loadCatalogs({ overridesDir: dir }));
      expect(err.code).toBe('LT_CONFIG_INVALID');
      expect(err.detail).toContain(fileName);
      expect(err.data).toEqual({ file: join(dir, fileName), path });
    });
  });

  it('refuses a missing overrides directory', () => {
    const err = thrown(() => loadCatalogs({ overridesDir: join(dir, 'nope') }));
    expect(err.code).toBe('LT_CONFIG_INVALID');
  });

  it('loads a fixed file on the next call (a failure is not cached)', () => {
    write('religion.json', [{ code: 1, vi: 'x' }]);
    expect(thrown(() => loadCatalogs({ overridesDir: dir })).code).toBe('LT_CONFIG_INVALID');
    write('religion.json', [{ code: '01', vi: 'Phật giáo' }]);
    expect(loadCatalogs({ overridesDir: dir }).religion.has('01')).toBe(true);
  });
});
