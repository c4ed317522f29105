/**
 * The parsed XML tree the gateway works with. Every element carries its
 * namespace URI and local name, resolved from the declarations in scope, so
 * code matches `{ns}name` and never the prefix: the field writes the same
 * element as `dan:SoDinhDanh`, `qldc:SoDinhDanh` or `SoDinhDanh` under a
 * default namespace (DOMAIN.md §2).
 *
 * Values are exactly what the document says (entity references decoded,
 * nothing trimmed, nothing converted to numbers): `026092017345`, `01` and a
 * trailing space all survive. Trimming is the business of the code that maps
 * values (see adapters/npd/response.ts), never of the parser.
 */
export interface XmlElement {
  /** Namespace URI; '' when the element is in no namespace. */
  readonly ns: string;
  /** Local name (without prefix). */
  readonly name: string;
  /** The prefix as written ('' for none): for diagnostics only, never for matching. */
  readonly prefix: string;
  /**
   * Attributes other than namespace declarations. An unprefixed attribute is
   * keyed by its name; a prefixed one by `{uri}local` (Clark notation), so
   * `xsi:nil` is `{http://www.w3.org/2001/XMLSchema-instance}nil`. The object
   * has no prototype: an attribute called `__proto__` is just a key.
   */
  readonly attrs: Readonly<Record<string, string>>;
  /** Child elements, in document order. */
  readonly children: XmlElement[];
  /**
   * Character data directly inside this element (CDATA included), in order,
   * concatenated. Whitespace-only text of an element that has child elements
   * (indentation) is dropped to ''.
   */
  text: string;
}

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';
export const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** Whether a value is a parsed element (a message body from the SOAP facade), not JSON or bytes. */
export function isXmlElement(v: unknown): v is XmlElement {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const el = v as Partial<XmlElement>;
  return typeof el.name === 'string' && typeof el.ns === 'string' && Array.isArray(el.children);
}

/** First child with this local name (and namespace, when given). */
export function child(el: XmlElement, name: string, ns?: string): XmlElement | undefined {
  const kids = el.children;
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i];
    if (k.name === name && (ns === undefined || k.ns === ns)) return k;
  }
  return undefined;
}

/** All children with this local name (and namespace, when given). */
export function children(el: XmlElement, name: string, ns?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const k of el.children)
    if (k.name === name && (ns === undefined || k.ns === ns)) out.push(k);
  return out;
}

/** Text of the first matching child; undefined when the child is absent, '' when it is empty. */
export function childText(el: XmlElement, name: string, ns?: string): string | undefined {
  return child(el, name, ns)?.text;
}

/** `{ns}name`, the unambiguous name used in messages and maps. */
export function clark(el: { ns: string; name: string }): string {
  return el.ns ? `{${el.ns}}${el.name}` : el.name;
}

export type PlainXml = string | { [name: string]: PlainXml | PlainXml[] };

/**
 * A plain JSON view of an element for display, logs and field projection:
 * leaves become their text, repeated names become arrays, attributes appear
 * as `@name`. Namespaces are dropped, so use it only after the namespaces of
 * the elements that matter have been checked on the tree.
 */
export function toPlain(el: XmlElement): PlainXml {
  const attrKeys = Object.keys(el.attrs);
  if (el.children.length === 0 && attrKeys.length === 0) return el.text;
  const out: { [name: string]: PlainXml | PlainXml[] } = Object.create(null);
  for (const k of attrKeys) {
    const brace = k.indexOf('}');
    out[`@${brace >= 0 ? k.slice(brace + 1) : k}`] = el.attrs[k];
  }
  for (const kid of el.children) {
    const value = toPlain(kid);
    const prev = out[kid.name];
    if (prev === undefined) out[kid.name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[kid.name] = [prev, value];
  }
  if (el.text !== '' && el.children.length === 0) out['#text'] = el.text;
  return out;
}
