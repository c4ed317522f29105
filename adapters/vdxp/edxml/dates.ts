import type { EdxmlWarning } from './fields.js';
import type { EdxmlMessage } from './model.js';

/**
 * Dates in edXML are strings and stay strings (`yyyy/MM/dd`, timestamps
 * `yyyy/MM/dd HH:mm:ss`). Impossible ones travel in the field, inside
 * DocumentId strings too (`…,2014/02/30,…`): they are reported as warnings,
 * never refused and never "corrected".
 */

const DATE = /^(\d{4})\/(\d{2})\/(\d{2})$/;
const TIMESTAMP = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
/** `OrganId,yyyy/MM/dd,CodeNumber/CodeNotation` (DOMAIN.md §3). */
export const DOCUMENT_ID = /^([^,]+),(\d{4}\/\d{2}\/\d{2}),(.+)$/s;

export function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

function checkDate(v: string | undefined, path: string, out: EdxmlWarning[]): void {
  if (!v) return;
  const m = DATE.exec(v);
  if (!m) out.push({ code: 'date-format', path, message: `"${v}" is not yyyy/MM/dd` });
  else if (!isRealDate(+m[1], +m[2], +m[3]))
    out.push({ code: 'impossible-date', path, message: `${v} does not exist` });
}

function checkTimestamp(v: string | undefined, path: string, out: EdxmlWarning[]): void {
  if (!v) return;
  const m = TIMESTAMP.exec(v);
  if (!m) {
    out.push({ code: 'date-format', path, message: `"${v}" is not yyyy/MM/dd HH:mm:ss` });
  } else if (!isRealDate(+m[1], +m[2], +m[3]) || +m[4] > 23 || +m[5] > 59 || +m[6] > 59) {
    out.push({ code: 'impossible-date', path, message: `${v} does not exist` });
  }
}

function checkDocumentId(v: string | undefined, path: string, out: EdxmlWarning[]): void {
  const m = v ? DOCUMENT_ID.exec(v) : null;
  if (!m) return; // a UUID or another form: nothing to check here
  const [y, mo, d] = m[2].split('/').map(Number);
  if (!isRealDate(y, mo, d))
    out.push({
      code: 'impossible-date',
      path,
      message: `the date ${m[2]} inside "${v}" does not exist`,
    });
}

/** Warnings for every date, timestamp and dated DocumentId of the message. */
export function dateWarnings(msg: EdxmlMessage, base: string): EdxmlWarning[] {
  const out: EdxmlWarning[] = [];
  const h = msg.header;
  if (h) {
    const p = `${base}/MessageHeader`;
    checkDate(h.PromulgationInfo?.PromulgationDate, `${p}/PromulgationInfo/PromulgationDate`, out);
    checkDate(h.DueDate, `${p}/DueDate`, out);
    checkDocumentId(h.DocumentId, `${p}/DocumentId`, out);
    h.ResponseFor?.forEach((r, i) => {
      checkDate(r.PromulgationDate, `${p}/ResponseFor[${i + 1}]/PromulgationDate`, out);
      checkDocumentId(r.DocumentId, `${p}/ResponseFor[${i + 1}]/DocumentId`, out);
    });
  }
  const s = msg.status;
  if (s) {
    const p = `${base}/MessageStatus`;
    checkTimestamp(s.Timestamp, `${p}/Timestamp`, out);
    checkDate(s.ResponseFor?.PromulgationDate, `${p}/ResponseFor/PromulgationDate`, out);
    checkDocumentId(s.ResponseFor?.DocumentId, `${p}/ResponseFor/DocumentId`, out);
  }
  const t = msg.traceHeaderList;
  if (t) {
    const p = `${base}/TraceHeaderList`;
    t.TraceHeader?.forEach((th, i) =>
      checkTimestamp(th.Timestamp, `${p}/TraceHeader[${i + 1}]/Timestamp`, out),
    );
    const b = t.Bussiness;
    checkDocumentId(b?.DocumentId, `${p}/Bussiness/DocumentId`, out);
    b?.ReplacementInfoList?.forEach((r, i) =>
      checkDocumentId(
        r.DocumentId,
        `${p}/Bussiness/ReplacementInfoList/ReplacementInfo[${i + 1}]/DocumentId`,
        out,
      ),
    );
  }
  return out;
}
