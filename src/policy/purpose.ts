import type { Message } from '../message/message.js';
import { child, isXmlElement } from '../xml/tree.js';

/** Longest purpose kept: a stated purpose is a code, not a document. */
const MAX_PURPOSE = 100;

/**
 * The purpose a caller states for a request (R9, R11: data is used only for
 * the purpose it was granted for). In order:
 * 1. the `X-Purpose` header, on any channel that carries headers;
 * 2. the public-service code the request itself carries: `serviceCode` of the
 *    NPD JSON facade, `MaDVC` (or `MaDichVu`) of a SOAP operation element
 *    (DOMAIN.md §2) — the procedure the lookup is made for.
 * Undefined when the caller stated none.
 */
export function purposeOf(msg: Message): string | undefined {
  const header = msg.headers['x-purpose'];
  if (header !== undefined) return clean(header);
  const body = msg.body;
  if (isXmlElement(body)) {
    const el = child(body, 'MaDVC') ?? child(body, 'MaDichVu');
    return el ? clean(el.text) : undefined;
  }
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const code = (body as Record<string, unknown>).serviceCode;
    return typeof code === 'string' ? clean(code) : undefined;
  }
  return undefined;
}

/**
 * The officer account a request names (R10.4): the `X-Officer` header, else
 * `officer` on the NPD JSON facade or `MaCanBo` of a SOAP operation.
 */
export function officerOf(msg: Message): string | undefined {
  const header = msg.headers['x-officer'];
  if (header !== undefined) return clean(header);
  const body = msg.body;
  if (isXmlElement(body)) {
    const el = child(body, 'MaCanBo');
    return el ? clean(el.text) : undefined;
  }
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const o = (body as Record<string, unknown>).officer;
    return typeof o === 'string' ? clean(o) : undefined;
  }
  return undefined;
}

function clean(s: string): string | undefined {
  const t = s.trim().slice(0, MAX_PURPOSE);
  return t === '' ? undefined : t;
}
