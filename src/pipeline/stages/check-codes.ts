import { fail } from '../../message/errors.js';
import type { StageFactory } from '../deps.js';

/** A field of the request, addressed by a JSON pointer, read without allocating per message. */
function compilePointer(pointer: string): (v: unknown) => unknown {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return (v) => {
    let cur = v;
    for (const p of parts) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[p];
    }
    return cur;
  };
}

type Check = (body: unknown) => string | undefined;

/**
 * R2: codes in a request must exist in the shared catalogs, and personal
 * identification numbers must have a valid structure (province prefix,
 * century/sex digit agreeing with the birth date and sex when given), before
 * anything reaches a national database. The route names what to check:
 *
 *   codes: { /idNumber: cccd, /address/provinceCode: province }
 *
 * `cccd` reads the sibling `birthDate` and `sex` when present.
 */
export const checkCodes: StageFactory = {
  name: 'check-codes',
  create(route, deps) {
    const catalogs = deps.catalogs;
    const entries = Object.entries(route.codes ?? {});
    if (!entries.length) return null;
    const checks: Check[] = entries.map(([pointer, kind]) => {
      const read = compilePointer(pointer);
      if (kind === 'cccd') {
        const parent = compilePointer(pointer.replace(/\/[^/]*$/, '') || '');
        return (body) => {
          const v = read(body);
          if (v === undefined || v === null || v === '') return undefined;
          const sib = (parent(body) ?? {}) as Record<string, unknown>;
          const birthDate = typeof sib.birthDate === 'string' ? sib.birthDate : undefined;
          const sex = sib.sex === '1' || sib.sex === '2' ? sib.sex : undefined;
          catalogs.cccd.validate(String(v), { birthDate, sex });
          return `${pointer}: cccd`;
        };
      }
      const catalog = catalogs.get(kind);
      return (body) => {
        const v = read(body);
        if (v === undefined || v === null || v === '') return undefined;
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
        return `${pointer}: ${kind}`;
      };
    });
    return (ex) => {
      const body = ex.request.body;
      const checked: string[] = [];
      for (const c of checks) {
        const r = c(body);
        if (r) checked.push(r);
      }
      return { checked };
    };
  },
};
