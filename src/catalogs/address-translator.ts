import { GatewayError } from '../message/errors.js';
import { unknownCode } from './catalog.js';
import type {
  AdminUnitEntry,
  AdminUnits,
  CommuneCandidate,
  ProvinceCandidate,
  Translation,
} from './admin-units.js';

/**
 * The `admin-units-to-2025` pipeline step (R2): wherever a canonical address
 * `{ provinceCode?, districtCode?, communeCode?, detail?, country? }` carries
 * pre-July-2025 codes, add a sibling `units2025` with the two-tier codes. The
 * old codes stay, so a consumer that still speaks three tiers loses nothing.
 */

/**
 * A code of the address that does not belong to the unit given above it in
 * the pre-2025 tree (`{ province 26, district 252, commune 00004 }`: 00004 is
 * in district 001 of Hà Nội, not in 252 of Vĩnh Phúc).
 */
export interface CodeDisagreement {
  field: 'communeCode' | 'districtCode';
  code: string;
  /** The field it was checked against, and the code the address gives there. */
  against: 'districtCode' | 'provinceCode';
  given: string;
  /** Where the pre-2025 tree puts the unit. */
  belongsTo: string;
}

export interface Units2025 {
  provinceCode: string | null;
  /** Null when the old commune was split: `candidates` then lists every possibility. */
  communeCode: string | null;
  candidates: readonly (ProvinceCandidate | CommuneCandidate)[];
  ambiguous: boolean;
  /**
   * Present when the address's codes disagree with each other. The result is
   * then ambiguous: the candidates of every reading, none chosen.
   */
  disagreements?: CodeDisagreement[];
}

/** What a translation found worth a log line; the pipeline's translate stage logs it. */
export type TranslationFinding = { kind: 'address-codes-disagree' } & Pick<
  Required<Units2025>,
  'disagreements'
> & { provinceCode?: string; districtCode?: string; communeCode?: string };

export interface AddressTranslatorOptions {
  /**
   * What to do with an address whose old codes are not in the catalogs:
   * 'skip' leaves it untouched (the default — the step runs on provider replies,
   * where refusing the whole exchange over one stale code helps nobody);
   * 'fail' throws LT_CATALOG_UNKNOWN_CODE (an unknown district too).
   */
  onUnknown?: 'skip' | 'fail';
}

/** The step as the pipeline calls it: findings (disagreeing codes) go to `report`. */
export type AddressTranslator = (
  value: unknown,
  report?: (finding: TranslationFinding) => void,
) => unknown;

type JsonObject = Record<string, unknown>;

function codeField(obj: JsonObject, key: string): string | undefined {
  const value = obj[key];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const ADDRESS_KEYS = ['provinceCode', 'districtCode', 'communeCode'] as const;

/** Which units a pipeline step needs; `Catalogs` satisfies it. */
export interface HasAdminUnits {
  readonly adminUnits: AdminUnits;
}

export function createAddressTranslator(
  catalogs: HasAdminUnits,
  options: AddressTranslatorOptions = {},
): AddressTranslator {
  const units = catalogs.adminUnits;
  const strict = options.onUnknown === 'fail';

  /**
   * Codes alone cannot always tell the era (old ward 00004 and new ward 00004
   * are different places), so an address counts as pre-2025 when it has a
   * district (districts ended with the two-tier system), or a province or
   * commune code that only the old system has, or a commune that is not a 2025
   * commune of the province given. Otherwise it is read as already 2025.
   */
  function isPre2025(province?: string, district?: string, commune?: string): boolean {
    if (district !== undefined) return true;
    if (province !== undefined && !units.provinces2025.has(province)) return true;
    if (commune === undefined) return false;
    const current = units.communes2025.lookup(commune);
    if (current === undefined) return true;
    return province !== undefined && current.provinceCode !== province;
  }

  function attempt<C extends ProvinceCandidate>(
    run: () => Translation<C>,
  ): Translation<C> | undefined {
    try {
      return run();
    } catch (err) {
      if (strict || !(err instanceof GatewayError) || err.code !== 'LT_CATALOG_UNKNOWN_CODE')
        throw err;
      return undefined;
    }
  }

  /** An old province code, or the 2025 province it went into: both name the same place. */
  function inProvince(unit: AdminUnitEntry | undefined, province: string): boolean {
    if (unit?.provinceCode === undefined) return true; // not placed in the tree: nothing to check
    return unit.provinceCode === province || units.newProvinceOf(unit.provinceCode) === province;
  }

  /** Commune, district and province checked against each other in the pre-2025 tree. */
  function disagreements(province?: string, district?: string, commune?: string) {
    const found: CodeDisagreement[] = [];
    const oldCommune = commune === undefined ? undefined : units.communesPre2025.lookup(commune);
    const oldDistrict = district === undefined ? undefined : units.district.lookup(district);
    if (
      oldCommune?.districtCode !== undefined &&
      oldDistrict &&
      oldCommune.districtCode !== district
    )
      found.push({
        field: 'communeCode',
        code: commune!,
        against: 'districtCode',
        given: district!,
        belongsTo: oldCommune.districtCode,
      });
    if (province !== undefined) {
      if (oldCommune && !inProvince(oldCommune, province))
        found.push({
          field: 'communeCode',
          code: commune!,
          against: 'provinceCode',
          given: province,
          belongsTo: oldCommune.provinceCode!,
        });
      if (oldDistrict && !inProvince(oldDistrict, province))
        found.push({
          field: 'districtCode',
          code: district!,
          against: 'provinceCode',
          given: province,
          belongsTo: oldDistrict.provinceCode!,
        });
    }
    return found;
  }

  function fromTranslation<C extends ProvinceCandidate>(unit: Translation<C>): Units2025 {
    const provinces = new Set(unit.candidates.map((c) => c.provinceCode));
    const first = unit.candidates[0] as Partial<CommuneCandidate>;
    return {
      provinceCode: provinces.size === 1 ? first.provinceCode! : null,
      communeCode: unit.ambiguous ? null : (first.communeCode ?? null),
      candidates: unit.candidates,
      ambiguous: unit.ambiguous,
    };
  }

  function translateAddress(
    obj: JsonObject,
    report?: (finding: TranslationFinding) => void,
  ): Units2025 | undefined {
    const country = codeField(obj, 'country');
    if (country !== undefined && country.toUpperCase() !== 'VN') return undefined;
    const province = codeField(obj, 'provinceCode');
    const district = codeField(obj, 'districtCode');
    const commune = codeField(obj, 'communeCode');
    if (!isPre2025(province, district, commune)) return undefined;
    if (strict && district !== undefined && !units.district.has(district))
      throw unknownCode('district', district, 'no pre-2025 district has this code');

    let unit: Translation<CommuneCandidate> | undefined;
    if (commune !== undefined) unit = attempt(() => units.translateCommune(commune));
    else if (district !== undefined && units.mapsDistrict(district)) {
      // Island districts had no communes; the data maps the district itself.
      unit = attempt(() => units.translateDistrict(district));
    }
    if (commune !== undefined && !unit) return undefined;

    const disagree = disagreements(province, district, commune);
    // The province the address's district or province code names (a district knows its province).
    const provinceGiven =
      province ??
      (district !== undefined ? units.district.lookup(district)?.provinceCode : undefined);
    const prov =
      provinceGiven !== undefined && (!unit || disagree.length > 0)
        ? attempt(() => units.translateProvince(provinceGiven))
        : undefined;
    if (disagree.length === 0) {
      if (unit) return fromTranslation(unit);
      return prov ? { ...fromTranslation(prov), communeCode: null } : undefined;
    }

    // The codes disagree: every reading's candidates, none chosen, and a log line.
    const candidates = [...(unit?.candidates ?? []), ...(prov?.candidates ?? [])];
    const provinces = new Set(candidates.map((c) => c.provinceCode));
    report?.({
      kind: 'address-codes-disagree',
      disagreements: disagree,
      ...(province !== undefined && { provinceCode: province }),
      ...(district !== undefined && { districtCode: district }),
      ...(commune !== undefined && { communeCode: commune }),
    });
    return {
      provinceCode: provinces.size === 1 ? candidates[0].provinceCode : null,
      communeCode: null,
      candidates,
      ambiguous: true,
      disagreements: disagree,
    };
  }

  // Copy-on-write: untouched subtrees are returned as they are, so a reply with
  // no address costs one walk and no allocation.
  function walk(value: unknown, report?: (finding: TranslationFinding) => void): unknown {
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const next = walk(value[i], report);
        if (next !== value[i]) (out ??= value.slice())[i] = next;
      }
      return out ?? value;
    }
    if (!isPlainObject(value)) return value;

    let out: JsonObject | undefined;
    for (const key of Object.keys(value)) {
      const child = value[key];
      if (typeof child !== 'object' || child === null) continue;
      const next = walk(child, report);
      if (next !== child) (out ??= { ...value })[key] = next;
    }
    if (!('units2025' in value) && ADDRESS_KEYS.some((k) => typeof value[k] === 'string')) {
      const units2025 = translateAddress(value, report);
      if (units2025) (out ??= { ...value }).units2025 = units2025;
    }
    return out ?? value;
  }

  return walk;
}

/** Translation steps a route can name in its `translate:` list. */
export const translationSteps: Record<string, (catalogs: HasAdminUnits) => AddressTranslator> = {
  'admin-units-to-2025': (catalogs) => createAddressTranslator(catalogs),
};
