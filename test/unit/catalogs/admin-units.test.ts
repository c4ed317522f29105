import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalogs } from '../../../src/catalogs/index.js';
import { buildAdminUnits } from '../../../src/catalogs/admin-units.js';
import { readReferenceData, type ReferenceData } from '../../../src/catalogs/data-files.js';
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
const corrections = (
  JSON.parse(
    readFileSync(join(dataDir, 'vn-admin-units-2025-merges.corrections.json'), 'utf8'),
  ) as { corrections: { old_id: string; remove_from: string; add_to: string; type: string }[] }
).corrections;
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

  it('has the 696 pre-2025 districts, each in its old province, and each old commune in its district', () => {
    expect(units.district.entries.size).toBe(696);
    expect(units.district.require('252')).toMatchObject({
      vi: 'Huyện Vĩnh Tường', // the DOMAIN.md sample's MaQuanHuyen
      en: 'Vinh Tuong District',
      era: 'pre2025',
      level: 'district',
      provinceCode: '26',
    });
    for (const island of ['318', '471', '498', '536', '755'])
      expect(units.district.has(island)).toBe(true);
    for (const d of units.district.entries.values())
      expect(units.provincesPre2025.has(d.provinceCode!)).toBe(true);
    expect(units.communesPre2025.require('00004')).toMatchObject({
      vi: 'Phường Trúc Bạch',
      provinceCode: '01',
      districtCode: '001',
    });
    // 12 old communes of the merges file are not in the pre-2025 tree: kept, unplaced.
    expect(units.consistency.unplacedOldCodes).toHaveLength(12);
    expect(units.communesPre2025.require('20674').provinceCode).toBeUndefined();
    expect(thrown(() => units.district.require('999')).code).toBe('LT_CATALOG_UNKNOWN_CODE');
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
    // The corrections file's fixes, applied to the raw data independently of the loader.
    for (const fix of corrections) {
      if (fix.remove_from !== fix.add_to) expected.get(fix.old_id)!.delete(fix.remove_from);
      expected.get(fix.old_id)!.add(fix.add_to);
      if (fix.type === 'full') partial.delete(fix.old_id);
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

describe('administrative units: the merges file corrected and checked as it loads', () => {
  const only = (oldCode: string) =>
    units.translateCommune(oldCode).candidates.map((c) => `${c.provinceCode}/${c.communeCode}`);

  it('corrects the two confident wrong translations (NQ 1654 and 1668/NQ-UBTVQH15)', () => {
    // Xã Tân Phú (Châu Thành, An Giang): upstream put it in Đồng Tháp's Tân Phú Trung.
    expect(only('30622')).toEqual(['91/30604']);
    expect(units.translateCommune('30622').ambiguous).toBe(false);
    // Xã Vĩnh Thành (Thạnh Trị, Sóc Trăng): upstream matched it to Vĩnh Thạnh.
    expect(only('31771')).toEqual(['92/31777']);
    expect(units.consistency.corrections.notApplicable).toEqual([]);
    expect(units.consistency.corrections.applied).toEqual(
      expect.arrayContaining(['30622', '31771']),
    );
  });

  it('gives each of the six suspect same-name matches its resolution verdict: all corrected', () => {
    expect(only('13219')).toEqual(['33/13219']); // NQ 1666 item 93: whole into xã Vạn Xuân
    expect(only('14380')).toEqual(['37/14365']); // NQ 1674 item 128: whole into phường Trung Sơn
    expect(only('20669')).toEqual(['48/20669']); // NQ 1659 item 59: whole into xã Quế Phước
    expect(only('28924')).toEqual(['86/28921']); // NQ 1687 item 68: whole into xã Tân Thành Bình
    expect(only('31588')).toEqual(['92/31579']); // NQ 1668 item 83: whole into xã Long Hưng
    expect(only('31379')).toEqual(['92/31378']); // NQ 1668 item 57: whole into xã Phú Hữu
    for (const code of ['13219', '14380', '20669', '28924', '31588', '31379'])
      expect(units.translateCommune(code).ambiguous).toBe(false);
    // The same-name units they were confused with keep their own translation.
    expect(only('29734')).toEqual(['86/29734']); // Xã Hoà Lộc of Tam Bình (old Vĩnh Long)
    expect(only('20242')).toEqual(['48/20242']); // Phường Phước Ninh of Hải Châu
  });

  it('finds nothing left to review in the shipped data once corrected', () => {
    expect(units.consistency.wrongProvince).toEqual([]);
    expect(units.consistency.multiProvinceCommunes).toEqual([]);
    expect(units.consistency.corrections.applied).toHaveLength(corrections.length);
  });

  /** The shipped data with one new commune's merge list changed (the parsed files are shared: copy). */
  function planted(edit: (data: ReferenceData) => void) {
    const data = structuredClone(readReferenceData());
    edit(data);
    return buildAdminUnits(data);
  }
  const communeIn = (data: ReferenceData, code: string) =>
    data.merges.data.flatMap((p) => p.level2s).find((c) => c.level2_id === code)!;
  /** Lists part of old unit `oldId` under new commune `newCode` as well. */
  const plantPart = (newCode: string, oldId: string) =>
    planted((data) =>
      communeIn(data, newCode).merges.push({ old_id: oldId, name: oldId, type: 'partial' }),
    );

  it('withholds a planted candidate in the wrong province and reports it, with its commune', () => {
    // Old Xã Lũng Hoà (Vĩnh Phúc, went into Phú Thọ) also listed under Hà Nội's Phường Ba Đình.
    const bad = plantPart('00004', '09106');
    expect(bad.consistency.wrongProvince).toEqual([
      {
        oldCode: '09106',
        oldProvinceCode: '26',
        expectedProvinceCode: '25',
        newCode: '00004',
        newProvinceCode: '01',
      },
    ]);
    expect(bad.consistency.multiProvinceCommunes).toEqual([
      { code: '00004', name: 'Phường Ba Đình', provinceCode: '01', oldProvinceCodes: ['01', '26'] },
    ]);
    // Not served: the translation is the one the data supports.
    expect(bad.translateCommune('09106').candidates.map((c) => c.communeCode)).toEqual(['09106']);
  });

  it('reports a new commune made of parts of two old provinces for review, and still serves it', () => {
    // Part of an old Phú Thọ commune planted into a Vĩnh Phúc-born commune of new Phú Thọ: same new province.
    const review = plantPart('09106', '07888'); // 07888 Phường Dữu Lâu, old Phú Thọ
    expect(review.consistency.wrongProvince).toEqual([]);
    expect(review.consistency.multiProvinceCommunes.map((c) => c.code)).toEqual(['09106']);
    expect(review.translateCommune('07888').candidates.map((c) => c.communeCode)).toContain(
      '09106',
    );
  });

  it('reports a correction that no longer fits the data instead of applying it', () => {
    const moved = planted((data) => {
      const upstreamFixed = communeIn(data, '30259');
      upstreamFixed.merges = upstreamFixed.merges.filter((m) => m.old_id !== '30622');
    });
    expect(moved.consistency.corrections.notApplicable).toEqual([
      { oldCode: '30622', why: '30259 no longer lists 30622' },
    ]);
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
