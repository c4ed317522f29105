import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  loadCatalogs,
  makeCccd,
  validateCccd,
  type CccdReason,
} from '../../../src/catalogs/index.js';
import { thrown } from './helpers.js';

// R2 / DOMAIN.md §6: the 12-digit personal identification number. All numbers here are
// the public format example from DOMAIN.md or generated fakes.
const SAMPLE = '026092017345'; // Vĩnh Phúc, male, born 1992 (format example)
const catalogs = loadCatalogs();

function reasonOf(run: () => unknown): CccdReason {
  const err = thrown(run);
  expect(err.code).toBe('LT_CCCD_INVALID');
  return err.data?.reason as CccdReason;
}

describe('CCCD validation (DOMAIN.md §6)', () => {
  it('accepts the format example and decodes it', () => {
    expect(validateCccd(SAMPLE, { birthDate: '19921122', sex: '1' })).toEqual({
      ok: true,
      provinceCode: '026',
      centuryDigit: 0,
      century: 1900,
      sex: '1',
      birthYear2: '92',
      birthYear: 1992,
    });
    expect(validateCccd(SAMPLE, { birthDate: '1992' }).birthYear).toBe(1992);
    expect(catalogs.cccd.validate(SAMPLE).provinceCode).toBe('026');
  });

  it('knows the 63 pre-2025 province prefixes, "0" + the old code', () => {
    expect(catalogs.cccd.prefixes.size).toBe(63);
    expect(catalogs.cccd.prefixes.has('001')).toBe(true); // Hà Nội
    expect(catalogs.cccd.prefixes.has('096')).toBe(true); // Cà Mau
    expect(catalogs.cccd.prefixes.has('026')).toBe(true); // Vĩnh Phúc, merged into Phú Thọ in 2025
    for (const code of catalogs.adminUnits.oldProvinceCodes)
      expect(catalogs.cccd.prefixes.has(`0${code}`)).toBe(true);
  });

  it.each([
    ['02609200826', 'eleven digits'],
    ['0260920173450', 'thirteen digits'],
    ['02609200826a', 'a letter'],
    [`${SAMPLE} `, 'a trailing space'],
    ['', 'empty'],
    // Digits are ASCII: an upstream Long.parseLong reads these as numbers.
    [
      '\u0660\u0662\u0666\u0660\u0669\u0662\u0660\u0661\u0667\u0663\u0664\u0665',
      'Arabic-Indic digits',
    ],
    [
      '\uff10\uff12\uff16\uff10\uff19\uff12\uff10\uff11\uff17\uff13\uff14\uff15',
      'fullwidth digits',
    ],
    ['02609201734\u0665', 'one Arabic-Indic digit'],
    ['\u0966\u0968\u096c092017345', 'Devanagari digits'],
  ])('rejects %j (%s) with reason format', (id) => {
    expect(reasonOf(() => validateCccd(id))).toBe('format');
  });

  it('rejects a number given as something other than a string', () => {
    expect(reasonOf(() => validateCccd(26092008262 as unknown as string))).toBe('format');
  });

  it.each(['000092008262', '003092008262', '099092008262', '126092008262'])(
    'rejects unknown province prefix %s with reason prefix',
    (id) => {
      expect(reasonOf(() => validateCccd(id))).toBe('prefix');
    },
  );

  it('decodes every century/sex digit', () => {
    const now = new Date('2400-01-01T00:00:00Z');
    const expected = [
      [1900, '1'],
      [1900, '2'],
      [2000, '1'],
      [2000, '2'],
      [2100, '1'],
      [2100, '2'],
      [2200, '1'],
      [2200, '2'],
      [2300, '1'],
      [2300, '2'],
    ];
    for (let digit = 0; digit <= 9; digit++) {
      const info = validateCccd(`026${digit}05123456`, { now });
      expect([info.century, info.sex]).toEqual(expected[digit]);
      expect(info.birthYear).toBe((expected[digit][0] as number) + 5);
    }
  });

  it('rejects a century digit that disagrees with the birth date: reason century', () => {
    expect(reasonOf(() => validateCccd(SAMPLE, { birthDate: '20921122' }))).toBe('century');
    expect(reasonOf(() => validateCccd('026205123456', { birthDate: '19050101' }))).toBe('century');
  });

  it('rejects year digits that disagree with the birth date: reason year-mismatch', () => {
    expect(reasonOf(() => validateCccd(SAMPLE, { birthDate: '19931122' }))).toBe('year-mismatch');
    expect(reasonOf(() => validateCccd(SAMPLE, { birthDate: '1982' }))).toBe('year-mismatch');
  });

  it('rejects a sex that disagrees with digit 4: reason sex-mismatch; 0 (no information) is not checked', () => {
    expect(reasonOf(() => validateCccd(SAMPLE, { sex: '2' }))).toBe('sex-mismatch');
    expect(validateCccd(SAMPLE, { sex: '0' }).sex).toBe('1');
    expect(reasonOf(() => validateCccd('026192008262', { sex: '1' }))).toBe('sex-mismatch');
  });

  it('rejects a birth year in the future: reason future-birth-year', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(reasonOf(() => validateCccd('026230123456', { now }))).toBe('future-birth-year'); // 2030
    expect(reasonOf(() => validateCccd('026405123456', { now }))).toBe('future-birth-year'); // 2105
    expect(validateCccd('026226123456', { now }).birthYear).toBe(2026);
  });

  it('rejects a malformed birth date: reason birth-date-format', () => {
    expect(reasonOf(() => validateCccd(SAMPLE, { birthDate: '1992-11-22' }))).toBe(
      'birth-date-format',
    );
    expect(reasonOf(() => validateCccd(SAMPLE, { birthDate: '92' }))).toBe('birth-date-format');
  });

  it('rejects a birth date that is no day of the calendar: reason birth-date-invalid', () => {
    for (const birthDate of [
      '19921399',
      '19921300',
      '19920001',
      '19920230',
      '19921100',
      '19910229',
    ])
      expect(reasonOf(() => validateCccd(SAMPLE, { birthDate }))).toBe('birth-date-invalid');
    expect(validateCccd('026096017345', { birthDate: '19960229' }).birthYear).toBe(1996); // leap year
    expect(validateCccd(SAMPLE, { birthDate: '19921231' }).ok).toBe(true);
  });

  it('rejects a sex value outside the NPD sex catalog as invalid, not as a mismatch', () => {
    for (const sex of ['3', '9', 'M', '01'])
      expect(reasonOf(() => validateCccd(SAMPLE, { sex }))).toBe('sex-invalid');
    expect(validateCccd(SAMPLE, { sex: '1' }).sex).toBe('1');
  });

  it('does not put the number itself in the error text (personal data)', () => {
    const err = thrown(() => validateCccd('026092017345', { sex: '2' }));
    expect(err.message).not.toContain('026092017345');
  });
});

describe('makeCccd (fakes for simulators)', () => {
  it('builds the digits from province, sex, year and the random source', () => {
    expect(
      makeCccd({ provinceCode: '026', sex: '1', birthYear: 1992, random: () => 0.017345 }),
    ).toBe('026092017345');
    expect(makeCccd({ provinceCode: '79', sex: '2', birthYear: 2005, random: () => 0 })).toBe(
      '079305000000',
    );
    expect(
      makeCccd({ provinceCode: '001', sex: '1', birthYear: 2000, random: () => 0.999999999 }),
    ).toBe('001200999999');
  });

  it('refuses inputs that cannot make a valid number', () => {
    expect(reasonOf(() => makeCccd({ provinceCode: '003', sex: '1', birthYear: 1990 }))).toBe(
      'prefix',
    );
    expect(reasonOf(() => makeCccd({ provinceCode: '026', sex: '1', birthYear: 1899 }))).toBe(
      'century',
    );
    expect(reasonOf(() => makeCccd({ provinceCode: '026', sex: '1', birthYear: 3000 }))).toBe(
      'century',
    );
    expect(
      reasonOf(() => makeCccd({ provinceCode: '026', sex: '0' as '1', birthYear: 1990 })),
    ).toBe('sex-invalid');
    expect(
      reasonOf(() => makeCccd({ provinceCode: '026', sex: '1', birthYear: 1990, random: () => 1 })),
    ).toBe('format');
    const future = new Date().getFullYear() + 1;
    expect(reasonOf(() => makeCccd({ provinceCode: '026', sex: '1', birthYear: future }))).toBe(
      'future-birth-year',
    );
  });

  it('always makes a number that validates with the same province, sex and year (property)', () => {
    const prefixes = [...catalogs.cccd.prefixes];
    const thisYear = new Date().getFullYear();
    fc.assert(
      fc.property(
        fc.constantFrom(...prefixes),
        fc.constantFrom<'1' | '2'>('1', '2'),
        fc.integer({ min: 1900, max: thisYear }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (provinceCode, sex, birthYear, r) => {
          const id = makeCccd({ provinceCode, sex, birthYear, random: () => r });
          const info = validateCccd(id, { birthDate: `${birthYear}0101`, sex });
          expect(info.provinceCode).toBe(provinceCode);
          expect(info.sex).toBe(sex);
          expect(info.birthYear).toBe(birthYear);
          expect(info.birthYear2).toBe(String(birthYear % 100).padStart(2, '0'));
        },
      ),
      { numRuns: 500 },
    );
  });
});
