import { loadCatalogs, type Catalogs } from '../../src/catalogs/index.js';
import { HOUSEHOLD_RELATION } from './constants.js';
import {
  BLOOD_GROUP_WEIGHTS,
  ETHNICITY_WEIGHTS,
  FAMILY_NAMES,
  GIVEN_NAMES_FEMALE,
  GIVEN_NAMES_MALE,
  MIDDLE_NAMES_FEMALE,
  MIDDLE_NAMES_MALE,
  RELIGION_WEIGHTS,
  STREETS,
} from './population-data.js';

/**
 * A seeded, deterministic population of FAKE citizens for the NPD simulator
 * (no real person's data: names are drawn from common name lists, ids are
 * structurally valid but random). Same seed and size → the same people.
 *
 * What makes it useful for testing a gateway:
 * - households (a head with CH01, spouse, children, sometimes a parent) whose
 *   members point at each other as father, mother, spouse, representative;
 * - CCCD numbers that agree with sex, birth year and the birth-registration
 *   province (its pre-2025 code, "0" + 2 digits);
 * - current and permanent residence in the 2025 two-tier units (province +
 *   commune, no district), birth registration and hometown in pre-2025 units
 *   so the admin-unit translation has real work: a pre-2025 commune is used
 *   only when its old province is certain (a new province made of a single
 *   old one) and its code is not also a 2025 commune code; otherwise the
 *   address names the old province only. No district code is invented (the
 *   reference data has none for pre-2025 communes);
 * - some deceased and missing citizens (XacMinhTinhTrangChetMatTich).
 *
 * Reference date: 1 July 2025 (ages and dates are computed from it, not from
 * the clock, so the population does not change over time).
 */

export interface SimAddress {
  provinceCode: string;
  /** Always '' here (2025 units have no district; pre-2025 district codes are not derivable). */
  districtCode: string;
  communeCode: string;
  detail: string;
  country: string;
}

export interface SimPersonRef {
  fullName: string;
  idNumber: string;
  oldIdNumber: string;
  nationality: string;
}

export interface SimCitizen {
  idNumber: string;
  oldIdNumber: string;
  name: { last: string; middle: string; first: string };
  fullName: string;
  sex: '1' | '2';
  ethnicity: string;
  religion: string;
  /** 1 never married, 2 married, 3 divorced or widowed. */
  maritalStatus: string;
  bloodGroup: string;
  /** yyyyMMdd */
  birthDate: string;
  birthRegistration: SimAddress;
  hometown: SimAddress;
  permanentResidence: SimAddress;
  currentResidence: SimAddress;
  nationality: string;
  father?: SimPersonRef;
  mother?: SimPersonRef;
  spouse?: SimPersonRef;
  representative?: SimPersonRef;
  household: {
    bookNumber: string;
    headId: string;
    headName: string;
    headOldId: string;
    relation: string;
  };
  /** 1 alive, 2 deceased, 3 missing (designed codes, see constants.ts). */
  status: '1' | '2' | '3';
  /** yyyyMMdd of death or of the declaration of missing; '' when alive. */
  statusDate: string;
}

export interface Population {
  readonly seed: number;
  readonly citizens: readonly SimCitizen[];
  readonly byId: ReadonlyMap<string, SimCitizen>;
  readonly byOldId: ReadonlyMap<string, SimCitizen>;
  /** Household book number → members, head first. */
  readonly households: ReadonlyMap<string, readonly SimCitizen[]>;
}

export interface PopulationOptions {
  seed: number;
  size: number;
  /** Defaults to the shared catalogs (loaded once). */
  catalogs?: Catalogs;
}

const REFERENCE_YEAR = 2025;
const REFERENCE_DATE = '20250701';

// ---- seeded randomness ------------------------------------------------------

/** xorshift32 (Marsaglia 2003) over a scrambled seed: small, fast, deterministic. */
function makeRandom(seed: number): () => number {
  let x = (Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ 0xc2b2ae35) | 0;
  if (x === 0) x = 0x6d2b79f5;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

class Dice {
  constructor(readonly random: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }
  weighted<T>(table: ReadonlyArray<readonly [T, number]>, total: number): T {
    let r = this.random() * total;
    for (const [v, w] of table) {
      r -= w;
      if (r < 0) return v;
    }
    return table[table.length - 1][0];
  }
}

const sum = (t: ReadonlyArray<readonly [unknown, number]>) => t.reduce((a, [, w]) => a + w, 0);
const FAMILY_TOTAL = sum(FAMILY_NAMES);
const ETHNICITY_TOTAL = sum(ETHNICITY_WEIGHTS);
const BLOOD_TOTAL = sum(BLOOD_GROUP_WEIGHTS);
const RELIGION_TOTAL = sum(RELIGION_WEIGHTS);

// ---- geography, prepared once per catalogs object ------------------------------

interface Geography {
  newProvinces: string[];
  /** Cumulative commune counts, to draw provinces in proportion to their size. */
  newProvinceCumulative: number[];
  communesOf: Map<string, string[]>;
  oldProvinces: string[];
  oldProvincesOf: Map<string, string[]>;
  oldProvinceName: Map<string, string>;
  /** Old communes usable with certainty, per old province (see the module comment). */
  oldCommunesOf: Map<string, { code: string; name: string }[]>;
}

const geographyCache = new WeakMap<Catalogs, Geography>();

function geography(catalogs: Catalogs): Geography {
  const cached = geographyCache.get(catalogs);
  if (cached) return cached;
  const au = catalogs.adminUnits;
  const communesOf = new Map<string, string[]>();
  for (const c of au.communes2025.entries.values()) {
    if (!c.provinceCode) continue;
    let list = communesOf.get(c.provinceCode);
    if (!list) communesOf.set(c.provinceCode, (list = []));
    list.push(c.code);
  }
  const newProvinces = [...communesOf.keys()].sort();
  const newProvinceCumulative: number[] = [];
  let acc = 0;
  for (const p of newProvinces) newProvinceCumulative.push((acc += communesOf.get(p)!.length));

  const oldProvinces = [...au.oldProvinceCodes].sort();
  const oldProvincesOf = new Map<string, string[]>();
  const newOfOld = new Map<string, string>();
  const oldProvinceName = new Map<string, string>();
  for (const old of oldProvinces) {
    const t = au.translateProvince(old);
    oldProvinceName.set(old, t.oldName);
    if (t.candidates.length !== 1) continue;
    const np = t.candidates[0].provinceCode;
    newOfOld.set(old, np);
    const list = oldProvincesOf.get(np) ?? [];
    list.push(old);
    oldProvincesOf.set(np, list);
  }

  const oldCommunesOf = new Map<string, { code: string; name: string }[]>();
  for (const c of au.communesPre2025.entries.values()) {
    if (au.communes2025.has(c.code)) continue; // same code in both eras: the era would be ambiguous
    const t = au.translateCommune(c.code);
    const provinces = new Set(t.candidates.map((x) => x.provinceCode));
    if (provinces.size !== 1) continue;
    const np = [...provinces][0];
    const olds = oldProvincesOf.get(np);
    if (!olds || olds.length !== 1) continue;
    const list = oldCommunesOf.get(olds[0]) ?? [];
    list.push({ code: c.code, name: c.vi });
    oldCommunesOf.set(olds[0], list);
  }
  for (const list of oldCommunesOf.values()) list.sort((a, b) => (a.code < b.code ? -1 : 1));

  const g: Geography = {
    newProvinces,
    newProvinceCumulative,
    communesOf,
    oldProvinces,
    oldProvincesOf,
    oldProvinceName,
    oldCommunesOf,
  };
  geographyCache.set(catalogs, g);
  return g;
}

// ---- generation --------------------------------------------------------------------

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * The number an old civil record holds for a relative, cut from a generated
 * CCCD by its last digit (already random, so no draw is added and a seed keeps
 * its population): 0–5 the whole 12 digits, 6–7 the last 9, 8 the last 8, 9 the
 * last 6. DESIGNED BY LIENTHONG: the field shows these lengths, not their shares.
 */
export function recordId(cccd: string): string {
  const d = Number(cccd[cccd.length - 1]);
  const len = d <= 5 ? 12 : d <= 7 ? 9 : d === 8 ? 8 : 6;
  return cccd.slice(-len);
}

/** Days since 1970-01-01 of a yyyyMMdd date. */
function dayNumber(yyyymmdd: string): number {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  return Math.floor(Date.UTC(y, m - 1, d) / 86_400_000);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

class Generator {
  private readonly d: Dice;
  private readonly g: Geography;
  private readonly used = new Set<string>();
  private readonly usedOld = new Set<string>();
  private readonly usedBooks = new Set<string>();
  readonly citizens: SimCitizen[] = [];

  constructor(
    seed: number,
    private readonly catalogs: Catalogs,
  ) {
    this.d = new Dice(makeRandom(seed));
    this.g = geography(catalogs);
  }

  private birthDate(age: number): string {
    const year = REFERENCE_YEAR - age;
    // Born before the reference date in the reference year when age is 0.
    const month = age === 0 ? this.d.int(1, 6) : this.d.int(1, 12);
    const day = this.d.int(1, daysIn(year, month));
    return `${year}${pad(month, 2)}${pad(day, 2)}`;
  }

  private cccd(oldProvince: string, sex: '1' | '2', birthYear: number): string {
    for (;;) {
      const id = this.catalogs.cccd.make({
        provinceCode: oldProvince,
        sex,
        birthYear,
        random: this.d.random,
      });
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }

  private oldId(birthYear: number): string {
    // 9-digit identity cards were issued until 2016: only people old enough have one, and not all.
    if (birthYear > 2000 || !this.d.chance(0.6)) return '';
    for (;;) {
      const id = `${this.d.int(0, 3)}${pad(this.d.int(0, 99_999_999), 8)}`;
      if (!this.usedOld.has(id)) {
        this.usedOld.add(id);
        return id;
      }
    }
  }

  private name(sex: '1' | '2', family?: string) {
    const last = family ?? this.d.weighted(FAMILY_NAMES, FAMILY_TOTAL);
    const middle = this.d.pick(sex === '1' ? MIDDLE_NAMES_MALE : MIDDLE_NAMES_FEMALE);
    const given = this.d.pick(sex === '1' ? GIVEN_NAMES_MALE : GIVEN_NAMES_FEMALE);
    return { last, middle, first: given, full: `${last} ${middle} ${given}` };
  }

  private newProvince(): string {
    const g = this.g;
    const r = this.d.random() * g.newProvinceCumulative[g.newProvinceCumulative.length - 1];
    let i = 0;
    while (g.newProvinceCumulative[i] <= r) i++;
    return g.newProvinces[i];
  }

  private detail(): string {
    const d = this.d;
    const kind = d.int(0, 3);
    if (kind === 0) return `Số ${d.int(1, 250)}, đường ${d.pick(STREETS)}`;
    if (kind === 1) return `Số ${d.int(1, 99)} ngõ ${d.int(1, 120)}, phố ${d.pick(STREETS)}`;
    if (kind === 2) return `Thôn ${d.int(1, 15)}`;
    return `Tổ dân phố ${d.int(1, 30)}`;
  }

  private address2025(province = this.newProvince()): SimAddress {
    return {
      provinceCode: province,
      districtCode: '',
      communeCode: this.d.pick(this.g.communesOf.get(province)!),
      detail: this.detail(),
      country: 'VN',
    };
  }

  /** An old province, usually one that went into `near` (the family's current province). */
  private oldProvince(near: string): string {
    const olds = this.g.oldProvincesOf.get(near);
    return olds && this.d.chance(0.75) ? this.d.pick(olds) : this.d.pick(this.g.oldProvinces);
  }

  private addressPre2025(oldProvince: string, withCommune: boolean): SimAddress {
    const provinceName = this.g.oldProvinceName.get(oldProvince) ?? '';
    const communes = this.g.oldCommunesOf.get(oldProvince);
    if (withCommune && communes?.length) {
      const c = this.d.pick(communes);
      return {
        provinceCode: oldProvince,
        districtCode: '',
        communeCode: c.code,
        detail: `${c.name}, ${provinceName}`,
        country: 'VN',
      };
    }
    return {
      provinceCode: oldProvince,
      districtCode: '',
      communeCode: '',
      detail: provinceName,
      country: 'VN',
    };
  }

  /** Mostly alive; some deceased (more among the old) and a few missing, dated after birth. */
  private status(age: number, birthDate: string): { status: '1' | '2' | '3'; statusDate: string } {
    const p = this.d.random();
    const deceased = age >= 60 ? 0.06 : 0.01;
    if (p >= deceased && p <= 0.995) return { status: '1', statusDate: '' };
    const from = Math.max(dayNumber(birthDate), dayNumber('20210101'));
    const to = dayNumber('20250630');
    const date = new Date(this.d.int(Math.min(from, to), to) * 86_400_000);
    const statusDate = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCDate(), 2)}`;
    return { status: p < deceased ? '2' : '3', statusDate };
  }

  private ref(c: SimCitizen): SimPersonRef {
    return {
      fullName: c.fullName,
      idNumber: c.idNumber,
      oldIdNumber: c.oldIdNumber,
      nationality: c.nationality,
    };
  }

  /**
   * A relative who is not in the population (a parent of an adult, an outside
   * spouse). Their number is whatever the old civil records hold (DOMAIN.md §2):
   * a 12-digit CCCD, or a 9-, 8- or 6-digit number of an older register, or none.
   */
  private outsider(sex: '1' | '2', birthYear: number, near: string, family?: string): SimPersonRef {
    const n = this.name(sex, family);
    const hasId = birthYear >= 1930 && this.d.chance(0.7);
    return {
      fullName: n.full,
      idNumber: hasId ? recordId(this.cccd(this.oldProvince(near), sex, birthYear)) : '',
      oldIdNumber: this.oldId(birthYear),
      nationality: 'VN',
    };
  }

  private person(args: {
    sex: '1' | '2';
    age: number;
    family?: string;
    ethnicity: string;
    home: SimAddress;
    hometown?: SimAddress;
    marital: string;
    household: SimCitizen['household'];
  }): SimCitizen {
    const d = this.d;
    const n = this.name(args.sex, args.family);
    const birthDate = this.birthDate(args.age);
    const birthYear = Number(birthDate.slice(0, 4));
    const regProvince = this.oldProvince(args.home.provinceCode);
    const birthRegistration = this.addressPre2025(regProvince, d.chance(0.7));
    const current = d.chance(0.92)
      ? { ...args.home }
      : this.address2025(d.chance(0.5) ? args.home.provinceCode : undefined);
    const c: SimCitizen = {
      idNumber: this.cccd(regProvince, args.sex, birthYear),
      oldIdNumber: this.oldId(birthYear),
      name: { last: n.last, middle: n.middle, first: n.first },
      fullName: n.full,
      sex: args.sex,
      ethnicity: args.ethnicity,
      religion: d.weighted(RELIGION_WEIGHTS, RELIGION_TOTAL),
      maritalStatus: args.marital,
      bloodGroup: d.weighted(BLOOD_GROUP_WEIGHTS, BLOOD_TOTAL),
      birthDate,
      birthRegistration,
      hometown:
        args.hometown ??
        (d.chance(0.6)
          ? this.addressPre2025(regProvince, false)
          : this.addressPre2025(this.oldProvince(args.home.provinceCode), false)),
      permanentResidence: { ...args.home },
      currentResidence: current,
      nationality: 'VN',
      household: { ...args.household },
      ...this.status(args.age, birthDate),
    };
    this.citizens.push(c);
    return c;
  }

  private ethnicity(): string {
    const e = this.d.weighted(ETHNICITY_WEIGHTS, ETHNICITY_TOTAL);
    return e === '*' ? pad(this.d.int(10, 54), 2) : e;
  }

  /** One household; stops early when the population is full. */
  household(room: number): void {
    const d = this.d;
    let bookNumber: string;
    do bookNumber = pad(d.int(0, 999_999_999), 9);
    while (this.usedBooks.has(bookNumber));
    this.usedBooks.add(bookNumber);
    const home = this.address2025();
    const ethnicity = this.ethnicity();
    const headSex: '1' | '2' = d.chance(0.7) ? '1' : '2';
    const headAge = d.int(22, 85);
    const married = d.chance(0.75);
    const household = {
      bookNumber,
      headId: '',
      headName: '',
      headOldId: '',
      relation: HOUSEHOLD_RELATION.head,
    };
    const headMarital = married ? '2' : headAge > 45 && d.chance(0.5) ? '3' : '1';
    const head = this.person({
      sex: headSex,
      age: headAge,
      ethnicity,
      home,
      marital: headMarital,
      household,
    });
    const setHead = (c: SimCitizen, relation: string) => {
      c.household = {
        bookNumber,
        headId: head.idNumber,
        headName: head.fullName,
        headOldId: head.oldIdNumber,
        relation,
      };
    };
    setHead(head, HOUSEHOLD_RELATION.head);
    const members = [head];

    let spouse: SimCitizen | undefined;
    let spouseAge = headAge;
    if (married && members.length < room) {
      const sSex: '1' | '2' = headSex === '1' ? '2' : '1';
      const sAge = (spouseAge = Math.min(95, Math.max(20, headAge + d.int(-8, 8))));
      spouse = this.person({ sex: sSex, age: sAge, ethnicity, home, marital: '2', household });
      setHead(spouse, HOUSEHOLD_RELATION.spouse);
      head.spouse = this.ref(spouse);
      spouse.spouse = this.ref(head);
      members.push(spouse);
    } else if (married) {
      head.spouse = this.outsider(
        headSex === '1' ? '2' : '1',
        REFERENCE_YEAR - headAge,
        home.provinceCode,
      );
    }

    const father = headSex === '1' ? head : spouse;
    const mother = headSex === '2' ? head : spouse;
    const youngestParent = Math.min(headAge, spouseAge);
    const children = married
      ? d.weighted(
          [
            [0, 15],
            [1, 30],
            [2, 40],
            [3, 15],
          ] as const,
          100,
        )
      : d.chance(0.2)
        ? 1
        : 0;
    for (let i = 0; i < children && members.length < room && youngestParent >= 19; i++) {
      const age = d.int(0, Math.min(youngestParent - 18, 45));
      const sex: '1' | '2' = d.chance(0.51) ? '1' : '2';
      const adultMarried = age >= 25 && d.chance(0.4);
      const child = this.person({
        sex,
        age,
        family: father?.name.last ?? head.name.last,
        ethnicity,
        home,
        hometown: head.hometown,
        marital: adultMarried ? '2' : '1',
        household,
      });
      setHead(child, HOUSEHOLD_RELATION.child);
      if (father) child.father = this.ref(father);
      if (mother) child.mother = this.ref(mother);
      if (adultMarried)
        child.spouse = this.outsider(
          sex === '1' ? '2' : '1',
          REFERENCE_YEAR - age,
          home.provinceCode,
        );
      if (age < 18) child.representative = child.father ?? child.mother;
      members.push(child);
    }

    // Sometimes a widowed parent of the head lives in the household.
    if (headAge < 55 && d.chance(0.12) && members.length < room) {
      const pSex: '1' | '2' = d.chance(0.6) ? '2' : '1';
      const pAge = Math.min(95, headAge + d.int(22, 35));
      const parent = this.person({
        sex: pSex,
        age: pAge,
        family: pSex === '1' ? head.name.last : undefined,
        ethnicity,
        home,
        marital: '3',
        household,
      });
      setHead(parent, HOUSEHOLD_RELATION.parent);
      if (pSex === '1') head.father = this.ref(parent);
      else head.mother = this.ref(parent);
      members.push(parent);
    }

    // Parents of the adults that are not in the population: names (and sometimes ids) only.
    for (const m of members) {
      const year = Number(m.birthDate.slice(0, 4));
      if (!m.father && year < 1995)
        m.father = this.outsider('1', year - d.int(22, 35), home.provinceCode, m.name.last);
      if (!m.mother && year < 1995)
        m.mother = this.outsider('2', year - d.int(20, 32), home.provinceCode);
    }
  }
}

/**
 * Generates `size` fake citizens from `seed`. Deterministic: the same seed and
 * size always give the same people, ids and addresses.
 */
export function generatePopulation(opts: PopulationOptions): Population {
  const size = Math.max(0, Math.floor(opts.size));
  const gen = new Generator(opts.seed, opts.catalogs ?? loadCatalogs());
  while (gen.citizens.length < size) gen.household(size - gen.citizens.length);
  const citizens = gen.citizens;
  const byId = new Map<string, SimCitizen>();
  const byOldId = new Map<string, SimCitizen>();
  const households = new Map<string, SimCitizen[]>();
  for (const c of citizens) {
    byId.set(c.idNumber, c);
    if (c.oldIdNumber) byOldId.set(c.oldIdNumber, c);
    const list = households.get(c.household.bookNumber) ?? [];
    list.push(c);
    households.set(c.household.bookNumber, list);
  }
  return { seed: opts.seed, citizens, byId, byOldId, households };
}

export { REFERENCE_DATE };
