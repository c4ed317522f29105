import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { GatewayError } from '../message/errors.js';
import { checkSchema, formatPath } from '../config/validate.js';

/**
 * The reference data shipped in `data/` (see data/README.md for sources and
 * licences). Files are checked against these schemas once at load: they come
 * from third parties and a silent shape change would corrupt every translation.
 */

export const ADMIN_2026_FILE = 'vn-admin-units-2026.json';
export const MERGES_FILE = 'vn-admin-units-2025-merges.json';
export const PROVINCE_CODES_FILE = 'vn-provinces-2025-codes.csv';
export const PRE2025_FILE = 'vn-admin-units-pre2025.json';
export const CORRECTIONS_FILE = 'vn-admin-units-2025-merges.corrections.json';

const Code = (digits: number) => Type.String({ pattern: `^\\d{${digits}}$` });

const Ward2026 = Type.Object({
  Code: Code(5),
  Name: Type.String({ minLength: 1 }),
  NameEn: Type.String(),
  FullName: Type.String({ minLength: 1 }),
  FullNameEn: Type.String(),
  CodeName: Type.String(),
  ProvinceCode: Code(2),
});

const Province2026 = Type.Object({
  Code: Code(2),
  Name: Type.String({ minLength: 1 }),
  NameEn: Type.String(),
  FullName: Type.String({ minLength: 1 }),
  FullNameEn: Type.String(),
  CodeName: Type.String(),
  Wards: Type.Array(Ward2026),
});

export const Admin2026Schema = Type.Array(Province2026, { minItems: 1 });
export type Admin2026 = Static<typeof Admin2026Schema>;

const MergeType = Type.Union([Type.Literal('full'), Type.Literal('partial')]);

// Old commune ids are 5 digits; the island districts that had no communes
// (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) appear with their 3-digit
// district id instead.
const OldUnit = Type.Object({
  old_id: Type.String({ pattern: '^(\\d{2}|\\d{3}|\\d{5})$' }),
  name: Type.String({ minLength: 1 }),
  type: MergeType,
});

const NewCommune = Type.Object({
  level2_id: Code(5),
  name: Type.String({ minLength: 1 }),
  merges: Type.Array(OldUnit, { minItems: 1 }),
});

const NewProvince = Type.Object({
  level1_id: Code(2),
  name: Type.String({ minLength: 1 }),
  merges: Type.Array(OldUnit, { minItems: 1 }),
  level2s: Type.Array(NewCommune),
});

export const MergesSchema = Type.Object({ data: Type.Array(NewProvince, { minItems: 1 }) });
export type Merges = Static<typeof MergesSchema>;
export type MergeKind = Static<typeof MergeType>;

const UnitNames = {
  Code: Type.String(),
  Name: Type.String({ minLength: 1 }),
  NameEn: Type.String(),
  FullName: Type.String({ minLength: 1 }),
  FullNameEn: Type.String(),
  CodeName: Type.String(),
};

// The three tiers before 1 July 2025. The island districts without communes
// have `Ward: null`.
const WardPre2025 = Type.Object({ ...UnitNames, Code: Code(5), DistrictCode: Code(3) });
const DistrictPre2025 = Type.Object({
  ...UnitNames,
  Code: Code(3),
  ProvinceCode: Code(2),
  Ward: Type.Union([Type.Array(WardPre2025), Type.Null()]),
});
const ProvincePre2025 = Type.Object({
  ...UnitNames,
  Code: Code(2),
  District: Type.Array(DistrictPre2025),
});
export const Pre2025Schema = Type.Array(ProvincePre2025, { minItems: 1 });
export type Pre2025 = Static<typeof Pre2025Schema>;

/**
 * Hand-checked fixes to the merges file: `old_id` is taken out of new commune
 * `remove_from` and listed in `add_to` with `type` (added, or its type changed).
 */
const MergeCorrection = Type.Object({
  old_id: Code(5),
  remove_from: Code(5),
  add_to: Code(5),
  type: MergeType,
  evidence: Type.String({ minLength: 1 }),
});
export const CorrectionsSchema = Type.Object({ corrections: Type.Array(MergeCorrection) });
export type MergeCorrection = Static<typeof MergeCorrection>;

export interface ProvinceCodeRow {
  code: string;
  name: string;
}

/**
 * Finds `data/` by walking up from this module, so the same code works from
 * `src/` (tsx, jest) and from `dist/src/` (the build) without copying data.
 */
export function findDataDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'data');
    if (existsSync(join(candidate, ADMIN_2026_FILE))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new GatewayError(
    'LT_CONFIG_INVALID',
    `catalog data directory not found (looked for data/${ADMIN_2026_FILE})`,
  );
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new GatewayError(
      'LT_CONFIG_INVALID',
      `${file}: cannot read (${(err as Error).message})`,
      { file },
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GatewayError(
      'LT_CONFIG_INVALID',
      `${file}: not valid JSON (${(err as Error).message})`,
      { file },
    );
  }
}

function readChecked<T extends TSchema>(file: string, schema: T): Static<T> {
  const checked = checkSchema(schema, readJson(file));
  if (!checked.ok) {
    const first = checked.issues[0];
    throw new GatewayError(
      'LT_CONFIG_INVALID',
      `${file}: ${formatPath(first.path)} ${first.message}`,
      {
        file,
        path: formatPath(first.path),
      },
    );
  }
  return checked.value;
}

export interface ReferenceData {
  dir: string;
  admin2026: Admin2026;
  merges: Merges;
  provinceCodes: ProvinceCodeRow[];
  pre2025: Pre2025;
  corrections: MergeCorrection[];
}

/** The official 34-code list is a small CSV: `Stt,Mã số,Tên`, no quoted fields. */
function readProvinceCodes(file: string): ProvinceCodeRow[] {
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  return lines.slice(1).map((line, i) => {
    const [, code, ...name] = line.split(',');
    if (!/^\d{2}$/.test(code ?? '')) {
      throw new GatewayError('LT_CONFIG_INVALID', `${file}: line ${i + 2}: bad province code`, {
        file,
      });
    }
    return { code, name: name.join(',').trim() };
  });
}

export function readReferenceData(dataDir?: string): ReferenceData {
  const dir = resolve(dataDir ?? findDataDir());
  return {
    dir,
    admin2026: readChecked(join(dir, ADMIN_2026_FILE), Admin2026Schema),
    merges: readChecked(join(dir, MERGES_FILE), MergesSchema),
    provinceCodes: readProvinceCodes(join(dir, PROVINCE_CODES_FILE)),
    pre2025: readChecked(join(dir, PRE2025_FILE), Pre2025Schema),
    corrections: readChecked(join(dir, CORRECTIONS_FILE), CorrectionsSchema).corrections,
  };
}
