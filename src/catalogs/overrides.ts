import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { GatewayError } from '../message/errors.js';
import { checkSchema, formatPath } from '../config/validate.js';
import { isCatalogName, type CatalogEntry, type CatalogName } from './catalog.js';

/**
 * Operator overrides: `<overridesDir>/<catalogName>.json` extends or replaces a
 * catalog. This is how the codes we could not find (religion, relationship to
 * head of household, districts) get in without a code change.
 *
 *   [ { "code": "01", "vi": "Phật giáo", "en": "Buddhism" } ]         extends
 *   { "replace": true, "entries": [ ... ] }                          replaces
 */

const OverrideEntrySchema = Type.Object(
  {
    code: Type.String({ pattern: '^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$' }),
    vi: Type.String({ minLength: 1 }),
    en: Type.Optional(Type.String({ minLength: 1 })),
    aliases: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    // Administrative units only (province, district, commune).
    era: Type.Optional(Type.Union([Type.Literal('pre2025'), Type.Literal('2025')])),
    provinceCode: Type.Optional(Type.String({ pattern: '^\\d{2}$' })),
  },
  { additionalProperties: false },
);

const EntryListSchema = Type.Array(OverrideEntrySchema);
const ReplaceFileSchema = Type.Object(
  { replace: Type.Optional(Type.Boolean()), entries: EntryListSchema },
  { additionalProperties: false },
);

export type OverrideEntry = Static<typeof OverrideEntrySchema>;

export interface CatalogOverride {
  /** Absolute path of the file, for messages and describeCatalogs(). */
  file: string;
  replace: boolean;
  entries: OverrideEntry[];
}

export type OverrideSet = Partial<Record<CatalogName, CatalogOverride>>;

const ADMIN_CATALOGS: ReadonlySet<CatalogName> = new Set(['province', 'district', 'commune']);
// Translation tables point at province and commune codes from the shipped data;
// replacing those catalogs wholesale would leave translations pointing nowhere.
const EXTEND_ONLY: ReadonlySet<CatalogName> = new Set(['province', 'commune']);

function invalid(file: string, path: string, message: string): GatewayError {
  return new GatewayError(
    'LT_CONFIG_INVALID',
    `catalog override ${basename(file)}: ${path} ${message}`,
    {
      file,
      path,
    },
  );
}

function check<T extends TSchema>(file: string, schema: T, value: unknown): Static<T> {
  const checked = checkSchema(schema, value);
  if (checked.ok) return checked.value;
  const first = checked.issues[0];
  throw invalid(file, formatPath(first.path), first.message);
}

function parseOverrideFile(file: string, name: CatalogName): CatalogOverride {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw invalid(file, '(root)', `is not valid JSON: ${(err as Error).message}`);
  }
  const { replace, entries } = Array.isArray(value)
    ? { replace: false, entries: check(file, EntryListSchema, value) }
    : (() => {
        const parsed = check(file, ReplaceFileSchema, value);
        return { replace: parsed.replace ?? false, entries: parsed.entries };
      })();
  const entriesPrefix = Array.isArray(value) ? '' : 'entries';

  if (replace && EXTEND_ONLY.has(name)) {
    throw invalid(file, 'replace', `is not allowed for ${name}: it can only be extended`);
  }
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    const at = `${entriesPrefix}[${i}]`;
    if (seen.has(entry.code)) throw invalid(file, `${at}.code`, `duplicates code "${entry.code}"`);
    seen.add(entry.code);
    if (
      !ADMIN_CATALOGS.has(name) &&
      (entry.era !== undefined || entry.provinceCode !== undefined)
    ) {
      throw invalid(file, at, `era/provinceCode only apply to province, district and commune`);
    }
  });
  return { file, replace, entries };
}

/**
 * Reads every `<catalogName>.json` in `dir`. A JSON file with any other name is
 * an error, so a misspelt `religon.json` fails at start-up instead of being
 * silently ignored; other files (a README) are skipped.
 */
export function readOverrides(dir: string): OverrideSet {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new GatewayError('LT_CONFIG_INVALID', `catalog overrides directory not found: ${root}`, {
      file: root,
    });
  }
  const set: OverrideSet = {};
  for (const fileName of readdirSync(root).sort()) {
    if (!fileName.endsWith('.json')) continue;
    const file = join(root, fileName);
    const name = fileName.slice(0, -'.json'.length);
    if (!isCatalogName(name)) {
      throw invalid(file, '(file name)', `is not a catalog name (expected <catalog>.json)`);
    }
    set[name] = parseOverrideFile(file, name);
  }
  return set;
}

/** Base entries with the override applied: same code replaces, new code extends. */
export function applyOverride<E extends CatalogEntry>(
  base: Iterable<E>,
  override: CatalogOverride | undefined,
  make: (entry: OverrideEntry) => E,
): E[] {
  if (!override) return [...base];
  const fromFile = override.entries.map(make);
  if (override.replace) return fromFile;
  const byCode = new Map<string, E>();
  for (const entry of base) byCode.set(entry.code, entry);
  for (const entry of fromFile) byCode.set(entry.code, entry);
  return [...byCode.values()];
}

export function withOverrideSource(source: string, override: CatalogOverride | undefined): string {
  if (!override) return source;
  const how = override.replace ? 'replaced by' : 'extended by';
  return `${source}; ${how} ${override.file}`;
}

/** A plain catalog entry from an override line; English falls back to the Vietnamese. */
export function plainEntry(entry: OverrideEntry): CatalogEntry {
  const base = { code: entry.code, vi: entry.vi, en: entry.en ?? entry.vi };
  return entry.aliases ? { ...base, aliases: entry.aliases } : base;
}
