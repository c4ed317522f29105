/**
 * Media types (RFC 9110 §8.3.1): `type/subtype *( OWS ";" OWS name=value )`.
 * Type, subtype and parameter names are case-insensitive; a structured
 * syntax suffix (`+json`, `+xml`, RFC 6838 §4.2.8) says what the body is
 * written in. Every decision the gateway takes on a Content-Type (which
 * routes accept it, which validator checks it, whether the NPD outbound
 * writes SOAP or forwards XML, whether translation applies) goes through
 * this one parse, so no two places can read one header differently:
 * `text/XML` and `text/xml` are one type, `application/json; x=xml` is JSON.
 */

export interface MediaType {
  /** `type/subtype`, lower-case: what is compared. */
  readonly essence: string;
  readonly type: string;
  readonly subtype: string;
  /** The structured syntax suffix without `+` (`json` for `application/problem+json`). */
  readonly suffix?: string;
  /** Parameters by lower-case name; values as written (quoted-strings unquoted). */
  readonly params: Readonly<Record<string, string>>;
}

/** What a body is written in, as far as the gateway cares. */
export type BodyKind = 'json' | 'xml' | 'jose' | 'form' | 'other';

// RFC 9110 §5.6.2 tchar.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function unquote(v: string): string | undefined {
  if (!v.startsWith('"')) return TOKEN.test(v) ? v : undefined;
  if (v.length < 2 || !v.endsWith('"')) return undefined;
  return v.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** Splits on `;` outside quoted-strings. */
function splitParams(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

/** Headers longer than this are not media types anyone sends; they are refused unread. */
const MAX_LENGTH = 512;

/** The parsed media type, or undefined when the value is absent or not a media type. */
export function parseMediaType(value: string | undefined): MediaType | undefined {
  if (value === undefined || value.length > MAX_LENGTH) return undefined;
  const [head, ...rest] = splitParams(value);
  const slash = head.indexOf('/');
  if (slash < 0) return undefined;
  const type = head.slice(0, slash).trim().toLowerCase();
  const subtype = head
    .slice(slash + 1)
    .trim()
    .toLowerCase();
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  const params: Record<string, string> = Object.create(null);
  for (const p of rest) {
    if (p.trim() === '') continue;
    const eq = p.indexOf('=');
    if (eq < 0) return undefined;
    const name = p.slice(0, eq).trim().toLowerCase();
    const v = unquote(p.slice(eq + 1).trim());
    if (!TOKEN.test(name) || v === undefined) return undefined;
    params[name] = v;
  }
  const plus = subtype.lastIndexOf('+');
  const suffix = plus > 0 ? subtype.slice(plus + 1) : undefined;
  return { essence: `${type}/${subtype}`, type, subtype, suffix, params };
}

function kindOf(mt: MediaType | undefined): BodyKind {
  if (!mt) return 'other';
  const e = mt.essence;
  if (e === 'application/json' || mt.suffix === 'json') return 'json';
  if (e === 'text/xml' || e === 'application/xml' || mt.suffix === 'xml') return 'xml';
  if (e === 'application/jose') return 'jose';
  if (e === 'application/x-www-form-urlencoded') return 'form';
  return 'other';
}

// Content types repeat ("text/xml; charset=utf-8" on every SOAP message): the
// parses of the first few distinct values are kept, so the hot path parses nothing.
const PARSED = new Map<string, { mt: MediaType | undefined; kind: BodyKind }>();
const MAX_CACHED = 64;

function parsed(contentType: string): { mt: MediaType | undefined; kind: BodyKind } {
  let p = PARSED.get(contentType);
  if (p === undefined) {
    const mt = parseMediaType(contentType);
    p = { mt, kind: kindOf(mt) };
    if (PARSED.size < MAX_CACHED) PARSED.set(contentType, p);
  }
  return p;
}

/** What a Content-Type value says the body is written in. */
export function bodyKind(contentType: string | undefined): BodyKind {
  return contentType === undefined ? 'other' : parsed(contentType).kind;
}

/** Values whose parse is kept (for tests: it stays bounded whatever callers send). */
export function mediaTypeCacheSize(): number {
  return PARSED.size;
}

export const isJsonType = (contentType: string | undefined): boolean =>
  bodyKind(contentType) === 'json';
export const isXmlType = (contentType: string | undefined): boolean =>
  bodyKind(contentType) === 'xml';

/**
 * A list of accepted media types as a route declares it: `type/subtype`, or
 * `+suffix` for any type with that suffix (`+json` accepts
 * `application/problem+json`). Compiled once per route.
 */
export function mediaTypeAcceptor(accepted: readonly string[]): (contentType?: string) => boolean {
  const essences = new Set<string>();
  const suffixes = new Set<string>();
  for (const a of accepted) {
    const s = a.trim().toLowerCase();
    if (s.startsWith('+')) suffixes.add(s.slice(1));
    else essences.add(s);
  }
  return (contentType) => {
    const mt = contentType === undefined ? undefined : parsed(contentType).mt;
    if (!mt) return false;
    return essences.has(mt.essence) || (mt.suffix !== undefined && suffixes.has(mt.suffix));
  };
}
