import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GatewayError } from '../message/errors.js';
import type { CatalogEntry } from './catalog.js';

/**
 * ISO 3166-1 alpha-2 countries (QCVN 109 Annex H) with Vietnamese and English
 * names from i18n-iso-countries. We read its locale files directly instead of
 * registering locales on its global singleton, which other code may share.
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

export const COUNTRY_SOURCE = 'i18n-iso-countries (MIT), locales vi and en; ISO 3166-1 alpha-2';

export function loadCountries(): CatalogEntry[] {
  const vi = readLocale('vi').countries;
  const en = readLocale('en').countries;
  const entries: CatalogEntry[] = [];
  for (const code of Object.keys(en).sort()) {
    const enNames = names(en[code]);
    const viNames = names(vi[code]);
    const primaryEn = enNames[0] ?? code;
    const primaryVi = viNames[0] ?? primaryEn;
    const aliases = [...viNames.slice(1), ...enNames.slice(1)];
    entries.push(
      aliases.length > 0
        ? { code, vi: primaryVi, en: primaryEn, aliases }
        : { code, vi: primaryVi, en: primaryEn },
    );
  }
  return entries;
}
