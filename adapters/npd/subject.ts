import { GatewayError } from '../../src/message/errors.js';
import { child, type XmlElement } from '../../src/xml/index.js';
import { NPD_REQUEST_NS, NPD_RESPONSE_NS, REPLY_KIND, type NpdOperation } from './constants.js';

/**
 * A reply is about the person asked for (DOMAIN.md §2): the citizen's
 * SoDinhDanh in the reply equals the request's. A reply about someone else —
 * a provider fault, a cross-wired relay — must never reach the caller as if it
 * answered the question (this matters most for citizens reading their own
 * record, R4), so it is refused with LT_NPD_OTHER_PERSON, on the JSON facade
 * (canonical reply) and the SOAP facade (pass-through) alike.
 */

/** Whom a request asks about, as it carries the ids (trimmed; '' when absent). */
export interface Asked {
  idNumber: string;
  oldIdNumber: string;
}

/** The ids of the caller's own operation element (the SOAP facade's pass-through). */
export function askedIn(op: XmlElement): Asked {
  return {
    idNumber: child(op, 'SoDinhDanh', NPD_REQUEST_NS)?.text.trim() ?? '',
    oldIdNumber: child(op, 'SoCMND', NPD_REQUEST_NS)?.text.trim() ?? '',
  };
}

/** A CongDan with no element content at all is "not found", like a missing one. */
export function isEmptyCitizen(el: XmlElement): boolean {
  return el.children.length === 0 && el.text.trim() === '';
}

/** The non-empty CongDan elements of a CongdanCollection (of any namespace when `anyNs`). */
export function citizensOf(collection: XmlElement, anyNs = false): XmlElement[] {
  return collection.children.filter(
    (k) => k.name === 'CongDan' && (anyNs || k.ns === NPD_RESPONSE_NS) && !isEmptyCitizen(k),
  );
}

/** Only the last three digits reach the log: enough to tell two people apart, not to name one. */
function masked(id: string): string {
  return id === '' ? '(empty)' : `…${id.slice(-3)}`;
}

/**
 * Throws LT_NPD_OTHER_PERSON (provider-blamed) when a reply of `op` is not
 * about the person `asked` names. The comparison is on SoDinhDanh when the
 * request carries one, else on SoCMND. A single-person operation's every
 * CongDan must be that person; the household's members must include them.
 * A CongDan without the id cannot be shown to be that person and is refused
 * too. Elements are matched by local name in any namespace: a pass-through
 * reply in an unexpected namespace (which a route's XSD under
 * `strictResponse: false` would only log) is checked all the same. The
 * verification (TonTai) names nobody, and an empty collection is "not
 * found": neither is checked. The ids compared are logged masked (data.provider,
 * src/pipeline/runtime.ts), never shown to the caller.
 */
export function checkSubject(
  op: NpdOperation,
  collection: XmlElement,
  asked: Asked,
  endpoint: string,
): void {
  const kind = REPLY_KIND[op];
  if (kind === 'verification') return;
  const key = asked.idNumber ? 'SoDinhDanh' : asked.oldIdNumber ? 'SoCMND' : undefined;
  if (!key) return;
  const want = key === 'SoDinhDanh' ? asked.idNumber : asked.oldIdNumber;
  if (collection.name !== 'CongdanCollection') return;
  const answered = citizensOf(collection, true).map((c) => child(c, key)?.text.trim() ?? '');
  if (answered.length === 0) return;
  const ok = kind === 'household' ? answered.includes(want) : answered.every((a) => a === want);
  if (ok) return;
  throw new GatewayError(
    'LT_NPD_OTHER_PERSON',
    `${endpoint}: the ${op} reply is about another person than the one asked for (its ${key} differs from the request's)`,
    {
      endpoint,
      operation: op,
      provider: `asked ${key} ${masked(want)}, answered ${answered.map(masked).join(', ')}`,
    },
  );
}
