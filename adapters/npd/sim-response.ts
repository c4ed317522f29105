import {
  compileShape,
  escapeXml,
  soapEnvelope,
  SOAP11_NS,
  type Shape,
} from '../../src/xml/index.js';
import { NPD_REQUEST_NS, NPD_RESPONSE_NS, type NpdOperation } from './constants.js';
import type { SimAddress, SimCitizen, SimPersonRef } from './population.js';

/**
 * The simulator's replies, in the form seen in the field (DOMAIN.md §2):
 * `soapenv` envelope, `ns1` for dancu/1.0, the whole name in `Ten` with
 * `Ho`/`ChuDem` empty, plain-text HoVaTen for relatives, empty elements where
 * nothing is known, every code a string. Shapes are compiled once.
 */

const addressShape = (tag: string, get: (c: SimCitizen) => SimAddress): Shape<SimCitizen> => ({
  tag,
  get,
  children: [
    { tag: 'MaTinhThanh', text: (a: SimAddress) => a.provinceCode },
    { tag: 'MaQuanHuyen', text: (a: SimAddress) => a.districtCode },
    { tag: 'MaPhuongXa', text: (a: SimAddress) => a.communeCode },
    { tag: 'ChiTiet', text: (a: SimAddress) => a.detail },
    { tag: 'QuocGia', text: (a: SimAddress) => a.country },
  ],
});

/** Always written; all children empty when the person is unknown (`<ns1:VoChong><ns1:HoVaTen/>…`). */
const personShape = (
  tag: string,
  get: (c: SimCitizen) => SimPersonRef | undefined,
): Shape<SimCitizen> => ({
  tag,
  get: (c: SimCitizen) => get(c) ?? {},
  children: [
    { tag: 'HoVaTen', text: (p: Partial<SimPersonRef>) => p.fullName },
    { tag: 'QuocTich', text: (p: Partial<SimPersonRef>) => p.nationality },
    { tag: 'SoDinhDanh', text: (p: Partial<SimPersonRef>) => p.idNumber },
    { tag: 'SoCMND', text: (p: Partial<SimPersonRef>) => p.oldIdNumber },
  ],
});

/** Every child of CongDan the simulator can write, in the order of the public sample. */
const FIELDS: Record<string, Shape<SimCitizen>> = {
  SoDinhDanh: { tag: 'SoDinhDanh', text: (c) => c.idNumber },
  SoCMND: { tag: 'SoCMND', text: (c) => c.oldIdNumber },
  HoVaTen: {
    tag: 'HoVaTen',
    children: [
      { tag: 'Ho', text: () => '' },
      { tag: 'ChuDem', text: () => '' },
      { tag: 'Ten', text: (c: SimCitizen) => c.fullName },
    ],
  },
  GioiTinh: { tag: 'GioiTinh', text: (c) => c.sex },
  DanToc: { tag: 'DanToc', text: (c) => c.ethnicity },
  TonGiao: { tag: 'TonGiao', text: (c) => c.religion },
  TinhTrangHonNhan: { tag: 'TinhTrangHonNhan', text: (c) => c.maritalStatus },
  NhomMau: { tag: 'NhomMau', text: (c) => c.bloodGroup },
  NgayThangNamSinh: {
    tag: 'NgayThangNamSinh',
    children: [
      { tag: 'Nam', text: (c: SimCitizen) => c.birthDate.slice(0, 4) },
      { tag: 'NgayThangNam', text: (c: SimCitizen) => c.birthDate },
    ],
  },
  NoiDangKyKhaiSinh: addressShape('NoiDangKyKhaiSinh', (c) => c.birthRegistration),
  QueQuan: addressShape('QueQuan', (c) => c.hometown),
  ThuongTru: addressShape('ThuongTru', (c) => c.permanentResidence),
  NoiOHienTai: addressShape('NoiOHienTai', (c) => c.currentResidence),
  QuocTich: { tag: 'QuocTich', text: (c) => c.nationality },
  Cha: personShape('Cha', (c) => c.father),
  Me: personShape('Me', (c) => c.mother),
  VoChong: personShape('VoChong', (c) => c.spouse),
  NguoiDaiDien: personShape('NguoiDaiDien', (c) => c.representative),
  ChuHo: {
    tag: 'ChuHo',
    get: (c: SimCitizen) => c.household,
    children: [
      { tag: 'QuanHe', text: (h: SimCitizen['household']) => h.relation },
      { tag: 'SoDinhDanh', text: (h: SimCitizen['household']) => h.headId },
      { tag: 'SoCMND', text: (h: SimCitizen['household']) => h.headOldId },
      { tag: 'HoVaTen', text: (h: SimCitizen['household']) => h.headName },
    ],
  },
  SoSoHoKhau: { tag: 'SoSoHoKhau', text: (c) => c.household.bookNumber },
  TrangThaiCongDan: { tag: 'TrangThaiCongDan', text: (c) => c.status },
  NgayChetMatTich: { tag: 'NgayChetMatTich', text: (c) => c.statusDate },
};

const IDENTITY = ['SoDinhDanh', 'SoCMND', 'HoVaTen', 'NgayThangNamSinh'];

/**
 * What each operation answers. The full list is the public sample's; the
 * subsets of the other operations are DESIGNED BY LIENTHONG.
 */
export const REPLY_FIELDS: Readonly<
  Record<Exclude<NpdOperation, 'XacThucThongTinCongDan'>, readonly string[]>
> = {
  TraCuuThongTinCongDan: [
    'SoDinhDanh',
    'SoCMND',
    'HoVaTen',
    'GioiTinh',
    'DanToc',
    'TonGiao',
    'TinhTrangHonNhan',
    'NhomMau',
    'NgayThangNamSinh',
    'NoiDangKyKhaiSinh',
    'QueQuan',
    'ThuongTru',
    'NoiOHienTai',
    'QuocTich',
    'Cha',
    'Me',
    'VoChong',
    'NguoiDaiDien',
    'ChuHo',
    'SoSoHoKhau',
  ],
  XacMinhThongTinNoiOHienTai: [...IDENTITY, 'ThuongTru', 'NoiOHienTai'],
  CungCapThongTinHoGiaDinh: [
    'SoDinhDanh',
    'SoCMND',
    'HoVaTen',
    'GioiTinh',
    'NgayThangNamSinh',
    'ThuongTru',
    'ChuHo',
    'SoSoHoKhau',
  ],
  CungCapThongTinNhomMau: [...IDENTITY, 'NhomMau'],
  XacMinhTinhTrangHonNhan: [...IDENTITY, 'TinhTrangHonNhan', 'VoChong'],
  XacMinhTinhTrangChetMatTich: [...IDENTITY, 'TrangThaiCongDan', 'NgayChetMatTich'],
};

export interface CollectionMeta {
  /** Echoed as the collection's Id (designed: the request's MaYeuCau). */
  id: string;
  /** ThoiDiemDuLieu: when the data was read. */
  asOf: string;
}

interface CollectionData {
  citizens: readonly SimCitizen[];
  meta: CollectionMeta;
}

export type CollectionWriter = (
  op: Exclude<NpdOperation, 'XacThucThongTinCongDan'>,
  citizens: readonly SimCitizen[],
  meta: CollectionMeta,
) => string;

/** Compiles one collection writer per operation; returns whole SOAP envelopes. */
export function createCollectionWriter(): CollectionWriter {
  const writers = new Map<string, (d: CollectionData) => string>();
  for (const [op, fields] of Object.entries(REPLY_FIELDS)) {
    const shape: Shape<CollectionData> = {
      tag: 'CongdanCollection',
      attrs: [
        ['SoCongDan', (d: CollectionData) => String(d.citizens.length)],
        ['ThoiDiemDuLieu', (d: CollectionData) => d.meta.asOf],
        ['Id', (d: CollectionData) => d.meta.id],
      ],
      children: [
        {
          tag: 'CongDan',
          each: (d: CollectionData) => d.citizens,
          children: fields.map((f) => FIELDS[f]),
        },
      ],
    };
    writers.set(
      op,
      compileShape(shape, { prefix: 'ns1', rootAttributes: { 'xmlns:ns1': NPD_RESPONSE_NS } }),
    );
  }
  return (op, citizens, meta) => soapEnvelope(writers.get(op)!({ citizens, meta }), '');
}

/** The verification answer: KetQuaXacThucResponse/TonTai in the request namespace. */
export function verificationReply(exists: boolean): string {
  return soapEnvelope(
    `<dan:KetQuaXacThucResponse xmlns:dan="${NPD_REQUEST_NS}"><dan:TonTai>${exists}</dan:TonTai></dan:KetQuaXacThucResponse>`,
    '',
  );
}

/** A plain SOAP 1.1 fault as a provider writes it (no gateway detail: the simulator plays C06). */
export function providerFault(code: 'Client' | 'Server', text: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${SOAP11_NS}"><soapenv:Body><soapenv:Fault>` +
    `<faultcode>soapenv:${code}</faultcode><faultstring>${escapeXml(text)}</faultstring>` +
    `</soapenv:Fault></soapenv:Body></soapenv:Envelope>`
  );
}
