import { GatewayError } from '../message/errors.js';

/**
 * One code of a shared catalog (R2). Codes are always strings: the population
 * database sends '01', '09106', and a number would lose the leading zero.
 */
export interface CatalogEntry {
  readonly code: string;
  /** Vietnamese name, as the national catalog writes it. */
  readonly vi: string;
  readonly en: string;
  /** Other names seen for the same code (spelling variants, common names). */
  readonly aliases?: readonly string[];
}

/** The eleven catalogs of R2, by the name code and override files use. */
export const CATALOG_NAMES = [
  'bloodGroup',
  'sex',
  'ethnicity',
  'religion',
  'maritalStatus',
  'nationality',
  'country',
  'province',
  'district',
  'commune',
  'householdRelation',
] as const;

export type CatalogName = (typeof CATALOG_NAMES)[number];

const catalogNameSet: ReadonlySet<string> = new Set(CATALOG_NAMES);

export function isCatalogName(name: string): name is CatalogName {
  return catalogNameSet.has(name);
}

export interface Catalog<E extends CatalogEntry = CatalogEntry> {
  readonly name: string;
  readonly description: string;
  /** Where the codes come from (shown by describeCatalogs and the docs). */
  readonly source: string;
  readonly entries: ReadonlyMap<string, E>;
  has(code: string): boolean;
  lookup(code: string): E | undefined;
  /** The entry, or GatewayError LT_CATALOG_UNKNOWN_CODE naming catalog and code. */
  require(code: string): E;
}

export function unknownCode(catalog: string, code: string, why?: string): GatewayError {
  const detail = `code "${code}" is not in catalog ${catalog}${why ? ` (${why})` : ''}`;
  return new GatewayError('LT_CATALOG_UNKNOWN_CODE', detail, { catalog, code });
}

class CodeTable<E extends CatalogEntry> implements Catalog<E> {
  constructor(
    readonly name: string,
    readonly description: string,
    readonly source: string,
    readonly entries: ReadonlyMap<string, E>,
  ) {}

  has(code: string): boolean {
    return this.entries.has(code);
  }

  lookup(code: string): E | undefined {
    return this.entries.get(code);
  }

  require(code: string): E {
    const entry = this.entries.get(code);
    if (entry === undefined) throw unknownCode(this.name, code);
    return entry;
  }
}

export interface CatalogSpec<E extends CatalogEntry> {
  name: string;
  description: string;
  source: string;
  entries: Iterable<E>;
}

/**
 * Builds a catalog; entries are frozen so a caller holding one cannot change
 * what every other exchange sees. A later entry with the same code wins, which
 * is how overrides replace a built-in code.
 */
export function createCatalog<E extends CatalogEntry>(spec: CatalogSpec<E>): Catalog<E> {
  const map = new Map<string, E>();
  for (const entry of spec.entries) map.set(entry.code, Object.freeze(entry));
  return new CodeTable(spec.name, spec.description, spec.source, map);
}
