import { GatewayError } from '../message/errors.js';
import type {
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

export interface Units2025 {
  provinceCode: string | null;
  /** Null when the old commune was split: `candidates` then lists every possibility. */
  communeCode: string | null;
  candidates: readonly (ProvinceCandidate | CommuneCandidate)[];
  ambiguous: boolean;
}

export interface AddressTranslatorOptions {
  /**
   * What to do with an address whose old codes are not in the catalogs:
   * 'skip' leaves it untouched (the default — the step runs on provider replies,
   * where refusing the whole exchange over one stale code helps nobody);
   * 'fail' throws LT_CATALOG_UNKNOWN_CODE.
   */
  onUnknown?: 'skip' | 'fail';
}

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
): (value: unknown) => unknown {
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

  function translateAddress(obj: JsonObject): Units2025 | undefined {
    const country = codeField(obj, 'country');
    if (country !== undefined && country.toUpperCase() !== 'VN') return undefined;
    const province = codeField(obj, 'provinceCode');
    const district = codeField(obj, 'districtCode');
    const commune = codeField(obj, 'communeCode');
    if (!isPre2025(province, district, commune)) return undefined;

    let unit: Translation<CommuneCandidate> | undefined;
    if (commune !== undefined) unit = attempt(() => units.translateCommune(commune));
    else if (district !== undefined && units.district.has(district)) {
      // Island districts had no communes; the data maps the district itself.
      unit = attempt(() => units.translateDistrict(district));
    }
    if (unit) {
      const provinces = new Set(unit.candidates.map((c) => c.provinceCode));
      return {
        provinceCode: provinces.size === 1 ? unit.candidates[0].provinceCode : null,
        communeCode: unit.ambiguous ? null : unit.candidates[0].communeCode,
        candidates: unit.candidates,
        ambiguous: unit.ambiguous,
      };
    }
    if (commune !== undefined || province === undefined) return undefined;

    const prov = attempt(() => units.translateProvince(province));
    if (!prov) return undefined;
    return {
      provinceCode: prov.ambiguous ? null : prov.candidates[0].provinceCode,
      communeCode: null,
      candidates: prov.candidates,
      ambiguous: prov.ambiguous,
    };
  }

  // Copy-on-write: untouched subtrees are returned as they are, so a reply with
  // no address costs one walk and no allocation.
  function walk(value: unknown): unknown {
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const next = walk(value[i]);
        if (next !== value[i]) (out ??= value.slice())[i] = next;
      }
      return out ?? value;
    }
    if (!isPlainObject(value)) return value;

    let out: JsonObject | undefined;
    for (const key of Object.keys(value)) {
      const child = value[key];
      if (typeof child !== 'object' || child === null) continue;
      const next = walk(child);
      if (next !== child) (out ??= { ...value })[key] = next;
    }
    if (!('units2025' in value) && ADDRESS_KEYS.some((k) => typeof value[k] === 'string')) {
      const units2025 = translateAddress(value);
      if (units2025) (out ??= { ...value }).units2025 = units2025;
    }
    return out ?? value;
  }

  return walk;
}

/** Translation steps a route can name in its `translate:` list. */
export const translationSteps: Record<
  string,
  (catalogs: HasAdminUnits) => (value: unknown) => unknown
> = {
  'admin-units-to-2025': (catalogs) => createAddressTranslator(catalogs),
};
