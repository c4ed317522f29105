import { describe, expect, it } from '@jest/globals';
import { loadCatalogs, validateCccd } from '../../../src/catalogs/index.js';
import { HOUSEHOLD_RELATION } from '../../../adapters/npd/constants.js';
import { generatePopulation, type SimCitizen } from '../../../adapters/npd/population.js';

const catalogs = loadCatalogs();
const big = generatePopulation({ seed: 2025, size: 10_000 });

/** Checks every citizen and lists the ones that break a rule (one expect, not 10,000). */
function violations(
  citizens: readonly SimCitizen[],
  rule: (c: SimCitizen) => string | undefined,
): string[] {
  const out: string[] = [];
  for (const c of citizens) {
    let why: string | undefined;
    try {
      why = rule(c);
    } catch (err) {
      why = (err as Error).message;
    }
    if (why) out.push(`${c.idNumber}: ${why}`);
  }
  return out.slice(0, 5);
}

describe('generatePopulation', () => {
  it('is deterministic: same seed and size, same people', () => {
    const again = generatePopulation({ seed: 2025, size: 10_000 });
    expect(JSON.stringify(again.citizens)).toBe(JSON.stringify(big.citizens));
    const other = generatePopulation({ seed: 2026, size: 50 });
    expect(other.citizens.map((c) => c.idNumber)).not.toEqual(
      big.citizens.slice(0, 50).map((c) => c.idNumber),
    );
  });

  it('makes exactly `size` citizens with unique ids, all indexed', () => {
    expect(big.citizens).toHaveLength(10_000);
    expect(big.byId.size).toBe(10_000);
    expect(
      violations(big.citizens, (c) =>
        c.oldIdNumber && big.byOldId.get(c.oldIdNumber) !== c ? 'old id not indexed' : undefined,
      ),
    ).toEqual([]);
  });

  it('gives every citizen a valid CCCD that agrees with sex, birth date and birth-registration province', () => {
    const now = new Date('2025-07-01');
    expect(
      violations(big.citizens, (c) => {
        const info = validateCccd(c.idNumber, { sex: c.sex, birthDate: c.birthDate, now });
        if (info.provinceCode !== `0${c.birthRegistration.provinceCode}`)
          return 'prefix is not the birth-registration province';
        if (!/^(\d{9})?$/.test(c.oldIdNumber)) return 'bad SoCMND';
        return /^\d{8}$/.test(c.birthDate) ? undefined : 'bad birth date';
      }),
    ).toEqual([]);
  });

  it('places residence in 2025 units and birth registration in pre-2025 units', () => {
    const au = catalogs.adminUnits;
    const oldProvinces = new Set(au.oldProvinceCodes);
    expect(
      violations(big.citizens, (c) => {
        for (const a of [c.permanentResidence, c.currentResidence]) {
          if (au.communes2025.lookup(a.communeCode)?.provinceCode !== a.provinceCode)
            return 'residence not a 2025 commune of its province';
          if (a.districtCode !== '') return 'district in a 2025 address';
        }
        const reg = c.birthRegistration;
        if (!oldProvinces.has(reg.provinceCode))
          return 'birth registration not in a pre-2025 province';
        if (!reg.communeCode) return undefined;
        if (!au.communesPre2025.has(reg.communeCode) || au.communes2025.has(reg.communeCode))
          return 'commune era is ambiguous';
        const newProvince = au.translateProvince(reg.provinceCode).candidates[0].provinceCode;
        const ok = au
          .translateCommune(reg.communeCode)
          .candidates.every((x) => x.provinceCode === newProvince);
        return ok ? undefined : 'old commune is not in the old province';
      }),
    ).toEqual([]);
    // The translation step has real work: old provinces that no longer exist, and old communes.
    expect(big.citizens.some((c) => !au.provinces2025.has(c.birthRegistration.provinceCode))).toBe(
      true,
    );
    expect(big.citizens.some((c) => c.birthRegistration.communeCode !== '')).toBe(true);
  });

  it('builds households with one CH01 head whose members point at each other', () => {
    const problems: string[] = [];
    for (const [book, members] of big.households) {
      const head = members[0];
      if (head.household.relation !== HOUSEHOLD_RELATION.head)
        problems.push(`${book}: first member is not the head`);
      if (members.filter((m) => m.household.relation === 'CH01').length !== 1)
        problems.push(`${book}: not one head`);
      problems.push(
        ...violations(members, (m) => {
          if (
            m.household.bookNumber !== book ||
            m.household.headId !== head.idNumber ||
            m.household.headName !== head.fullName
          )
            return 'ChuHo does not point at the head';
          if (JSON.stringify(m.permanentResidence) !== JSON.stringify(head.permanentResidence))
            return 'not registered at the household address';
          // A child has at least one parent in the household (the other may be outside the population).
          if (
            m.household.relation === HOUSEHOLD_RELATION.child &&
            ![m.father, m.mother].some((p) => p && big.byId.has(p.idNumber))
          )
            return 'child without a parent';
          const spouse = m.spouse && big.byId.get(m.spouse.idNumber);
          if (spouse && spouse.spouse?.idNumber !== m.idNumber)
            return 'spouses do not point at each other';
          if (2025 - Number(m.birthDate.slice(0, 4)) < 17 && !m.representative)
            return 'minor without a representative';
          return undefined;
        }),
      );
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it('has deceased and missing citizens, dated after their birth', () => {
    const dead = big.citizens.filter((c) => c.status === '2');
    const missing = big.citizens.filter((c) => c.status === '3');
    expect(dead.length).toBeGreaterThan(0);
    expect(missing.length).toBeGreaterThan(0);
    expect(
      violations([...dead, ...missing], (c) =>
        c.statusDate >= c.birthDate && c.statusDate <= '20250630' ? undefined : 'bad status date',
      ),
    ).toEqual([]);
    expect(big.citizens.filter((c) => c.status === '1').every((c) => c.statusDate === '')).toBe(
      true,
    );
  });

  it('uses mostly Kinh, religion 00, realistic names and catalog codes', () => {
    const share = (f: (c: SimCitizen) => boolean) =>
      big.citizens.filter(f).length / big.citizens.length;
    expect(share((c) => c.ethnicity === '01')).toBeGreaterThan(0.75);
    expect(share((c) => c.religion === '00')).toBeGreaterThan(0.75);
    expect(share((c) => c.name.last === 'Nguyễn')).toBeGreaterThan(0.2);
    expect(
      violations(big.citizens, (c) => {
        if (c.fullName !== `${c.name.last} ${c.name.middle} ${c.name.first}`) return 'fullName';
        if (
          !catalogs.ethnicity.has(c.ethnicity) ||
          !catalogs.bloodGroup.has(c.bloodGroup) ||
          !catalogs.maritalStatus.has(c.maritalStatus)
        )
          return 'code not in the catalogs';
        return undefined;
      }),
    ).toEqual([]);
  });
});
