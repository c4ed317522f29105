/**
 * Names of the National Population Database service (CSDLQG về dân cư, C06)
 * as they travel on the wire (DOMAIN.md §2).
 */

/** Request namespace (usual prefixes `dan`, `qldc`); also holds the verification answer. */
export const NPD_REQUEST_NS = 'http://dancuquocgia.bca';
/** Reply namespace of CongdanCollection (usual prefix `ns1`). */
export const NPD_RESPONSE_NS = 'http://www.mic.gov.vn/dancu/1.0';

/** The operations this adapter and its simulator serve. */
export const NPD_OPERATIONS = [
  'TraCuuThongTinCongDan',
  'XacThucThongTinCongDan',
  'XacMinhThongTinNoiOHienTai',
  'CungCapThongTinHoGiaDinh',
  'CungCapThongTinNhomMau',
  'XacMinhTinhTrangHonNhan',
  'XacMinhTinhTrangChetMatTich',
] as const;

export type NpdOperation = (typeof NPD_OPERATIONS)[number];

/** The Body element of each request: the verification carries a `Request` suffix in the field. */
export const REQUEST_ELEMENT: Readonly<Record<NpdOperation, string>> = {
  TraCuuThongTinCongDan: 'TraCuuThongTinCongDan',
  XacThucThongTinCongDan: 'XacThucThongTinCongDanRequest',
  XacMinhThongTinNoiOHienTai: 'XacMinhThongTinNoiOHienTai',
  CungCapThongTinHoGiaDinh: 'CungCapThongTinHoGiaDinh',
  CungCapThongTinNhomMau: 'CungCapThongTinNhomMau',
  XacMinhTinhTrangHonNhan: 'XacMinhTinhTrangHonNhan',
  XacMinhTinhTrangChetMatTich: 'XacMinhTinhTrangChetMatTich',
};

/**
 * MaTichHop sent when the endpoint configures none: 037 is the lookup's code in
 * the field. The verification carries none (the service's schema refuses it,
 * DOMAIN.md §2), so it has no entry and no configurable code.
 */
export const DEFAULT_INTEGRATION_CODES: Readonly<Partial<Record<NpdOperation, string>>> = {
  TraCuuThongTinCongDan: '037',
};

/** Operations whose request carries a MaTichHop (all but the verification). */
export const INTEGRATION_CODE_OPERATIONS = NPD_OPERATIONS.filter(
  (op): op is Exclude<NpdOperation, 'XacThucThongTinCongDan'> => op !== 'XacThucThongTinCongDan',
);

/** What the canonical reply of each operation looks like (see docs/adapters/npd.md). */
export type ReplyKind = 'citizen' | 'household' | 'verification';

export const REPLY_KIND: Readonly<Record<NpdOperation, ReplyKind>> = {
  TraCuuThongTinCongDan: 'citizen',
  XacThucThongTinCongDan: 'verification',
  XacMinhThongTinNoiOHienTai: 'citizen',
  CungCapThongTinHoGiaDinh: 'household',
  CungCapThongTinNhomMau: 'citizen',
  XacMinhTinhTrangHonNhan: 'citizen',
  XacMinhTinhTrangChetMatTich: 'citizen',
};

const byName = new Map<string, NpdOperation>();
for (const op of NPD_OPERATIONS) {
  byName.set(op, op);
  byName.set(REQUEST_ELEMENT[op], op);
}

/** The operation for an operation name or its request element name; undefined if unknown. */
export function npdOperation(name: string | undefined): NpdOperation | undefined {
  return name === undefined ? undefined : byName.get(name);
}

/**
 * Citizen status codes of XacMinhTinhTrangChetMatTich. DESIGNED BY LIENTHONG:
 * no published code list; `TrangThaiCongDan` is the name the REST variant uses.
 */
export const CITIZEN_STATUS: Readonly<Record<string, { vi: string; en: string }>> = {
  '1': { vi: 'Còn sống', en: 'Alive' },
  '2': { vi: 'Đã chết', en: 'Deceased' },
  '3': { vi: 'Mất tích', en: 'Missing' },
};

/**
 * Relationship to the head of household. Only CH01 (the head) is known from
 * the field; the others are DESIGNED PLACEHOLDERS of the simulator (`ZZ`
 * marks them as not national codes) until the TT 55/2021/TT-BCA list is found.
 */
export const HOUSEHOLD_RELATION = {
  head: 'CH01',
  spouse: 'ZZ02',
  child: 'ZZ03',
  parent: 'ZZ04',
  other: 'ZZ09',
} as const;
