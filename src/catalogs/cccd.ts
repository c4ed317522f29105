import { GatewayError } from '../message/errors.js';

/**
 * CCCD / số định danh cá nhân, 12 digits (NĐ 137/2015 art. 13, TT 07/2016/TT-BCA,
 * Luật Căn cước 2023 art. 12): 3-digit birth-registration province, one digit for
 * century and sex, two for the birth year, six random. There is no checksum, so
 * these structural rules are all a gateway can check.
 */

export type CccdReason =
  | 'format'
  | 'prefix'
  | 'century'
  | 'future-birth-year'
  | 'year-mismatch'
  | 'sex-mismatch'
  | 'sex-invalid'
  | 'birth-date-format'
  | 'birth-date-invalid';

export type NpdSex = '1' | '2';

export interface CccdInfo {
  readonly ok: true;
  /** Digits 1–3: "0" + the pre-2025 two-digit province code, e.g. '026'. */
  readonly provinceCode: string;
  /** Digit 4, 0–9: century and sex together. */
  readonly centuryDigit: number;
  /** First year of the birth century: 1900, 2000, … */
  readonly century: number;
  /** NPD sex code: '1' male, '2' female. */
  readonly sex: NpdSex;
  /** Digits 5–6, as written ('05', not 5). */
  readonly birthYear2: string;
  readonly birthYear: number;
}

export interface CccdCheckOptions {
  /** `yyyyMMdd` (NgayThangNam) or `yyyy` (Nam). */
  birthDate?: string;
  /** NPD GioiTinh; '0' (no information) and '' are not checked. */
  sex?: string;
  /** Clock for the "born in the future" rule; tests pin it. */
  now?: Date;
}

export type CccdValidator = (id: string, opts?: CccdCheckOptions) => CccdInfo;

function invalid(reason: CccdReason, detail: string): GatewayError {
  return new GatewayError('LT_CCCD_INVALID', `${reason}: ${detail}`, { reason });
}

// Digit 4 = 2 × (centuries since 1900) + (0 male, 1 female): 0/1 1900s, 2/3 2000s … 8/9 2300s.
function centuryOf(digit: number): number {
  return 1900 + Math.floor(digit / 2) * 100;
}

function sexOf(digit: number): NpdSex {
  return digit % 2 === 0 ? '1' : '2';
}

// ASCII digits, written out: `\d` means any Unicode decimal digit in XSD and
// in other engines (Python, Java with UNICODE_CHARACTER_CLASS), and a Java
// `Long.parseLong` upstream reads "٠٥٢…" (Arabic-Indic) as a number.
const CCCD_FORMAT = /^[0-9]{12}$/;
const BIRTH_DATE_FORMAT = /^([0-9]{4})(?:([0-9]{2})([0-9]{2}))?$/;
/** NPD GioiTinh codes (the sex catalog): 0 no information, 1 male, 2 female. */
const NPD_SEX_CODES: ReadonlySet<string> = new Set(['0', '1', '2']);

/** yyyy-MM-dd is a day of the (proleptic Gregorian) calendar: no month 13, no 30 February. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Builds the validator over the set of known 3-digit prefixes (the 63 pre-2025
 * provinces; a person's number is lifelong, so the 2025 merger changed none).
 */
export function createCccdValidator(prefixes: ReadonlySet<string>): CccdValidator {
  return (id, opts = {}) => {
    if (typeof id !== 'string' || !CCCD_FORMAT.test(id)) {
      throw invalid('format', 'a personal id is exactly 12 digits');
    }
    const provinceCode = id.slice(0, 3);
    if (!prefixes.has(provinceCode)) {
      throw invalid('prefix', `"${provinceCode}" is not a known province of birth registration`);
    }
    const centuryDigit = id.charCodeAt(3) - 48;
    const century = centuryOf(centuryDigit);
    const sex = sexOf(centuryDigit);
    const birthYear2 = id.slice(4, 6);
    const birthYear = century + Number(birthYear2);

    if (opts.birthDate !== undefined && opts.birthDate !== '') {
      const match = BIRTH_DATE_FORMAT.exec(opts.birthDate);
      if (!match) throw invalid('birth-date-format', 'birth date must be yyyyMMdd or yyyy');
      const year = Number(match[1]);
      if (match[2] !== undefined && !isCalendarDate(year, Number(match[2]), Number(match[3])))
        throw invalid('birth-date-invalid', 'the birth date is not a day of the calendar');
      if (year - (year % 100) !== century) {
        throw invalid('century', `digit 4 gives the ${century}s, the birth date says ${year}`);
      }
      if (match[1].slice(2) !== birthYear2) {
        throw invalid(
          'year-mismatch',
          `digits 5–6 give ${birthYear2}, the birth date says ${year}`,
        );
      }
    }
    // After the birth-date rules: when a date is given, its mismatch is the clearer reason.
    const now = opts.now ?? new Date();
    if (birthYear > now.getFullYear()) {
      throw invalid(
        'future-birth-year',
        `digits 4–6 give birth year ${birthYear}, which is in the future`,
      );
    }
    if (opts.sex !== undefined && opts.sex !== '' && !NPD_SEX_CODES.has(opts.sex)) {
      throw invalid('sex-invalid', 'the sex given is not an NPD sex code (0, 1, 2)');
    }
    if (opts.sex !== undefined && opts.sex !== '' && opts.sex !== '0' && opts.sex !== sex) {
      throw invalid('sex-mismatch', `digit 4 gives sex ${sex}, the record says ${opts.sex}`);
    }
    return { ok: true, provinceCode, centuryDigit, century, sex, birthYear2, birthYear };
  };
}

export interface MakeCccdOptions {
  /** '026' or the two-digit '26'. */
  provinceCode: string;
  sex: NpdSex;
  birthYear: number;
  /** Returns [0, 1); pass a seeded one for reproducible fakes. Defaults to Math.random. */
  random?: () => number;
}

/**
 * A structurally valid fake number, for simulators and tests only: real
 * numbers are issued by the Ministry of Public Security and are personal data.
 */
export function createCccdMaker(prefixes: ReadonlySet<string>) {
  return (opts: MakeCccdOptions): string => {
    const prefix = opts.provinceCode.length === 2 ? `0${opts.provinceCode}` : opts.provinceCode;
    if (!prefixes.has(prefix)) {
      throw invalid(
        'prefix',
        `"${opts.provinceCode}" is not a known province of birth registration`,
      );
    }
    if (opts.sex !== '1' && opts.sex !== '2')
      throw invalid('sex-invalid', 'sex must be "1" or "2"');
    const year = opts.birthYear;
    if (!Number.isInteger(year) || year < 1900 || year > 2399) {
      throw invalid('century', 'birth year must be an integer from 1900 to 2399');
    }
    if (year > new Date().getFullYear()) {
      throw invalid('future-birth-year', `birth year ${year} is in the future`);
    }
    const centuryDigit = ((year - 1900 - (year % 100)) / 100) * 2 + (opts.sex === '1' ? 0 : 1);
    const r = (opts.random ?? Math.random)();
    if (!(r >= 0 && r < 1)) throw invalid('format', 'random() must return a number in [0, 1)');
    const serial = String(Math.floor(r * 1_000_000)).padStart(6, '0');
    return `${prefix}${centuryDigit}${String(year % 100).padStart(2, '0')}${serial}`;
  };
}
