import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogs } from '../../../src/catalogs/index.js';
import { thrown } from './helpers.js';

// R2: old (three-tier, before 1 July 2025) and new (two-tier) administrative units.
const units = loadCatalogs().adminUnits;
const dataDir = fileURLToPath(new URL('../../../data/', import.meta.url));

interface RawMerges {
  data: {
    level1_id: string;
    merges: { old_id: string; type: string }[];
    level2s: { level2_id: string; merges: { old_id: string; type: string }[] }[];
  }[];
}
const rawMerges = JSON.parse(
  readFileSync(join(dataDir, 'vn-admin-units-2025-merges.json'), 'utf8'),
) as RawMerges;
const csvCodes = readFileSync(join(dataDir, 'vn-provinces-2025-codes.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(',')[1]);

describe('administrative units: catalogs (R2)', () => {
  it('has the 34 provinces of the official list and 3,321 communes from 1 July 2025', () => {
    expect(units.provinces2025.entries.size).toBe(34);
    expect([...units.provinces2025.entries.keys()].sort()).toEqual([...csvCodes].sort());
    expect(units.communes2025.entries.size).toBe(3321);
    for (const entry of units.communes2025.entries.values()) {
      expect(entry.era).toBe('2025');
      expect(units.provinces2025.has(entry.provinceCode!)).toBe(true);
    }
  });

  it('has the 63 pre-2025 provinces and every old commune of the merge data', () => {
    expect(units.provincesPre2025.entries.size).toBe(63);
    expect(units.oldProvinceCodes).toHaveLength(63);
    expect(units.provincesPre2025.require('26').vi).toBe('Tỉnh Vĩnh Phúc');
    expect(units.provincesPre2025.require('26').era).toBe('pre2025');
    const oldCommuneIds = new Set(
      rawMerges.data
        .flatMap((p) => p.level2s.flatMap((c) => c.merges.map((m) => m.old_id)))
        .filter((id) => id.length === 5),
    );
    expect(units.communesPre2025.entries.size).toBe(oldCommuneIds.size);
    expect(oldCommuneIds.size).toBe(10047); // plus 5 island districts listed with their 3-digit id
  });

  it('tells the eras apart when one code named two different units', () => {
    const ward = units.commune.require('00004');
    expect(ward.era).toBe('2025');
    expect(ward.vi).toBe('Phường Ba Đình');
    expect(ward.pre2025?.vi).toBe('Phường Trúc Bạch');
    expect(ward.pre2025?.era).toBe('pre2025');
    const vinhPhuc = units.province.require('26');
    expect(vinhPhuc.era).toBe('pre2025');
    expect(vinhPhuc.pre2025).toBeUndefined();
    expect(units.province.require('25').pre2025?.vi).toBe('Tỉnh Phú Thọ');
    expect(units.province.entries.size).toBe(63); // every 2025 code was also a pre-2025 code
  });

  it('writes English names for old units the data gives only in Vietnamese', () => {
    expect(units.communesPre2025.require('00016').en).toBe('Ngoc Ha Ward');
    expect(units.provincesPre2025.require('02').en).toBe('Ha Giang Province');
    expect(units.district.require('318').en).toBe('Bach Long Vi District');
  });

  it('knows the island districts the merge data lists, and nothing else of the district tier', () => {
    expect([...units.district.entries.keys()].sort()).toEqual(['318', '471', '498', '536', '755']);
    expect(thrown(() => units.district.require('252')).code).toBe('LT_CATALOG_UNKNOWN_CODE');
  });
});

describe('administrative units: old → new translation (R2)', () => {
  it('translates an old commune merged whole into one new unit: one candidate, not ambiguous', () => {
    const t = units.translateCommune('09106');
    expect(t).toEqual({
      oldCode: '09106',
      oldName: 'Xã Lũng Hoà',
      candidates: [
        { provinceCode: '25', communeCode: '09106', name: 'Xã Vĩnh Thành', merge: 'full' },
      ],
      ambiguous: false,
    });
  });

  it('returns every new unit that took part of a split commune, and says it is ambiguous', () => {
    const t = units.translateCommune('00016'); // Phường Ngọc Hà, Hà Nội
    expect(t.ambiguous).toBe(true);
    expect(t.candidates.map((c) => c.communeCode).sort()).toEqual(['00004', '00008']);
    expect(t.candidates.every((c) => c.merge === 'partial' && c.provinceCode === '01')).toBe(true);
    expect(t.candidates.find((c) => c.communeCode === '00004')?.name).toBe('Phường Ba Đình');
  });

  it('matches the merge data for every old commune: all candidates, ambiguous exactly when split', () => {
    const expected = new Map<string, Set<string>>();
    const partial = new Set<string>();
    for (const p of rawMerges.data) {
      for (const c of p.level2s) {
        for (const m of c.merges) {
          if (m.old_id.length !== 5) continue;
          if (!expected.has(m.old_id)) expected.set(m.old_id, new Set());
          expected.get(m.old_id)!.add(c.level2_id);
          if (m.type === 'partial') partial.add(m.old_id);
        }
      }
    }
    const reconciled = new Map(units.consistency.reconciled.map((r) => [r.mergesCode, r.code2026]));
    let splits = 0;
    for (const [oldCode, newCodes] of expected) {
      const t = units.translateCommune(oldCode);
      const want = [...newCodes].map((c) => reconciled.get(c) ?? c).sort();
      expect(t.candidates.map((c) => c.communeCode).sort()).toEqual(want);
      expect(t.ambiguous).toBe(partial.has(oldCode) || newCodes.size > 1);
      if (t.ambiguous) splits++;
    }
    expect(splits).toBeGreaterThan(0);
  });

  it('only ever points at communes and provinces of the 2025 catalogs', () => {
    for (const old of units.communesPre2025.entries.keys()) {
      for (const c of units.translateCommune(old).candidates) {
        expect(units.communes2025.require(c.communeCode).provinceCode).toBe(c.provinceCode);
      }
    }
  });

  it('returns the same frozen object each time (indexes built once at load)', () => {
    const a = units.translateCommune('00016');
    expect(units.translateCommune('00016')).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.candidates)).toBe(true);
  });

  it('translates old provinces to the new ones they merged into', () => {
    expect(units.translateProvince('26')).toEqual({
      oldCode: '26',
      oldName: 'Tỉnh Vĩnh Phúc',
      candidates: [{ provinceCode: '25', name: 'Tỉnh Phú Thọ', merge: 'full' }],
      ambiguous: false,
    });
    expect(units.translateProvince('01').candidates.map((c) => c.provinceCode)).toEqual(['01']);
    for (const code of units.oldProvinceCodes) {
      const [only] = units.translateProvince(code).candidates;
      expect(units.provinces2025.has(only.provinceCode)).toBe(true);
    }
  });

  it('translates the island districts that had no communes', () => {
    const t = units.translateDistrict('755'); // Côn Đảo
    expect(t.candidates).toEqual([
      { provinceCode: '79', communeCode: '26732', name: 'Đặc khu Côn Đảo', merge: 'full' },
    ]);
    expect(t.ambiguous).toBe(false);
  });

  it('raises LT_CATALOG_UNKNOWN_CODE for codes no pre-2025 unit had', () => {
    for (const run of [
      () => units.translateCommune('99999'),
      () => units.translateCommune('06978'), // exists only as a 2025 code
      () => units.translateProvince('03'),
      () => units.translateDistrict('252'),
    ]) {
      const err = thrown(run);
      expect(err.code).toBe('LT_CATALOG_UNKNOWN_CODE');
    }
    expect(thrown(() => units.translateCommune('06978')).detail).toContain('2025 code');
    expect(thrown(() => units.translateCommune('99999')).data).toEqual({
      catalog: 'commune',
      code: '99999',
    });
  });
});

describe('administrative units: consistency of the two data files', () => {
  const report = units.consistency;

  it('reconciles the new-commune codes the merges file and the 2026 file disagree on', () => {
    expect(report.reconciled).toEqual([
      { mergesCode: '06970', code2026: '06978', name: 'Xã Ba Chẽ', provinceCode: '22' },
      { mergesCode: '23737', code2026: '23938', name: 'Xã Ia Mơ', provinceCode: '52' },
    ]);
    expect(report.unmatchedMergesCodes).toEqual([]);
    expect(report.only2026Codes).toEqual([]);
    expect(report.provinceCsvMismatches).toEqual([]);
    expect(units.translateCommune('06970').candidates.map((c) => c.communeCode)).toEqual(['06978']);
  });

  it('reports the renames of the 30 April 2026 update (Đồng Nai becomes a city)', () => {
    expect(report.renamed).toContainEqual({
      code: '75',
      level: 'province',
      mergesName: 'Tỉnh Đồng Nai',
      name2026: 'Thành phố Đồng Nai',
    });
    const communes = report.renamed.filter((r) => r.level === 'commune');
    expect(communes.length).toBe(10);
    for (const r of communes) {
      expect(r.mergesName.startsWith('Xã ')).toBe(true);
      expect(r.name2026.startsWith('Phường ')).toBe(true);
      expect(units.communes2025.require(r.code).provinceCode).toBe('75');
    }
    expect(report.spellingOnlyDifferences).toBeGreaterThan(0);
  });
});
