import { describe, expect, it } from '@jest/globals';
import {
  CATALOG_NAMES,
  describeCatalogs,
  loadCatalogs,
  type Catalogs,
} from '../../../src/catalogs/index.js';
import { thrown } from './helpers.js';

// R2: the eleven shared catalogs, codes validated as strings.
const catalogs: Catalogs = loadCatalogs();

describe('shared catalogs (R2)', () => {
  it('exposes the eleven catalogs by name and as properties', () => {
    expect(CATALOG_NAMES).toHaveLength(11);
    for (const name of CATALOG_NAMES) {
      expect(catalogs.get(name)).toBe(catalogs[name]);
      expect(catalogs.get(name).entries.size).toBeGreaterThan(0);
    }
  });

  it('refuses an unknown catalog name as a configuration error', () => {
    const err = thrown(() => catalogs.get('religon'));
    expect(err.code).toBe('LT_CONFIG_INVALID');
  });

  it('keeps leading zeros: ethnicity 01, blood group 00, province 01, commune 09106', () => {
    expect(catalogs.ethnicity.require('01').vi).toBe('Kinh');
    expect(catalogs.ethnicity.has('1')).toBe(false);
    expect(catalogs.bloodGroup.require('00').en).toBe('No information');
    expect(catalogs.bloodGroup.has('0')).toBe(false);
    expect(catalogs.province.require('01').vi).toBe('Thành phố Hà Nội');
    expect(catalogs.province.has('1')).toBe(false);
    expect(catalogs.commune.require('09106').code).toBe('09106');
    expect(catalogs.commune.has('9106')).toBe(false);
  });

  it('raises LT_CATALOG_UNKNOWN_CODE naming the catalog and the code', () => {
    const err = thrown(() => catalogs.ethnicity.require('55'));
    expect(err.code).toBe('LT_CATALOG_UNKNOWN_CODE');
    expect(err.data).toEqual({ catalog: 'ethnicity', code: '55' });
    expect(err.detail).toContain('ethnicity');
    expect(err.detail).toContain('"55"');
    expect(catalogs.ethnicity.lookup('55')).toBeUndefined();
    expect(thrown(() => catalogs.sex.require('3')).data).toEqual({ catalog: 'sex', code: '3' });
  });

  it('holds the code meanings of DOMAIN.md §2', () => {
    expect([...catalogs.sex.entries.keys()]).toEqual(['0', '1', '2']);
    expect(catalogs.sex.require('1').vi).toBe('Nam');
    expect(catalogs.sex.require('2').vi).toBe('Nữ');
    expect([...catalogs.maritalStatus.entries.keys()]).toEqual(['0', '1', '2', '3']);
    expect(catalogs.maritalStatus.require('2').en).toBe('Married');
    expect([...catalogs.bloodGroup.entries.keys()]).toEqual(['00', '01', '02', '03', '04']);
    expect(catalogs.bloodGroup.require('03').aliases).toContain('AB');
    expect(catalogs.bloodGroup.require('04').aliases).toContain('O');
  });

  it('has the 54 ethnic groups 01–54 in the QCVN 109 Annex E numbering (QĐ 1019/QĐ-TCTK)', () => {
    const codes = [...catalogs.ethnicity.entries.keys()];
    expect(codes).toEqual(Array.from({ length: 54 }, (_, i) => String(i + 1).padStart(2, '0')));
    const vi = (code: string) => catalogs.ethnicity.require(code).vi;
    expect([vi('01'), vi('04'), vi('05'), vi('06'), vi('13')]).toEqual([
      'Kinh',
      'Mường',
      'Khơ-me',
      'Hoa',
      'Sán Chay',
    ]);
    expect([vi('20'), vi('43'), vi('54')]).toEqual(['Mnông', 'Ngái', 'Ơ Đu']);
    expect(catalogs.ethnicity.require('05').en).toBe('Khmer');
    expect(catalogs.ethnicity.source).toContain('QCVN 109:2017/BTTTT Annex E');
    for (const entry of catalogs.ethnicity.entries.values()) {
      expect(entry.en).toMatch(/^[\x20-\x7e]+$/); // English names carry no diacritics
    }
  });

  it('loads the older QĐ 121-TCTK/PPCĐ numbering when asked (ethnicityNumbering)', () => {
    const old = loadCatalogs({ ethnicityNumbering: 'qd121-1979' });
    expect(old).not.toBe(catalogs);
    const vi = (code: string) => old.ethnicity.require(code).vi;
    expect([vi('04'), vi('06'), vi('11'), vi('54')]).toEqual(['Hoa', 'Mường', 'Ngái', 'Rơ măm']);
    expect(old.ethnicity.source).toContain('121-TCTK');
    // Same 54 groups, numbered differently.
    const names = (c: typeof catalogs) => [...c.ethnicity.entries.values()].map((e) => e.vi).sort();
    expect(names(old)).toEqual(names(catalogs));
  });

  it('has the religions of QCVN 109 Annex G (01–14) and 00 none; household relation only CH01', () => {
    expect([...catalogs.religion.entries.keys()]).toEqual(
      Array.from({ length: 15 }, (_, i) => String(i).padStart(2, '0')),
    );
    expect(catalogs.religion.require('00').vi).toBe('Không');
    expect(catalogs.religion.require('01').vi).toBe('Phật giáo');
    expect(catalogs.religion.require('08').vi).toBe('Tin Lành');
    expect(catalogs.religion.require('14').vi).toBe('Mặc Môn');
    expect(catalogs.religion.source).toContain('Annex G');
    expect([...catalogs.householdRelation.entries.keys()]).toEqual(['CH01']);
    expect(catalogs.householdRelation.require('CH01').en).toBe('Head of household');
  });

  it('uses ISO 3166-1 alpha-2 for nationality and country, with Vietnamese names', () => {
    for (const catalog of [catalogs.nationality, catalogs.country]) {
      expect(catalog.require('VN').vi).toBe('Việt Nam');
      expect(catalog.require('VN').en).toBe('Vietnam');
      expect(catalog.entries.size).toBeGreaterThanOrEqual(249);
      for (const code of catalog.entries.keys()) expect(code).toMatch(/^[A-Z]{2}$/);
    }
    expect(catalogs.country.require('US').aliases).toContain('Mỹ');
    expect(thrown(() => catalogs.nationality.require('VNM')).code).toBe('LT_CATALOG_UNKNOWN_CODE');
  });

  it('writes country names in Vietnamese (CLDR), not the English text the package had', () => {
    const vi = (code: string) => catalogs.country.require(code).vi;
    expect(vi('AT')).toBe('Áo');
    expect(vi('AQ')).toBe('Nam Cực');
    expect(vi('AS')).toBe('Samoa thuộc Mỹ');
    expect(vi('CY')).toBe('Síp');
    expect(vi('SA')).toBe('Ả Rập Xê-út');
    expect(vi('US')).toBe('Hoa Kỳ');
    // The package's own Vietnamese name is kept as an alias where it differs.
    expect(catalogs.country.require('AT').aliases).toContain('Austria');
    // XK (Kosovo) is a user-assigned code, not ISO 3166-1.
    expect(catalogs.country.has('XK')).toBe(false);
    expect(catalogs.nationality.has('XK')).toBe(false);
  });

  it('freezes entries so one caller cannot change what others see', () => {
    const kinh = catalogs.ethnicity.require('01');
    expect(() => {
      (kinh as { vi: string }).vi = 'changed';
    }).toThrow(TypeError);
  });

  it('describes every catalog with its entry count and source', () => {
    const summary = describeCatalogs(catalogs);
    expect(summary.map((s) => s.name)).toEqual([...CATALOG_NAMES]);
    for (const line of summary) {
      expect(line.entries).toBe(catalogs.get(line.name).entries.size);
      expect(line.source.length).toBeGreaterThan(0);
    }
    expect(summary.find((s) => s.name === 'country')?.source).toContain('i18n-iso-countries');
    expect(summary.find((s) => s.name === 'commune')?.source).toContain('vn-admin-units-2026.json');
  });

  it('loads once: the default catalogs are shared', () => {
    expect(loadCatalogs()).toBe(catalogs);
  });
});
