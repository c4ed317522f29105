import type { MergeCorrection, Merges } from './data-files.js';

/**
 * The merges file (dvhcvn/20250701) was built partly by matching names, and
 * twice served a confident wrong translation (one into the wrong province).
 * Here it is corrected with the hand-checked fixes of the corrections file and
 * then checked against the pre-2025 tree, so the next upstream error of that
 * kind is reported (`adminUnits.consistency`) and withheld, not served.
 */

/** Where an old unit was before 1 July 2025, from the pre-2025 tree. */
export interface OldHome {
  provinceCode: string;
  districtCode?: string;
}

export interface CorrectionReport {
  /** Old commune codes moved as the corrections file says. */
  readonly applied: readonly string[];
  /** Corrections that no longer fit the data (the upstream file changed): not applied. */
  readonly notApplicable: readonly { oldCode: string; why: string }[];
}

export interface MergeCheckReport {
  /**
   * Old units listed in a new province other than the one their old province
   * went into (Res. 202/2025/QH15: every old province went whole into one new
   * province). These candidates are withheld from the translations.
   */
  readonly wrongProvince: readonly {
    oldCode: string;
    oldProvinceCode: string;
    expectedProvinceCode: string;
    newCode: string;
    newProvinceCode: string;
  }[];
  /** New communes made of parts of several old provinces: rare, to review against the resolution. */
  readonly multiProvinceCommunes: readonly {
    code: string;
    name: string;
    provinceCode: string;
    oldProvinceCodes: readonly string[];
  }[];
  /** Old communes of the merges file the pre-2025 tree does not have (their old province is unknown). */
  readonly unplacedOldCodes: readonly string[];
}

/**
 * The merges data with the corrections applied. Copy-on-write: only the new
 * communes a correction touches are copied, so the parsed file (shared between
 * loads) is never changed.
 */
export function applyMergeCorrections(
  merges: Merges,
  corrections: readonly MergeCorrection[],
): { merges: Merges; report: CorrectionReport } {
  const where = new Map<string, { p: number; c: number }>();
  merges.data.forEach((province, p) =>
    province.level2s.forEach((commune, c) => where.set(commune.level2_id, { p, c })),
  );
  const data = [...merges.data];
  const copied = new Set<string>();
  const communeOf = (code: string) => {
    const at = where.get(code);
    if (!at) return undefined;
    if (!copied.has(code)) {
      const province = data[at.p];
      const level2s = copied.has(`p${at.p}`) ? province.level2s : [...province.level2s];
      data[at.p] = { ...province, level2s };
      copied.add(`p${at.p}`);
      level2s[at.c] = { ...level2s[at.c], merges: [...level2s[at.c].merges] };
      copied.add(code);
    }
    return data[at.p].level2s[at.c];
  };

  const applied: string[] = [];
  const notApplicable: { oldCode: string; why: string }[] = [];
  for (const fix of corrections) {
    const from = communeOf(fix.remove_from);
    const to = communeOf(fix.add_to);
    const listed = from?.merges.find((m) => m.old_id === fix.old_id);
    if (!from || !to || !listed) {
      const why = !from
        ? `new commune ${fix.remove_from} is not in the data`
        : !to
          ? `new commune ${fix.add_to} is not in the data`
          : `${fix.remove_from} no longer lists ${fix.old_id}`;
      notApplicable.push({ oldCode: fix.old_id, why });
      continue;
    }
    if (fix.remove_from !== fix.add_to)
      from.merges = from.merges.filter((m) => m.old_id !== fix.old_id);
    const existing = to.merges.findIndex((m) => m.old_id === fix.old_id);
    const entry = { old_id: fix.old_id, name: listed.name, type: fix.type };
    if (existing >= 0) to.merges[existing] = entry;
    else to.merges.push(entry);
    applied.push(fix.old_id);
  }
  return { merges: { ...merges, data }, report: { applied, notApplicable } };
}

/** `${oldCode}>${newCode}` of a candidate the checks withheld. */
export const candidateKey = (oldCode: string, newCode: string) => `${oldCode}>${newCode}`;

/**
 * Checks every new commune's parts against the pre-2025 tree: one pass over
 * the ~10,500 merge records, Map lookups only.
 */
export function checkMerges(
  merges: Merges,
  homeOf: (oldCode: string) => OldHome | undefined,
): { report: MergeCheckReport; withheld: ReadonlySet<string> } {
  const provinceTarget = new Map<string, string>();
  for (const p of merges.data)
    for (const old of p.merges) provinceTarget.set(old.old_id, p.level1_id);

  const wrongProvince: MergeCheckReport['wrongProvince'][number][] = [];
  const multiProvinceCommunes: MergeCheckReport['multiProvinceCommunes'][number][] = [];
  const unplaced = new Set<string>();
  const withheld = new Set<string>();
  for (const p of merges.data) {
    for (const c of p.level2s) {
      const oldProvinces = new Set<string>();
      for (const old of c.merges) {
        const home = homeOf(old.old_id);
        if (!home) {
          unplaced.add(old.old_id);
          continue;
        }
        oldProvinces.add(home.provinceCode);
        const expected = provinceTarget.get(home.provinceCode);
        if (expected !== p.level1_id) {
          wrongProvince.push({
            oldCode: old.old_id,
            oldProvinceCode: home.provinceCode,
            expectedProvinceCode: expected ?? '',
            newCode: c.level2_id,
            newProvinceCode: p.level1_id,
          });
          withheld.add(candidateKey(old.old_id, c.level2_id));
        }
      }
      if (oldProvinces.size > 1) {
        multiProvinceCommunes.push({
          code: c.level2_id,
          name: c.name,
          provinceCode: p.level1_id,
          oldProvinceCodes: [...oldProvinces].sort(),
        });
      }
    }
  }
  return {
    report: { wrongProvince, multiProvinceCommunes, unplacedOldCodes: [...unplaced].sort() },
    withheld,
  };
}
