import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GatewayError } from '../message/errors.js';
import type { CatalogEntry } from './catalog.js';

/**
 * ISO 3166-1 alpha-2 countries (QCVN 109 Annex H). The code list and the
 * English names come from i18n-iso-countries; the Vietnamese name is CLDR's,
 * through Node's own `Intl.DisplayNames('vi', { type: 'region' })`, which is
 * better kept: i18n-iso-countries' Vietnamese file leaves some twenty names in
 * English (Austria for Áo, Antarctica for Nam Cực). Its Vietnamese names stay
 * as aliases. We read its locale files directly instead of registering locales
 * on its global singleton, which other code may share.
 */
interface LocaleFile {
  locale: string;
  countries: Record<string, string | string[]>;
}

const require = createRequire(import.meta.url);

function readLocale(lang: 'vi' | 'en'): LocaleFile {
  const file = require.resolve(`i18n-iso-countries/langs/${lang}.json`);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as LocaleFile;
  if (typeof parsed?.countries !== 'object' || parsed.countries === null) {
    throw new GatewayError('LT_CONFIG_INVALID', `${file}: no "countries" object`, { file });
  }
  return parsed;
}

/** First name is the usual one; the rest become aliases. */
function names(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export const COUNTRY_SOURCE =
  'ISO 3166-1 alpha-2 codes and English names from i18n-iso-countries (MIT); Vietnamese names from CLDR via Intl.DisplayNames (Node ICU), i18n-iso-countries vi as aliases';

/**
 * User-assigned codes the package lists that ISO 3166-1 does not assign (XK,
 * used for Kosovo by some registries). An operator can still add one with an
 * override file.
 */
const NOT_ISO_3166_1: ReadonlySet<string> = new Set(['XK']);

/** CLDR's Vietnamese name, or undefined where this Node has no such data (a small-icu build). */
function cldrVietnamese(): (code: string) => string | undefined {
  let names: Intl.DisplayNames;
  try {
    names = new Intl.DisplayNames(['vi'], { type: 'region', fallback: 'none' });
  } catch {
    return () => undefined;
  }
  if (names.resolvedOptions().locale.split('-')[0] !== 'vi') return () => undefined;
  return (code) => names.of(code);
}

export function loadCountries(): CatalogEntry[] {
  const vi = readLocale('vi').countries;
  const en = readLocale('en').countries;
  const cldr = cldrVietnamese();
  const entries: CatalogEntry[] = [];
  for (const code of Object.keys(en).sort()) {
    if (NOT_ISO_3166_1.has(code)) continue;
    const enNames = names(en[code]);
    const primaryEn = enNames[0] ?? code;
    const viNames = names(vi[code]);
    const primaryVi = cldr(code) ?? viNames[0] ?? primaryEn;
    const aliases = [...new Set([...viNames, ...enNames.slice(1)])].filter((n) => n !== primaryVi);
    entries.push(
      aliases.length > 0
        ? { code, vi: primaryVi, en: primaryEn, aliases }
        : { code, vi: primaryVi, en: primaryEn },
    );
  }
  return entries;
}
