import { GatewayError } from '../../src/message/errors.js';
import { compileShape, soapEnvelope, type Shape } from '../../src/xml/index.js';
import { NPD_OPERATIONS, NPD_REQUEST_NS, REQUEST_ELEMENT, type NpdOperation } from './constants.js';

/**
 * Canonical JSON request → NPD SOAP request. The element order is the one
 * existing clients use and OpenCPS insists on ("some key must order by
 * this"), every value is escaped, and the shapes are compiled once per
 * endpoint: per message only values are joined.
 */

/** A canonical request with everything the wire needs decided (ids, codes). */
export interface WireRequest {
  requestId: string;
  serviceCode: string;
  /** MaTichHop; never written in the verification request. */
  integrationCode?: string;
  officer: string;
  idNumber?: string;
  oldIdNumber?: string;
  fullName?: string;
  birthDate?: string;
  /** C06 direct variant only: MaDonVi, TaiKhoan, SoDienThoai (written right after MaCanBo). */
  unitCode?: string;
  account?: string;
  phone?: string;
}

export interface RequestWriterOptions {
  /** Request namespace prefix: `dan` (default) or `qldc`, as the provider's clients write it. */
  prefix: string;
  /**
   * 'upper-ascii' writes HoVaTen upper-case without diacritics, as OpenCPS
   * does; 'as-is' (default) sends it as given.
   */
  nameForm?: 'as-is' | 'upper-ascii';
}

/** NGUYỄN Văn Đức → NGUYEN VAN DUC (đ has no decomposition, so it is mapped by hand). */
export function upperAscii(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'D')
    .toUpperCase()
    .replace(/\s+/g, ' ')
    .trim();
}

const birthDay = (d: WireRequest) => (d.birthDate?.length === 8 ? d.birthDate : undefined);
const birthYear = (d: WireRequest) => (d.birthDate?.length === 4 ? d.birthDate : undefined);

/**
 * The direct C06 variant's fields, right after MaCanBo and before SoDinhDanh
 * (the court system's CallApi037 template). SoDienThoai is `0` when the
 * officer has no phone on record (toWire fills that in).
 */
const C06_FIELDS: Shape<WireRequest>[] = [
  { tag: 'MaDonVi', text: (d) => d.unitCode, when: 'nonEmpty' },
  { tag: 'TaiKhoan', text: (d) => d.account, when: 'nonEmpty' },
  { tag: 'SoDienThoai', text: (d) => d.phone, when: 'nonEmpty' },
];

const BIRTH: Shape<WireRequest> = {
  tag: 'NgayThangNamSinh',
  get: (d) => (d.birthDate ? d : undefined),
  when: 'present',
  children: [
    { tag: 'NgayThangNam', text: birthDay, when: 'nonEmpty' },
    { tag: 'Nam', text: birthYear, when: 'nonEmpty' },
  ],
};

function lookupShape(tag: string): Shape<WireRequest> {
  return {
    tag,
    children: [
      { tag: 'MaYeuCau', text: (d) => d.requestId },
      { tag: 'MaDVC', text: (d) => d.serviceCode },
      { tag: 'MaTichHop', text: (d) => d.integrationCode, when: 'nonEmpty' },
      { tag: 'MaCanBo', text: (d) => d.officer },
      ...C06_FIELDS,
      { tag: 'SoDinhDanh', text: (d) => d.idNumber, when: 'nonEmpty' },
      { tag: 'SoCMND', text: (d) => d.oldIdNumber, when: 'nonEmpty' },
      { tag: 'HoVaTen', text: (d) => d.fullName, when: 'nonEmpty' },
      BIRTH,
    ],
  };
}

/**
 * The verification as the field sends it: MaYeuCau, MaDichVu, MaCanBo,
 * SoDinhDanh, SoCMND, HoVaTen, with both id elements present (one may be
 * empty). Never a MaTichHop: the service's own schema refuses a verification
 * that carries one (DOMAIN.md §2). The birth date when known, and the C06
 * direct fields in the lookup's position, are designed additions.
 */
function verificationShape(): Shape<WireRequest> {
  return {
    tag: REQUEST_ELEMENT.XacThucThongTinCongDan,
    children: [
      { tag: 'MaYeuCau', text: (d) => d.requestId },
      { tag: 'MaDichVu', text: (d) => d.serviceCode },
      { tag: 'MaCanBo', text: (d) => d.officer },
      ...C06_FIELDS,
      { tag: 'SoDinhDanh', text: (d) => d.idNumber },
      { tag: 'SoCMND', text: (d) => d.oldIdNumber },
      { tag: 'HoVaTen', text: (d) => d.fullName },
      BIRTH,
    ],
  };
}

export type RequestWriter = (op: NpdOperation, req: WireRequest) => string;

/** Compiles the request shapes of every operation for one prefix. */
export function createRequestWriter(opts: RequestWriterOptions): RequestWriter {
  const prefix = opts.prefix;
  if (!/^[A-Za-z_][\w.-]*$/.test(prefix)) {
    throw new GatewayError('LT_CONFIG_INVALID', `"${prefix}" is not a usable namespace prefix`);
  }
  const rootAttributes = { [`xmlns:${prefix}`]: NPD_REQUEST_NS };
  const writers = new Map<NpdOperation, (d: WireRequest) => string>();
  for (const op of NPD_OPERATIONS) {
    const shape =
      op === 'XacThucThongTinCongDan' ? verificationShape() : lookupShape(REQUEST_ELEMENT[op]);
    writers.set(op, compileShape(shape, { prefix, rootAttributes }));
  }
  const upper = opts.nameForm === 'upper-ascii';
  return (op, req) => {
    const data = upper && req.fullName ? { ...req, fullName: upperAscii(req.fullName) } : req;
    return soapEnvelope(writers.get(op)!(data), '');
  };
}
