import type { Catalog, Catalogs } from '../../src/catalogs/index.js';
import { GatewayError } from '../../src/message/errors.js';
import { child, type SoapEnvelope, type XmlElement } from '../../src/xml/index.js';
import type { Address, Citizen, CodeName, HouseholdHead, NpdReply, Person } from './canonical.js';
import {
  CITIZEN_STATUS,
  NPD_REQUEST_NS,
  NPD_RESPONSE_NS,
  REPLY_KIND,
  type NpdOperation,
} from './constants.js';
import { checkSubject, citizensOf, type Asked } from './subject.js';

/**
 * NPD SOAP reply → canonical JSON. Elements are matched by namespace and
 * local name; values are trimmed of surrounding whitespace (never of leading
 * zeros: `09106` stays `09106`); codes get their Vietnamese name from the
 * shared catalogs, which are bound once when the reader is created.
 *
 * Absent element → key absent; empty element → '' for text, null for codes
 * and structures (see canonical.ts).
 */

type Lookup = (code: string) => string | null;

function lookupIn(catalog: Catalog | undefined): Lookup {
  if (!catalog) return () => null;
  return (code) => catalog.lookup(code)?.vi ?? null;
}

const NS = NPD_RESPONSE_NS;

function text(el: XmlElement, name: string): string | undefined {
  return child(el, name, NS)?.text.trim();
}

function setIf<K extends string, V>(
  out: Partial<Record<K, V>>,
  key: K,
  value: V | undefined,
): void {
  if (value !== undefined) out[key] = value;
}

export interface ReplyReader {
  /**
   * The canonical reply of `op` from a parsed, fault-free envelope;
   * LT_NPD_NOT_FOUND / LT_UPSTREAM_BAD_REPLY, and LT_NPD_OTHER_PERSON when
   * `asked` is given and the reply is about someone else (subject.ts).
   */
  read(op: NpdOperation, env: SoapEnvelope, requestId: string, asked?: Asked): NpdReply;
  /** One CongDan element as a canonical citizen. */
  citizen(el: XmlElement, dataAsOf?: string | null): Citizen;
}

export function createReplyReader(
  catalogs: Pick<
    Catalogs,
    | 'sex'
    | 'ethnicity'
    | 'religion'
    | 'maritalStatus'
    | 'bloodGroup'
    | 'nationality'
    | 'householdRelation'
    | 'district'
  >,
  endpoint = 'npd',
): ReplyReader {
  const names = {
    sex: lookupIn(catalogs.sex),
    ethnicity: lookupIn(catalogs.ethnicity),
    religion: lookupIn(catalogs.religion),
    maritalStatus: lookupIn(catalogs.maritalStatus),
    bloodGroup: lookupIn(catalogs.bloodGroup),
    nationality: lookupIn(catalogs.nationality),
    relation: lookupIn(catalogs.householdRelation),
    district: lookupIn(catalogs.district),
    status: (code: string) => CITIZEN_STATUS[code]?.vi ?? null,
  };

  function coded(el: XmlElement, name: string, lookup: Lookup): CodeName | null | undefined {
    const v = text(el, name);
    if (v === undefined) return undefined;
    return v === '' ? null : { code: v, name: lookup(v) };
  }

  /** Structured (Ho, ChuDem, Ten) or plain-text HoVaTen, as providers send either. */
  function fullNameOf(el: XmlElement | undefined): {
    full: string;
    parts?: { last: string; middle: string; first: string };
  } {
    if (!el) return { full: '' };
    if (el.children.length === 0) return { full: el.text.trim().replace(/\s+/g, ' ') };
    const last = text(el, 'Ho') ?? '';
    const middle = text(el, 'ChuDem') ?? '';
    const first = text(el, 'Ten') ?? '';
    const full = [last, middle, first]
      .filter((p) => p !== '')
      .join(' ')
      .replace(/\s+/g, ' ');
    return { full, parts: { last, middle, first } };
  }

  function address(el: XmlElement | undefined): Address | null | undefined {
    if (!el) return undefined;
    const provinceCode = text(el, 'MaTinhThanh') ?? '';
    const districtCode = text(el, 'MaQuanHuyen') ?? '';
    const communeCode = text(el, 'MaPhuongXa') ?? '';
    const detail = child(el, 'ChiTiet', NS)?.text.trim().replace(/\s+/g, ' ') ?? '';
    const country = text(el, 'QuocGia') ?? '';
    if (!provinceCode && !districtCode && !communeCode && !detail && !country) return null;
    const out: Address = { provinceCode, communeCode, detail, country };
    if (districtCode) {
      out.districtCode = districtCode;
      out.districtName = names.district(districtCode);
    }
    return out;
  }

  function person(el: XmlElement | undefined): Person | null | undefined {
    if (!el) return undefined;
    const fullName = fullNameOf(child(el, 'HoVaTen', NS)).full;
    const idNumber = text(el, 'SoDinhDanh') ?? '';
    const oldIdNumber = text(el, 'SoCMND') ?? '';
    const nationality = coded(el, 'QuocTich', names.nationality) ?? null;
    if (!fullName && !idNumber && !oldIdNumber && !nationality) return null;
    return { fullName, idNumber, oldIdNumber, nationality };
  }

  function head(el: XmlElement | undefined): HouseholdHead | null | undefined {
    if (!el) return undefined;
    const relation = coded(el, 'QuanHe', names.relation) ?? null;
    const idNumber = text(el, 'SoDinhDanh') ?? '';
    const oldIdNumber = text(el, 'SoCMND') ?? '';
    const fullName = fullNameOf(child(el, 'HoVaTen', NS)).full;
    if (!relation && !idNumber && !oldIdNumber && !fullName) return null;
    return { relation, idNumber, oldIdNumber, fullName };
  }

  function citizen(el: XmlElement, dataAsOf?: string | null): Citizen {
    const c: Citizen = {};
    setIf(c, 'idNumber', text(el, 'SoDinhDanh'));
    setIf(c, 'oldIdNumber', text(el, 'SoCMND'));
    const hvt = child(el, 'HoVaTen', NS);
    if (hvt) {
      const n = fullNameOf(hvt);
      c.fullName = n.full;
      c.name = n.parts ?? { last: '', middle: '', first: n.full };
    }
    setIf(c, 'sex', coded(el, 'GioiTinh', names.sex));
    setIf(c, 'ethnicity', coded(el, 'DanToc', names.ethnicity));
    setIf(c, 'religion', coded(el, 'TonGiao', names.religion));
    setIf(c, 'maritalStatus', coded(el, 'TinhTrangHonNhan', names.maritalStatus));
    setIf(c, 'bloodGroup', coded(el, 'NhomMau', names.bloodGroup));
    const birth = child(el, 'NgayThangNamSinh', NS);
    if (birth) {
      const day = text(birth, 'NgayThangNam') ?? '';
      const year = text(birth, 'Nam');
      c.birthDate = day || year || null;
      // Nam is kept beside NgayThangNam: some records have only the year, and
      // a disagreement between the two is data, not something to drop.
      if (year !== undefined) c.birthYear = year || null;
    }
    setIf(c, 'birthRegistration', address(child(el, 'NoiDangKyKhaiSinh', NS)));
    setIf(c, 'hometown', address(child(el, 'QueQuan', NS)));
    setIf(c, 'permanentResidence', address(child(el, 'ThuongTru', NS)));
    setIf(c, 'currentResidence', address(child(el, 'NoiOHienTai', NS)));
    setIf(c, 'nationality', coded(el, 'QuocTich', names.nationality));
    setIf(c, 'father', person(child(el, 'Cha', NS)));
    setIf(c, 'mother', person(child(el, 'Me', NS)));
    setIf(c, 'spouse', person(child(el, 'VoChong', NS)));
    setIf(c, 'representative', person(child(el, 'NguoiDaiDien', NS)));
    setIf(c, 'householdHead', head(child(el, 'ChuHo', NS)));
    setIf(c, 'householdBookNumber', text(el, 'SoSoHoKhau'));
    setIf(c, 'status', coded(el, 'TrangThaiCongDan', names.status));
    const statusDate = text(el, 'NgayChetMatTich');
    if (statusDate !== undefined) c.statusDate = statusDate || null;
    if (dataAsOf !== undefined) c.dataAsOf = dataAsOf;
    return c;
  }

  function badReply(detail: string): never {
    throw new GatewayError('LT_UPSTREAM_BAD_REPLY', `${endpoint}: ${detail}`, { endpoint });
  }

  function read(op: NpdOperation, env: SoapEnvelope, requestId: string, asked?: Asked): NpdReply {
    const body = env.body;
    if (REPLY_KIND[op] === 'verification') {
      if (
        body.name !== 'KetQuaXacThucResponse' ||
        (body.ns !== NPD_REQUEST_NS && body.ns !== NPD_RESPONSE_NS)
      ) {
        badReply(`expected KetQuaXacThucResponse, got {${body.ns}}${body.name}`);
      }
      const v = (child(body, 'TonTai', body.ns)?.text ?? '').trim().toLowerCase();
      if (v !== 'true' && v !== 'false' && v !== '1' && v !== '0')
        badReply(`TonTai is "${v}", not a boolean`);
      return { requestId, exists: v === 'true' || v === '1' };
    }
    if (body.name !== 'CongdanCollection' || body.ns !== NPD_RESPONSE_NS) {
      badReply(`expected {${NPD_RESPONSE_NS}}CongdanCollection, got {${body.ns}}${body.name}`);
    }
    const asOfAttr = body.attrs.ThoiDiemDuLieu ?? text(body, 'ThoiDiemDuLieu');
    const dataAsOf = asOfAttr === undefined || asOfAttr.trim() === '' ? null : asOfAttr.trim();
    if (asked) checkSubject(op, body, asked, endpoint);
    const members = citizensOf(body).map((k) => citizen(k, dataAsOf));
    if (members.length === 0) {
      throw new GatewayError('LT_NPD_NOT_FOUND', `${endpoint}: no citizen matches (${op})`, {
        endpoint,
        operation: op,
      });
    }
    if (REPLY_KIND[op] === 'household') {
      const book = members.find((m) => m.householdBookNumber)?.householdBookNumber ?? '';
      return { requestId, householdBookNumber: book, members };
    }
    return { requestId, citizen: members[0] };
  }

  return { read, citizen };
}
