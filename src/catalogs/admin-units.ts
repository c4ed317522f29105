import { createCatalog, unknownCode, type Catalog, type CatalogEntry } from './catalog.js';
import type { MergeKind, ReferenceData } from './data-files.js';
import { reconcileCommuneCodes, type ConsistencyReport } from './consistency.js';
import {
  applyMergeCorrections,
  candidateKey,
  checkMerges,
  type OldHome,
  type CorrectionReport,
  type MergeCheckReport,
} from './merge-checks.js';
import { englishUnitName } from './names.js';
import {
  applyOverride,
  withOverrideSource,
  type CatalogOverride,
  type OverrideEntry,
  type OverrideSet,
} from './overrides.js';

/**
 * Administrative units in both systems that occur in traffic (R2): the
 * pre-July-2025 three tiers (63 provinces, districts, ~10,000 communes) and the
 * two tiers in force since 1 July 2025 (34 provinces, 3,321 communes). The same
 * code can name different units in the two eras (old ward 00004 Trúc Bạch, new
 * ward 00004 Ba Đình), so each entry carries its era.
 */

export type Era = 'pre2025' | '2025';
export type AdminLevel = 'province' | 'district' | 'commune';
export type { ConsistencyReport } from './consistency.js';
export type { CorrectionReport, MergeCheckReport } from './merge-checks.js';

/** Everything the load found in the data (see docs/catalogs.md): file disagreements, corrections, checks. */
export type LoadReport = ConsistencyReport &
  MergeCheckReport & {
    /** The hand-checked corrections of data/vn-admin-units-2025-merges.corrections.json. */
    readonly corrections: CorrectionReport;
  };

export interface AdminUnitEntry extends CatalogEntry {
  readonly era: Era;
  readonly level: AdminLevel;
  /**
   * The province the unit belongs to: for 2025 communes their 2025 province;
   * for pre-2025 districts and communes their old province (from the pre-2025
   * tree; absent for the few old communes the tree lacks).
   */
  readonly provinceCode?: string;
  /** For pre-2025 communes, their district (from the pre-2025 tree). */
  readonly districtCode?: string;
  /** In the combined catalogs: the pre-2025 unit that had the same code as this 2025 one. */
  readonly pre2025?: AdminUnitEntry;
}

export interface ProvinceCandidate {
  readonly provinceCode: string;
  readonly name: string;
  /** How the old unit went into this new one: whole ('full') or a part of it ('partial'). */
  readonly merge: MergeKind;
}

export interface CommuneCandidate extends ProvinceCandidate {
  readonly communeCode: string;
}

export interface Translation<C extends ProvinceCandidate> {
  readonly oldCode: string;
  readonly oldName: string;
  /** Every new unit that took all or part of the old one; never narrowed down by guessing. */
  readonly candidates: readonly C[];
  /** True when the old unit was split (any partial merge) — the caller must choose. */
  readonly ambiguous: boolean;
}

export type ProvinceTranslation = Translation<ProvinceCandidate>;
export type CommuneTranslation = Translation<CommuneCandidate>;

export interface AdminUnits {
  /** All provinces, both eras (a code used in both eras is the 2025 entry, with `pre2025`). */
  readonly province: Catalog<AdminUnitEntry>;
  /** Pre-2025 districts (696, each with its old province), plus overrides. */
  readonly district: Catalog<AdminUnitEntry>;
  /** All communes/wards, both eras, combined like `province`. */
  readonly commune: Catalog<AdminUnitEntry>;
  readonly provinces2025: Catalog<AdminUnitEntry>;
  readonly provincesPre2025: Catalog<AdminUnitEntry>;
  readonly communes2025: Catalog<AdminUnitEntry>;
  readonly communesPre2025: Catalog<AdminUnitEntry>;
  /** The 63 pre-2025 province codes (two digits), from the merge data. */
  readonly oldProvinceCodes: readonly string[];
  translateProvince(oldCode: string): ProvinceTranslation;
  translateCommune(oldCode: string): CommuneTranslation;
  /** Only districts that went whole into one new unit (islands without communes). */
  translateDistrict(oldCode: string): CommuneTranslation;
  /** Whether translateDistrict has a translation for this district (the five islands). */
  mapsDistrict(oldCode: string): boolean;
  /** The 2025 province an old province went into (every one went whole into one). */
  newProvinceOf(oldProvinceCode: string): string | undefined;
  readonly consistency: LoadReport;
}

const SOURCE_2026 =
  'data/vn-admin-units-2026.json (thanglequoc/vietnamese-provinces-database, MIT; incl. 30 April 2026 update)';
const SOURCE_MERGES =
  'data/vn-admin-units-2025-merges.json (dvhcvn/20250701, MIT) with data/vn-admin-units-2025-merges.corrections.json';
const SOURCE_PRE2025 =
  'data/vn-admin-units-pre2025.json (thanglequoc/vietnamese-provinces-database @e8c5f800, MIT)';

function adminEntry(
  code: string,
  vi: string,
  en: string,
  era: Era,
  level: AdminLevel,
  extra: { provinceCode?: string; districtCode?: string; aliases?: string[] } = {},
): AdminUnitEntry {
  const entry: AdminUnitEntry = { code, vi, en, era, level };
  if (extra.provinceCode !== undefined) Object.assign(entry, { provinceCode: extra.provinceCode });
  if (extra.districtCode !== undefined) Object.assign(entry, { districtCode: extra.districtCode });
  if (extra.aliases?.length) Object.assign(entry, { aliases: extra.aliases });
  return entry;
}

function fromOverride(level: AdminLevel, defaultEra: Era) {
  return (o: OverrideEntry): AdminUnitEntry =>
    adminEntry(o.code, o.vi, o.en ?? englishUnitName(o.vi), o.era ?? defaultEra, level, {
      provinceCode: o.provinceCode,
      aliases: o.aliases,
    });
}

/** Splits an override by era so each era-specific catalog gets its own lines. */
function overrideForEra(
  override: CatalogOverride | undefined,
  era: Era,
  defaultEra: Era,
): CatalogOverride | undefined {
  if (!override) return undefined;
  const entries = override.entries.filter((e) => (e.era ?? defaultEra) === era);
  return entries.length ? { ...override, entries } : undefined;
}

function combined(
  name: string,
  description: string,
  source: string,
  old: Catalog<AdminUnitEntry>,
  current: Catalog<AdminUnitEntry>,
): Catalog<AdminUnitEntry> {
  const entries = new Map<string, AdminUnitEntry>();
  for (const entry of current.entries.values()) {
    const previous = old.lookup(entry.code);
    entries.set(entry.code, previous ? { ...entry, pre2025: previous } : entry);
  }
  for (const entry of old.entries.values())
    if (!entries.has(entry.code)) entries.set(entry.code, entry);
  return createCatalog({ name, description, source, entries: entries.values() });
}

function freezeTranslation<C extends ProvinceCandidate>(
  oldCode: string,
  oldName: string,
  candidates: C[],
): Translation<C> {
  const ambiguous = candidates.length > 1 || candidates.some((c) => c.merge === 'partial');
  return Object.freeze({
    oldCode,
    oldName,
    candidates: Object.freeze(candidates.map((c) => Object.freeze(c))),
    ambiguous,
  });
}

interface OldUnitAccumulator<C> {
  name: string;
  candidates: C[];
}

function accumulate<C>(map: Map<string, OldUnitAccumulator<C>>, oldId: string, name: string, c: C) {
  const found = map.get(oldId);
  if (found) found.candidates.push(c);
  else map.set(oldId, { name, candidates: [c] });
}

interface PreTreeEntries {
  provinces: Map<string, AdminUnitEntry>;
  districts: Map<string, AdminUnitEntry>;
  communes: Map<string, AdminUnitEntry>;
}

const treeCache = new WeakMap<ReferenceData['pre2025'], PreTreeEntries>();

/**
 * The pre-2025 units as the pre-2025 tree names and places them (the merges
 * file has stray spaces and case in names). Built once per parsed file: the
 * entries are frozen, so a rebuild with other overrides reuses them.
 */
function preTreeEntries(tree: ReferenceData['pre2025']): PreTreeEntries {
  const cached = treeCache.get(tree);
  if (cached) return cached;
  const provinces = new Map<string, AdminUnitEntry>();
  const districts = new Map<string, AdminUnitEntry>();
  const communes = new Map<string, AdminUnitEntry>();
  const era = 'pre2025';
  for (const p of tree) {
    provinces.set(
      p.Code,
      Object.freeze({ code: p.Code, vi: p.FullName, en: p.FullNameEn, era, level: 'province' }),
    );
    for (const d of p.District) {
      districts.set(
        d.Code,
        Object.freeze({
          code: d.Code,
          vi: d.FullName,
          en: d.FullNameEn,
          era,
          level: 'district',
          provinceCode: d.ProvinceCode,
          aliases: Object.freeze([d.Name, d.NameEn]),
        }),
      );
      for (const w of d.Ward ?? []) {
        communes.set(
          w.Code,
          Object.freeze({
            code: w.Code,
            vi: w.FullName,
            en: w.FullNameEn,
            era,
            level: 'commune',
            provinceCode: p.Code,
            districtCode: w.DistrictCode,
          }),
        );
      }
    }
  }
  const entries = { provinces, districts, communes };
  treeCache.set(tree, entries);
  return entries;
}

export function buildAdminUnits(data: ReferenceData, overrides: OverrideSet = {}): AdminUnits {
  const corrected = applyMergeCorrections(data.merges, data.corrections);
  const merges = corrected.merges;
  const tree = preTreeEntries(data.pre2025);
  // Where the tree puts an old commune or island district (its province, its district).
  const homeOf = (code: string): OldHome | undefined =>
    (tree.communes.get(code) ?? tree.districts.get(code)) as OldHome | undefined;
  const checked = checkMerges(merges, homeOf);
  const { codeMap, wards2026, report } = reconcileCommuneCodes({ ...data, merges });
  const province2026Names = new Map(data.admin2026.map((p) => [p.Code, p.FullName]));

  // ---- translation indexes, built once: every lookup afterwards is one Map.get
  const oldProvinces = new Map<string, OldUnitAccumulator<ProvinceCandidate>>();
  const oldCommunes = new Map<string, OldUnitAccumulator<CommuneCandidate>>();
  const oldDistricts = new Map<string, OldUnitAccumulator<CommuneCandidate>>();
  for (const p of merges.data) {
    const provinceCode = p.level1_id;
    const provinceName = province2026Names.get(provinceCode) ?? p.name;
    for (const old of p.merges) {
      accumulate(oldProvinces, old.old_id, tree.provinces.get(old.old_id)?.vi ?? old.name, {
        provinceCode,
        name: provinceName,
        merge: old.type,
      });
    }
    for (const c of p.level2s) {
      const communeCode = codeMap.get(c.level2_id) ?? c.level2_id;
      const name = wards2026.get(communeCode)?.name ?? c.name;
      for (const old of c.merges) {
        // A candidate the load-time check found in the wrong province is not served.
        if (checked.withheld.has(candidateKey(old.old_id, c.level2_id))) continue;
        const candidate: CommuneCandidate = { provinceCode, communeCode, name, merge: old.type };
        const isDistrict = old.old_id.length === 3;
        const oldName =
          (isDistrict ? tree.districts : tree.communes).get(old.old_id)?.vi ?? old.name;
        accumulate(isDistrict ? oldDistricts : oldCommunes, old.old_id, oldName, candidate);
      }
    }
  }
  const freezeAll = <C extends ProvinceCandidate>(map: Map<string, OldUnitAccumulator<C>>) =>
    new Map(
      [...map].map(([code, acc]) => [code, freezeTranslation(code, acc.name, acc.candidates)]),
    );
  const provinceTranslations = freezeAll(oldProvinces);
  const communeTranslations = freezeAll(oldCommunes);
  const districtTranslations = freezeAll(oldDistricts);
  const withheldOnly = new Set(
    checked.report.wrongProvince.map((w) => w.oldCode).filter((c) => !oldCommunes.has(c)),
  );

  // ---- catalogs, per era, with operator overrides applied
  /** The shipped units of one level and era, plus the override lines meant for them. */
  const levelCatalog = (
    level: AdminLevel,
    description: string,
    source: string,
    shipped: AdminUnitEntry[],
    override: CatalogOverride | undefined,
    overrideDefaultEra: Era,
  ) =>
    createCatalog({
      name: level,
      description,
      source: withOverrideSource(source, override),
      entries: applyOverride(shipped, override, fromOverride(level, overrideDefaultEra)),
    });
  // Province and commune override lines without an era are 2025 units.
  const eraOf = (level: 'province' | 'commune', era: Era) =>
    overrideForEra(overrides[level], era, '2025');
  /**
   * Old units: every unit of the pre-2025 tree, with its names and place in
   * it, plus the few the merges file lists and the tree lacks (names from the
   * merges file, place unknown).
   */
  const oldUnits = (
    fromTree: Map<string, AdminUnitEntry>,
    fromMerges: Iterable<[string, string]>,
    level: AdminLevel,
  ) => {
    const entries = [...fromTree.values()];
    for (const [code, name] of fromMerges) {
      if (!fromTree.has(code))
        entries.push(adminEntry(code, name, englishUnitName(name), 'pre2025', level));
    }
    return entries;
  };
  const mergesNames = (map: Map<string, OldUnitAccumulator<unknown>>): [string, string][] =>
    [...map].map(([code, acc]) => [code, acc.name]);

  const provinces2025 = levelCatalog(
    'province',
    'Tỉnh/thành phố from 1 July 2025 (34)',
    SOURCE_2026,
    data.admin2026.map((p) =>
      adminEntry(p.Code, p.FullName, p.FullNameEn, '2025', 'province', {
        aliases: [p.Name, p.NameEn],
      }),
    ),
    eraOf('province', '2025'),
    '2025',
  );
  const provincesPre2025 = levelCatalog(
    'province',
    'Tỉnh/thành phố before 1 July 2025 (63)',
    `${SOURCE_PRE2025} + ${SOURCE_MERGES}`,
    oldUnits(tree.provinces, mergesNames(oldProvinces), 'province'),
    eraOf('province', 'pre2025'),
    '2025',
  );
  const communes2025 = levelCatalog(
    'commune',
    'Xã/phường/đặc khu from 1 July 2025',
    SOURCE_2026,
    data.admin2026.flatMap((p) =>
      p.Wards.map((w) =>
        adminEntry(w.Code, w.FullName, w.FullNameEn, '2025', 'commune', {
          provinceCode: w.ProvinceCode,
          aliases: [w.Name, w.NameEn],
        }),
      ),
    ),
    eraOf('commune', '2025'),
    '2025',
  );
  const communesPre2025 = levelCatalog(
    'commune',
    'Xã/phường/thị trấn before 1 July 2025',
    `${SOURCE_PRE2025} + ${SOURCE_MERGES}`,
    oldUnits(tree.communes, mergesNames(oldCommunes), 'commune'),
    eraOf('commune', 'pre2025'),
    '2025',
  );
  const district = levelCatalog(
    'district',
    'Quận/huyện/thị xã/thành phố thuộc tỉnh before 1 July 2025 (696)',
    SOURCE_PRE2025,
    oldUnits(tree.districts, mergesNames(oldDistricts), 'district'),
    overrides.district,
    'pre2025',
  );

  const province = combined(
    'province',
    'Tỉnh/thành phố trực thuộc trung ương, both eras (63 before 1 July 2025, 34 after)',
    withOverrideSource(`${SOURCE_2026} + ${SOURCE_MERGES}`, overrides.province),
    provincesPre2025,
    provinces2025,
  );
  const commune = combined(
    'commune',
    'Xã/phường/thị trấn/đặc khu, both eras',
    withOverrideSource(`${SOURCE_2026} + ${SOURCE_MERGES}`, overrides.commune),
    communesPre2025,
    communes2025,
  );

  const translator =
    <C extends ProvinceCandidate>(
      catalog: string,
      index: Map<string, Translation<C>>,
      whyUnknown: (code: string) => string,
    ) =>
    (oldCode: string): Translation<C> => {
      const found = index.get(oldCode);
      if (found) return found;
      throw unknownCode(catalog, oldCode, whyUnknown(oldCode));
    };
  const notOld = (current: Catalog) => (code: string) =>
    withheldOnly.has(code)
      ? 'its only translation failed the load-time check (adminUnits.consistency.wrongProvince)'
      : current.has(code)
        ? 'it is a 2025 code, not a pre-2025 one'
        : 'no pre-2025 unit has this code';
  const noDistrictMapping = (code: string) =>
    district.has(code)
      ? 'the data maps only districts that went whole into one new unit'
      : 'no pre-2025 district has this code';

  return {
    province,
    district,
    commune,
    provinces2025,
    provincesPre2025,
    communes2025,
    communesPre2025,
    oldProvinceCodes: Object.freeze([...oldProvinces.keys()].sort()),
    translateProvince: translator('province', provinceTranslations, notOld(provinces2025)),
    translateCommune: translator('commune', communeTranslations, notOld(communes2025)),
    translateDistrict: translator('district', districtTranslations, noDistrictMapping),
    mapsDistrict: (oldCode) => districtTranslations.has(oldCode),
    newProvinceOf: (oldProvinceCode) =>
      provinceTranslations.get(oldProvinceCode)?.candidates[0]?.provinceCode,
    consistency: Object.freeze({ ...report, ...checked.report, corrections: corrected.report }),
  };
}
