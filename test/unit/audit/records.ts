import type { AuditRecord } from '../../../src/audit/record.js';

let seq = 0;
/** A sharing-log record of a report's input: an answered NPD lookup unless told otherwise. */
export function rec(over: Partial<AuditRecord>): AuditRecord {
  return {
    v: 1,
    writer: 'w',
    seq: ++seq,
    id: `ex-${seq}`,
    at: Date.parse('2026-03-02T09:15:00+07:00'),
    kind: 'exchange',
    code: 'OK',
    org: '000.00.00.H57',
    service: 'npd.TraCuuThongTinCongDan',
    ms: 10,
    keepUntil: 0,
    ...over,
  };
}
