import { fail } from '../../message/errors.js';
import { bodyKind } from '../../message/media-type.js';
import { isXmlElement, type XmlElement } from '../../xml/index.js';
import type { StageFactory } from '../deps.js';

/** Pointer segments, `~1` and `~0` decoded (RFC 6901). */
function segments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function shapeError(pointer: string, why: string): never {
  fail('LT_CONTRACT_REQUEST', `${pointer}: ${why}, so its codes cannot be checked`, {
    path: pointer,
  });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);

/**
 * A field of a JSON request, addressed by a JSON pointer. Absent is fine (an
 * optional field); a value in the way that is not an object is not: the
 * check would otherwise pass by seeing nothing.
 */
function jsonReader(pointer: string): (body: unknown) => unknown {
  const parts = segments(pointer);
  return (body) => {
    if (!isObject(body)) shapeError(pointer, 'the request is not a JSON object');
    let cur: unknown = body;
    for (let i = 0; i < parts.length; i++) {
      if (cur === undefined || cur === null) return undefined;
      if (!isObject(cur)) shapeError(pointer, `/${parts.slice(0, i).join('/')} is not an object`);
      cur = cur[parts[i]];
    }
    return cur;
  };
}

/** xs:token's view of a value: what the XSD's patterns were checked on. */
const collapse = (s: string) => s.replace(/[ \t\r\n]+/g, ' ').trim();

/**
 * The same pointer over a SOAP request (the Body's operation element, as the
 * SOAP inbound parsed it): segments are child element names in the
 * operation's namespace (`/SoDinhDanh`, `/NgayThangNamSinh/Nam`). Every
 * element on the path is read, so a second `SoDinhDanh` is checked too; a
 * leaf with elements inside has no code to check and is refused.
 */
function xmlReader(pointer: string): (body: unknown) => string[] {
  const parts = segments(pointer);
  return (body) => {
    if (!isXmlElement(body)) shapeError(pointer, 'the request is not a SOAP operation element');
    let level: XmlElement[] = [body];
    for (const p of parts) {
      const next: XmlElement[] = [];
      for (const el of level)
        for (const k of el.children) if (k.name === p && k.ns === body.ns) next.push(k);
      level = next;
    }
    return level.map((el) => {
      if (el.children.length) shapeError(pointer, 'the element holds elements, not a code');
      return collapse(el.text);
    });
  };
}

interface Field {
  /** Values at the pointer: none when absent. */
  values(body: unknown): unknown[];
  /** For cccd: the birth date and sex written beside it, when given. */
  context(body: unknown): { birthDate?: string; sex?: string };
}

function jsonField(pointer: string): Field {
  const read = jsonReader(pointer);
  const parent = jsonReader(pointer.replace(/\/[^/]*$/, '') || '');
  return {
    values: (body) => {
      const v = read(body);
      return v === undefined || v === null || v === '' ? [] : [v];
    },
    context: (body) => {
      const sib = parent(body);
      const s = isObject(sib) ? sib : {};
      return {
        birthDate: typeof s.birthDate === 'string' ? s.birthDate : undefined,
        sex: s.sex === '1' || s.sex === '2' ? s.sex : undefined,
      };
    },
  };
}

function xmlField(pointer: string): Field {
  const read = xmlReader(pointer);
  const base = pointer.replace(/\/[^/]*$/, '');
  const day = xmlReader(`${base}/NgayThangNamSinh/NgayThangNam`);
  const year = xmlReader(`${base}/NgayThangNamSinh/Nam`);
  const sex = xmlReader(`${base}/GioiTinh`);
  return {
    values: (body) => read(body).filter((v) => v !== ''),
    context: (body) => {
      const s = sex(body)[0];
      return {
        birthDate: day(body)[0] || year(body)[0] || undefined,
        sex: s === '1' || s === '2' ? s : undefined,
      };
    },
  };
}

type Check = (body: unknown, field: Field) => boolean;

/**
 * R2: codes in a request must exist in the shared catalogs, and personal
 * identification numbers must have a valid structure (province prefix,
 * century/sex digit agreeing with the birth date and sex when given), before
 * anything reaches a national database. The route names what to check:
 *
 *   codes: { /idNumber: cccd, /address/provinceCode: province }     (JSON)
 *   codes: { /SoDinhDanh: cccd }                        (SOAP: element names)
 *
 * The message's media type says which reading applies; a body that is not
 * the shape a pointer walks (not an object, not an element) is a contract
 * error, never a check that passes by finding nothing. `cccd` reads the
 * birth date and sex beside it when present (`birthDate`/`sex`, or
 * `NgayThangNamSinh`/`GioiTinh`).
 */
export const checkCodes: StageFactory = {
  name: 'check-codes',
  create(route, deps) {
    const catalogs = deps.catalogs;
    const entries = Object.entries(route.codes ?? {});
    if (!entries.length) return null;
    const checks = entries.map(([pointer, kind]) => {
      const fields = { json: jsonField(pointer), xml: xmlField(pointer) };
      let check: Check;
      if (kind === 'cccd') {
        check = (body, field) => {
          const values = field.values(body);
          for (const v of values) {
            // Not String(v): a number is not a personal id, whatever its digits.
            if (typeof v !== 'string')
              fail(
                'LT_CCCD_INVALID',
                `${pointer}: format: a personal id is a string of 12 digits`,
                {
                  reason: 'format',
                },
              );
            catalogs.cccd.validate(v, field.context(body));
          }
          return values.length > 0;
        };
      } else {
        const catalog = catalogs.get(kind);
        check = (body, field) => {
          const values = field.values(body);
          for (const v of values) {
            if (typeof v !== 'string')
              fail('LT_CATALOG_UNKNOWN_CODE', `${pointer}: codes are strings ("01", not 1)`, {
                catalog: kind,
                path: pointer,
              });
            if (!catalog.has(v)) {
              fail('LT_CATALOG_UNKNOWN_CODE', `${pointer}: "${v}" is not in the ${kind} catalog`, {
                catalog: kind,
                code: v,
                path: pointer,
              });
            }
          }
          return values.length > 0;
        };
      }
      return { label: `${pointer}: ${kind}`, check, fields };
    });
    return (ex) => {
      // What is sent: the request, or its copy with the endpoint's defaults filled in.
      const { body, contentType } = ex.outbound ?? ex.request;
      const reading = bodyKind(contentType) === 'xml' ? 'xml' : 'json';
      const checked: string[] = [];
      for (const c of checks) if (c.check(body, c.fields[reading])) checked.push(c.label);
      return { checked };
    };
  },
};
