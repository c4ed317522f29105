import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { NPD_OPERATIONS, REPLY_KIND, type NpdOperation } from './constants.js';

/**
 * The canonical NPD messages of the JSON facade: English keys, every code a
 * string. One definition gives the TypeScript types and the JSON Schemas
 * written to contracts/npd/ (see contracts-gen.ts; a test keeps them equal).
 *
 * In a reply, a key is absent when the provider did not send that element
 * (operations other than the full lookup answer a subset), and null when it
 * sent it empty.
 */

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const CodeNameSchema = Type.Object(
  {
    code: Type.String({ description: 'The national code, as sent ("01", "09106")' }),
    name: nullable(Type.String({ description: 'Vietnamese name from the shared catalog' })),
  },
  {
    additionalProperties: false,
    title: 'CodeName',
    description: 'A coded value; name is null when the catalog does not know the code',
  },
);

export const Units2025Schema = Type.Object(
  {
    provinceCode: nullable(Type.String()),
    communeCode: nullable(Type.String()),
    candidates: Type.Array(Type.Object({}, { additionalProperties: true })),
    ambiguous: Type.Boolean(),
    disagreements: Type.Optional(
      Type.Array(Type.Object({}, { additionalProperties: true }), {
        description:
          'Codes of the address that do not belong to the unit above them (pre-2025 tree); the result is then ambiguous',
      }),
    ),
  },
  {
    additionalProperties: false,
    title: 'Units2025',
    description:
      'Added by the admin-units-to-2025 step when the address carries pre-July-2025 codes',
  },
);

export const AddressSchema = Type.Object(
  {
    provinceCode: Type.String({
      description: 'MaTinhThanh, 2 digits (pre-2025 or 2025 code); "" unknown',
    }),
    districtCode: Type.Optional(
      Type.String({ description: 'MaQuanHuyen, 3 digits; only pre-2025 addresses have one' }),
    ),
    districtName: Type.Optional(
      nullable(
        Type.String({
          description:
            'The pre-2025 district from the shared catalog, with districtCode; null when the catalog does not know the code',
        }),
      ),
    ),
    communeCode: Type.String({ description: 'MaPhuongXa, 5 digits; "" unknown' }),
    detail: Type.String({ description: 'ChiTiet: street, hamlet, house number' }),
    country: Type.String({ description: 'QuocGia, ISO 3166-1 alpha-2' }),
    units2025: Type.Optional(Units2025Schema),
  },
  { additionalProperties: false, title: 'Address' },
);

export const PersonSchema = Type.Object(
  {
    fullName: Type.String(),
    idNumber: Type.String({
      description:
        'SoDinhDanh as the civil records hold it: 12 digits, or an older 6-, 8- or 9-digit number, or ""',
    }),
    oldIdNumber: Type.String({ description: 'SoCMND as the civil records hold it, or ""' }),
    nationality: nullable(CodeNameSchema),
  },
  {
    additionalProperties: false,
    title: 'Person',
    description: 'Father, mother, spouse or legal representative',
  },
);

export const HouseholdHeadSchema = Type.Object(
  {
    relation: nullable(CodeNameSchema),
    idNumber: Type.String(),
    oldIdNumber: Type.String(),
    fullName: Type.String(),
  },
  {
    additionalProperties: false,
    title: 'HouseholdHead',
    description: 'ChuHo: the head of household and the citizen’s relation to them',
  },
);

export const NameSchema = Type.Object(
  {
    last: Type.String({ description: 'Ho' }),
    middle: Type.String({ description: 'ChuDem' }),
    first: Type.String({ description: 'Ten (often the whole name in the field)' }),
  },
  {
    additionalProperties: false,
    title: 'Name',
    description: 'HoVaTen as the provider structured it',
  },
);

const opt = Type.Optional;

export const CitizenSchema = Type.Object(
  {
    idNumber: opt(Type.String({ description: 'SoDinhDanh / CCCD, 12 digits' })),
    oldIdNumber: opt(Type.String({ description: 'SoCMND, 9 digits, or ""' })),
    fullName: opt(Type.String({ description: 'Ho, ChuDem and Ten joined by single spaces' })),
    name: opt(NameSchema),
    sex: opt(nullable(CodeNameSchema)),
    ethnicity: opt(nullable(CodeNameSchema)),
    religion: opt(nullable(CodeNameSchema)),
    maritalStatus: opt(nullable(CodeNameSchema)),
    bloodGroup: opt(nullable(CodeNameSchema)),
    birthDate: opt(
      nullable(
        Type.String({
          pattern: '^[0-9]{4}([0-9]{4})?$',
          description: 'yyyyMMdd, or yyyy when only the year is known',
        }),
      ),
    ),
    birthYear: opt(
      nullable(
        Type.String({
          pattern: '^[0-9]{4}$',
          description:
            'Nam, when the reply carries it (beside NgayThangNam or alone); kept as sent, a disagreement with birthDate is data',
        }),
      ),
    ),
    birthRegistration: opt(nullable(AddressSchema)),
    hometown: opt(nullable(AddressSchema)),
    permanentResidence: opt(nullable(AddressSchema)),
    currentResidence: opt(nullable(AddressSchema)),
    nationality: opt(nullable(CodeNameSchema)),
    father: opt(nullable(PersonSchema)),
    mother: opt(nullable(PersonSchema)),
    spouse: opt(nullable(PersonSchema)),
    representative: opt(nullable(PersonSchema)),
    householdHead: opt(nullable(HouseholdHeadSchema)),
    householdBookNumber: opt(Type.String({ description: 'SoSoHoKhau' })),
    status: opt(nullable(CodeNameSchema)),
    statusDate: opt(
      nullable(
        Type.String({
          description: 'Date of death or of the declaration of missing, yyyyMMdd (designed)',
        }),
      ),
    ),
    dataAsOf: opt(
      nullable(
        Type.String({
          description: 'ThoiDiemDuLieu of the reply: the data is valid at this moment (R11)',
        }),
      ),
    ),
  },
  {
    additionalProperties: false,
    title: 'Citizen',
    description:
      'A citizen from the National Population Database. Keys are absent when the operation does not return them, null when the provider sent them empty. status/statusDate are designed by lienthong (XacMinhTinhTrangChetMatTich).',
  },
);

/** The request fields every operation shares (the verification's: no MaTichHop). */
const REQUEST_FIELDS = {
  requestId: opt(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'MaYeuCau; the exchange id when absent',
    }),
  ),
  serviceCode: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'MaDVC (MaDichVu for the verification), e.g. G15-TP110',
  }),
  officer: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'MaCanBo: the officer’s account or personal id',
  }),
  idNumber: opt(Type.String({ pattern: '^[0-9]{12}$', description: 'SoDinhDanh / CCCD' })),
  oldIdNumber: opt(Type.String({ pattern: '^[0-9]{9}$', description: 'SoCMND, for 9-digit ids' })),
  fullName: opt(Type.String({ minLength: 1, maxLength: 100, description: 'HoVaTen' })),
  birthDate: opt(
    Type.String({ pattern: '^[0-9]{4}([0-9]{4})?$', description: 'yyyyMMdd, or yyyy' }),
  ),
};
const ONE_ID_REQUIRED = [{ required: ['idNumber'] }, { required: ['oldIdNumber'] }];

export const NpdRequestSchema = Type.Object(
  {
    ...REQUEST_FIELDS,
    integrationCode: opt(
      Type.String({
        pattern: '^[0-9]{3}$',
        description: 'MaTichHop; the endpoint’s code for the operation when absent',
      }),
    ),
  },
  {
    additionalProperties: false,
    anyOf: ONE_ID_REQUIRED,
    description:
      'A request to the National Population Database: idNumber or oldIdNumber is required',
  },
);

/** The verification's: no integrationCode, since the service refuses a MaTichHop there (DOMAIN.md §2). */
export const VerificationRequestSchema = Type.Object(REQUEST_FIELDS, {
  additionalProperties: false,
  anyOf: ONE_ID_REQUIRED,
  description:
    'A verification request to the National Population Database: idNumber or oldIdNumber is required; no integrationCode (the verification carries no MaTichHop)',
});

export function requestSchemaOf(op: NpdOperation): TSchema {
  return REPLY_KIND[op] === 'verification' ? VerificationRequestSchema : NpdRequestSchema;
}

export const CitizenReplySchema = Type.Object(
  { requestId: Type.String(), citizen: CitizenSchema },
  { additionalProperties: false },
);

export const HouseholdReplySchema = Type.Object(
  {
    requestId: Type.String(),
    householdBookNumber: Type.String({
      description: 'SoSoHoKhau shared by the members; "" unknown',
    }),
    members: Type.Array(CitizenSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export const VerificationReplySchema = Type.Object(
  {
    requestId: Type.String(),
    exists: Type.Boolean({ description: 'KetQuaXacThucResponse/TonTai' }),
  },
  { additionalProperties: false },
);

export type CodeName = Static<typeof CodeNameSchema>;
export type Address = Static<typeof AddressSchema>;
export type Person = Static<typeof PersonSchema>;
export type HouseholdHead = Static<typeof HouseholdHeadSchema>;
export type Citizen = Static<typeof CitizenSchema>;
export type NpdRequest = Static<typeof NpdRequestSchema>;
export type CitizenReply = Static<typeof CitizenReplySchema>;
export type HouseholdReply = Static<typeof HouseholdReplySchema>;
export type VerificationReply = Static<typeof VerificationReplySchema>;
export type NpdReply = CitizenReply | HouseholdReply | VerificationReply;

export function replySchemaOf(op: NpdOperation): TSchema {
  const kind = REPLY_KIND[op];
  return kind === 'household'
    ? HouseholdReplySchema
    : kind === 'verification'
      ? VerificationReplySchema
      : CitizenReplySchema;
}

export const OPERATION_TITLES: Readonly<Record<NpdOperation, string>> = {
  TraCuuThongTinCongDan: 'Citizen lookup (tra cứu thông tin công dân)',
  XacThucThongTinCongDan: 'Citizen verification (xác thực thông tin công dân)',
  XacMinhThongTinNoiOHienTai:
    'Current residence (xác minh nơi ở hiện tại) — shape designed by lienthong',
  CungCapThongTinHoGiaDinh:
    'Household members (cung cấp thông tin hộ gia đình) — shape designed by lienthong',
  CungCapThongTinNhomMau: 'Blood group (cung cấp thông tin nhóm máu) — shape designed by lienthong',
  XacMinhTinhTrangHonNhan:
    'Marital status (xác minh tình trạng hôn nhân) — shape designed by lienthong',
  XacMinhTinhTrangChetMatTich:
    'Deceased or missing (xác minh tình trạng chết, mất tích) — shape designed by lienthong',
};

export { NPD_OPERATIONS };
