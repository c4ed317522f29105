import type { AdminLevel } from './admin-units.js';
import type { ReferenceData } from './data-files.js';
import { nameKey } from './names.js';

/**
 * Cross-checks the two administrative-unit files at load time. They come from
 * different projects and dates (the 2026 file includes the 30 April 2026
 * update), so they are expected to drift; what drifts is reported, not hidden.
 */

export interface UnitRef {
  code: string;
  name: string;
  provinceCode: string;
}

/** What differs between the two data files, found at load time (see docs/catalogs.md). */
export interface ConsistencyReport {
  /** New-commune codes of the merges file missing from the 2026 file, matched by province and name. */
  readonly reconciled: readonly {
    mergesCode: string;
    code2026: string;
    name: string;
    provinceCode: string;
  }[];
  /** New-commune codes of the merges file with no match in the 2026 file (kept as they are). */
  readonly unmatchedMergesCodes: readonly UnitRef[];
  /** 2026 communes that no merge record leads to, even after reconciliation. */
  readonly only2026Codes: readonly UnitRef[];
  /** Same code, different unit name or type (beyond spelling of tone marks). */
  readonly renamed: readonly {
    code: string;
    level: AdminLevel;
    mergesName: string;
    name2026: string;
  }[];
  /** Names that differ only in tone-mark placement or case ("Hòa"/"Hoà"). */
  readonly spellingOnlyDifferences: number;
  /** Province codes that differ between the official CSV and the 2026 file. */
  readonly provinceCsvMismatches: readonly string[];
}

/**
 * The merges file and the 2026 file disagree on a few new-commune codes (see
 * ConsistencyReport). The 2026 file is newer and is what the commune catalog
 * holds, so a merges code it lacks is matched, within its province, to the one
 * 2026 commune with the same name that no merge record reaches. No match, or
 * more than one, leaves the code as it is and reports it.
 */
export function reconcileCommuneCodes(data: ReferenceData) {
  const wards2026 = new Map<string, UnitRef>();
  for (const p of data.admin2026) {
    for (const w of p.Wards)
      wards2026.set(w.Code, { code: w.Code, name: w.FullName, provinceCode: w.ProvinceCode });
  }
  const mergesUnits: UnitRef[] = data.merges.data.flatMap((p) =>
    p.level2s.map((c) => ({ code: c.level2_id, name: c.name, provinceCode: p.level1_id })),
  );
  const reached = new Set(mergesUnits.map((u) => u.code).filter((code) => wards2026.has(code)));
  const orphans2026 = [...wards2026.values()].filter((w) => !reached.has(w.code));

  const codeMap = new Map<string, string>();
  const reconciled: ConsistencyReport['reconciled'][number][] = [];
  const unmatched: UnitRef[] = [];
  for (const unit of mergesUnits) {
    if (wards2026.has(unit.code)) continue;
    const key = nameKey(unit.name);
    const matches = orphans2026.filter(
      (w) => w.provinceCode === unit.provinceCode && nameKey(w.name) === key,
    );
    if (matches.length === 1) {
      codeMap.set(unit.code, matches[0].code);
      reached.add(matches[0].code);
      reconciled.push({
        mergesCode: unit.code,
        code2026: matches[0].code,
        name: matches[0].name,
        provinceCode: unit.provinceCode,
      });
    } else {
      unmatched.push(unit);
    }
  }
  const only2026 = orphans2026.filter((w) => !reached.has(w.code));

  const renamed: ConsistencyReport['renamed'][number][] = [];
  let spellingOnly = 0;
  const compareNames = (
    code: string,
    level: AdminLevel,
    mergesName: string,
    name2026: string | undefined,
  ) => {
    if (name2026 === undefined || name2026 === mergesName) return;
    // Same letters once tone marks are folded and the unit type kept: a spelling variant.
    if (
      mergesName.split(' ')[0].toLowerCase() === name2026.split(' ')[0].toLowerCase() &&
      nameKey(mergesName) === nameKey(name2026)
    ) {
      spellingOnly++;
    } else {
      renamed.push({ code, level, mergesName, name2026 });
    }
  };
  const provinces2026 = new Map(data.admin2026.map((p) => [p.Code, p.FullName]));
  for (const p of data.merges.data)
    compareNames(p.level1_id, 'province', p.name, provinces2026.get(p.level1_id));
  for (const unit of mergesUnits) {
    const code = codeMap.get(unit.code) ?? unit.code;
    compareNames(code, 'commune', unit.name, wards2026.get(code)?.name);
  }

  const csvCodes = new Set(data.provinceCodes.map((r) => r.code));
  const provinceCsvMismatches = [
    ...[...csvCodes].filter((c) => !provinces2026.has(c)).map((c) => `${c} in CSV only`),
    ...[...provinces2026.keys()]
      .filter((c) => !csvCodes.has(c))
      .map((c) => `${c} in 2026 file only`),
  ];

  const report: ConsistencyReport = {
    reconciled,
    unmatchedMergesCodes: unmatched,
    only2026Codes: only2026,
    renamed,
    spellingOnlyDifferences: spellingOnly,
    provinceCsvMismatches,
  };
  return { codeMap, wards2026, report };
}
