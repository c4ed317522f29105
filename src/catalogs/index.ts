import { resolve } from 'node:path';
import { GatewayError } from '../message/errors.js';
import { buildAdminUnits, type AdminUnitEntry, type AdminUnits } from './admin-units.js';
import * as builtin from './builtin.js';
import {
  CATALOG_NAMES,
  createCatalog,
  isCatalogName,
  type Catalog,
  type CatalogName,
} from './catalog.js';
import {
  createCccdMaker,
  createCccdValidator,
  type CccdCheckOptions,
  type CccdInfo,
  type CccdValidator,
  type MakeCccdOptions,
} from './cccd.js';
import { COUNTRY_SOURCE, loadCountries } from './countries.js';
import { readReferenceData, type ReferenceData } from './data-files.js';
import {
  applyOverride,
  plainEntry,
  readOverrides,
  withOverrideSource,
  type OverrideSet,
} from './overrides.js';

export type { Catalog, CatalogEntry, CatalogName } from './catalog.js';
export { CATALOG_NAMES, isCatalogName } from './catalog.js';
export type {
  AdminLevel,
  AdminUnitEntry,
  AdminUnits,
  CommuneCandidate,
  CommuneTranslation,
  ConsistencyReport,
  CorrectionReport,
  Era,
  LoadReport,
  MergeCheckReport,
  ProvinceCandidate,
  ProvinceTranslation,
  Translation,
} from './admin-units.js';
export type { EthnicityNumbering } from './builtin.js';
export type { CccdCheckOptions, CccdInfo, CccdReason, MakeCccdOptions, NpdSex } from './cccd.js';
export {
  createAddressTranslator,
  translationSteps,
  type AddressTranslator,
  type AddressTranslatorOptions,
  type CodeDisagreement,
  type TranslationFinding,
  type Units2025,
} from './address-translator.js';

export interface LoadCatalogsOptions {
  /** Directory of `<catalogName>.json` operator overrides (config `catalogOverridesDir`). */
  overridesDir?: string;
  /** Where the reference data lives; found automatically (`data/` of the project) when omitted. */
  dataDir?: string;
  /**
   * Which numbering the ethnicity catalog uses: QĐ 1019/QĐ-TCTK (2008), the one
   * QCVN 109:2017 Annex E gives for population-database messages (the default),
   * or the older QĐ 121-TCTK/PPCĐ (1979) that some systems still send.
   */
  ethnicityNumbering?: builtin.EthnicityNumbering;
}

export interface Catalogs {
  /** A catalog by name; an unknown name is a configuration error (LT_CONFIG_INVALID). */
  get(name: string): Catalog;
  readonly names: readonly CatalogName[];
  readonly bloodGroup: Catalog;
  readonly sex: Catalog;
  readonly ethnicity: Catalog;
  readonly religion: Catalog;
  readonly maritalStatus: Catalog;
  readonly nationality: Catalog;
  readonly country: Catalog;
  readonly province: Catalog<AdminUnitEntry>;
  readonly district: Catalog<AdminUnitEntry>;
  readonly commune: Catalog<AdminUnitEntry>;
  readonly householdRelation: Catalog;
  readonly adminUnits: AdminUnits;
  readonly cccd: {
    validate: CccdValidator;
    make: (opts: MakeCccdOptions) => string;
    /** Known 3-digit prefixes ("0" + each pre-2025 province code). */
    readonly prefixes: ReadonlySet<string>;
  };
}

const referenceCache = new Map<string, ReferenceData>();

/** Parsed reference files, per data directory; read-only after load, so safe to share. */
function referenceData(dataDir?: string): ReferenceData {
  const key = dataDir === undefined ? '' : resolve(dataDir);
  let data = referenceCache.get(key);
  if (!data) {
    data = readReferenceData(dataDir);
    referenceCache.set(key, data);
  }
  return data;
}

function plainCatalog(
  name: CatalogName,
  table: builtin.BuiltinTable,
  overrides: OverrideSet,
): Catalog {
  const override = overrides[name];
  return createCatalog({
    name,
    description: table.description,
    source: withOverrideSource(table.source, override),
    entries: applyOverride(table.entries, override, plainEntry),
  });
}

/**
 * Loads every catalog, synchronously: about 2.5 MB of JSON read and indexed once
 * at start-up (tens of milliseconds), after which every lookup and translation
 * is a Map access. Call it once and share the result.
 */
export function buildCatalogs(opts: LoadCatalogsOptions = {}): Catalogs {
  const overrides = opts.overridesDir ? readOverrides(opts.overridesDir) : {};
  const data = referenceData(opts.dataDir);
  const adminUnits = buildAdminUnits(data, overrides);
  const countries = loadCountries();
  const isoTable = (description: string): builtin.BuiltinTable => ({
    description,
    source: COUNTRY_SOURCE,
    entries: countries,
  });

  const prefixes: ReadonlySet<string> = new Set(
    adminUnits.oldProvinceCodes.map((code) => `0${code}`),
  );
  const byName: Record<CatalogName, Catalog> = {
    bloodGroup: plainCatalog('bloodGroup', builtin.bloodGroup, overrides),
    sex: plainCatalog('sex', builtin.sex, overrides),
    ethnicity: plainCatalog(
      'ethnicity',
      builtin.ethnicityNumberings[opts.ethnicityNumbering ?? builtin.DEFAULT_ETHNICITY_NUMBERING],
      overrides,
    ),
    religion: plainCatalog('religion', builtin.religion, overrides),
    maritalStatus: plainCatalog('maritalStatus', builtin.maritalStatus, overrides),
    nationality: plainCatalog(
      'nationality',
      isoTable('Quốc tịch (nationality), ISO 3166-1 alpha-2'),
      overrides,
    ),
    country: plainCatalog('country', isoTable('Quốc gia (country), ISO 3166-1 alpha-2'), overrides),
    province: adminUnits.province,
    district: adminUnits.district,
    commune: adminUnits.commune,
    householdRelation: plainCatalog('householdRelation', builtin.householdRelation, overrides),
  };

  return Object.freeze({
    ...byName,
    // Restated with their precise entry type (byName only knows them as Catalog).
    province: adminUnits.province,
    district: adminUnits.district,
    commune: adminUnits.commune,
    names: CATALOG_NAMES,
    get(name: string): Catalog {
      if (!isCatalogName(name)) {
        throw new GatewayError('LT_CONFIG_INVALID', `unknown catalog "${name}"`, { catalog: name });
      }
      return byName[name];
    },
    adminUnits,
    cccd: Object.freeze({
      validate: createCccdValidator(prefixes),
      make: createCccdMaker(prefixes),
      prefixes,
    }),
  });
}

let defaultCatalogs: Catalogs | undefined;

/**
 * The catalogs: without options, loaded on first use and then shared (the
 * shipped data never changes while the process runs). With options, built
 * afresh so a reload picks up edited override files; the parsed reference data
 * is shared either way. A bad override file throws LT_CONFIG_INVALID.
 */
export function loadCatalogs(opts: LoadCatalogsOptions = {}): Catalogs {
  if (
    opts.overridesDir === undefined &&
    opts.dataDir === undefined &&
    opts.ethnicityNumbering === undefined
  ) {
    return (defaultCatalogs ??= buildCatalogs());
  }
  return buildCatalogs(opts);
}

/** Validates a CCCD against the shipped province list (see cccd.ts for the rules). */
export function validateCccd(id: string, opts?: CccdCheckOptions): CccdInfo {
  return loadCatalogs().cccd.validate(id, opts);
}

/** A structurally valid fake CCCD for simulators and tests (never a real person's). */
export function makeCccd(opts: MakeCccdOptions): string {
  return loadCatalogs().cccd.make(opts);
}

export interface CatalogSummary {
  name: CatalogName;
  description: string;
  entries: number;
  source: string;
}

/** One line per catalog, for the docs and the admin API. */
export function describeCatalogs(catalogs: Catalogs = loadCatalogs()): CatalogSummary[] {
  return catalogs.names.map((name) => {
    const catalog = catalogs.get(name);
    return {
      name,
      description: catalog.description,
      entries: catalog.entries.size,
      source: catalog.source,
    };
  });
}
