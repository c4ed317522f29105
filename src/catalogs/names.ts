/**
 * English names for pre-2025 units, which the merge data gives only in
 * Vietnamese: the unit type is translated and the proper name is written
 * without diacritics, the same convention as the 2026 data ("Ngoc Ha Ward").
 */

/** Removes Vietnamese diacritics; đ/Đ are letters of their own, not combining marks. */
export function foldDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');
}

// Longest prefixes first so "Thành phố" is not read as an unknown one-word type.
const UNIT_TYPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^thành phố\s+/i, 'City'],
  [/^thị trấn\s+/i, 'Township'],
  [/^đặc khu\s+/i, 'Special Zone'],
  [/^phường\s+/i, 'Ward'],
  [/^huyện\s+/i, 'District'],
  [/^tỉnh\s+/i, 'Province'],
  [/^xã\s+/i, 'Commune'],
];

export function englishUnitName(viFullName: string): string {
  for (const [prefix, type] of UNIT_TYPES) {
    if (prefix.test(viFullName)) return `${foldDiacritics(viFullName.replace(prefix, ''))} ${type}`;
  }
  return foldDiacritics(viFullName);
}

/**
 * A comparison key for unit names that ignores case, diacritics and the unit
 * type, so "Xã Ba Chẽ" and "Phường Ba Chẽ" match (used only to reconcile the two
 * data files, never to translate a code).
 */
export function nameKey(viFullName: string): string {
  // Only the first prefix is the type: "Phường Xã Đàn" is the ward named "Xã Đàn".
  const type = UNIT_TYPES.find(([prefix]) => prefix.test(viFullName));
  const name = type ? viFullName.replace(type[0], '') : viFullName;
  return foldDiacritics(name).toLowerCase().replace(/\s+/g, ' ').trim();
}
