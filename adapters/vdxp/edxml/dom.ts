import { createRequire } from 'node:module';
import { XMLNS_NS, type XmlElement } from '../../../src/xml/index.js';

/**
 * The bridge between xml-crypto's DOM (@xmldom/xmldom) and the project's
 * tree, for the one purpose verify.ts needs: proving that two parses of the
 * same content agree, element for element. Comparison is on what the
 * gateway reads — namespace, local name, attributes, text — and never on
 * prefixes or namespace-declaration placement, which canonicalization moves.
 */

// Loaded without its type declarations: they pull the DOM lib into the whole
// program (`/// <reference lib="dom" />`), which retypes fetch() everywhere.
const { DOMParser } = createRequire(import.meta.url)('@xmldom/xmldom') as {
  DOMParser: new (opts: object) => { parseFromString(xml: string, type: string): DomDocument };
};

/** The little of an xmldom Document used here. */
export interface DomDocument {
  documentElement: unknown;
  getElementsByTagNameNS(ns: string, name: string): ArrayLike<unknown>;
}

const ELEMENT = 1;
const TEXT = 3;
const CDATA = 4;
const WHITESPACE_ONLY = /^[ \t\r\n]*$/;

interface DomNode {
  nodeType: number;
  namespaceURI: string | null;
  localName: string | null;
  prefix: string | null;
  nodeValue: string | null;
  childNodes: ArrayLike<DomNode>;
  attributes?: ArrayLike<{
    namespaceURI: string | null;
    localName: string;
    name: string;
    value: string;
  }>;
}

/** Parses with xmldom, refusing anything it reports (it only sees what parseXml accepted). */
export function parseDom(xml: string): DomDocument {
  const problems: string[] = [];
  const record = (m: string) => void problems.push(m);
  const doc = new DOMParser({
    errorHandler: { warning: record, error: record, fatalError: record },
  }).parseFromString(xml, 'text/xml');
  if (problems.length || !doc.documentElement)
    throw new Error(`xmldom disagrees with the parser: ${problems[0] ?? 'no root element'}`);
  return doc;
}

/**
 * The xmldom element as an XmlElement. With `strict`, a comment or processing
 * instruction anywhere inside is refused: inside a signature they are how the
 * 2025 xml-crypto bypasses hid a second DigestValue from one reader.
 */
export function fromDom(node: unknown, strict: boolean): XmlElement {
  const el = node as DomNode;
  const attrs: Record<string, string> = Object.create(null);
  for (const a of Array.from(el.attributes ?? [])) {
    if (a.namespaceURI === XMLNS_NS || a.name === 'xmlns' || a.name.startsWith('xmlns:')) continue;
    attrs[a.namespaceURI ? `{${a.namespaceURI}}${a.localName}` : a.localName] = a.value;
  }
  const children: XmlElement[] = [];
  let text = '';
  for (const k of Array.from(el.childNodes)) {
    if (k.nodeType === ELEMENT) children.push(fromDom(k, strict));
    else if (k.nodeType === TEXT || k.nodeType === CDATA) text += k.nodeValue ?? '';
    else if (strict)
      throw new Error(`a comment or processing instruction inside <${el.localName}>`);
  }
  if (children.length && WHITESPACE_ONLY.test(text)) text = '';
  return {
    ns: el.namespaceURI ?? '',
    name: el.localName ?? '',
    prefix: el.prefix ?? '',
    attrs,
    children,
    text,
  };
}

/**
 * Where two trees first differ, or undefined when they are the same. `skip`
 * is left out of `a` (the enveloped signature, which the digest excludes);
 * `textA` reads a's texts (attachment runs restored, see slices.ts).
 */
export function firstDifference(
  a: XmlElement,
  b: XmlElement,
  textA: (el: XmlElement) => string,
  skip?: XmlElement,
  path = '',
): string | undefined {
  const here = `${path}/${a.name}`;
  if (a.ns !== b.ns || a.name !== b.name)
    return `${here}: {${b.ns}}${b.name} where {${a.ns}}${a.name} is`;
  const ka = Object.keys(a.attrs).sort();
  const kb = Object.keys(b.attrs).sort();
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i] || a.attrs[k] !== b.attrs[k]))
    return `${here}: attributes differ`;
  const kids = skip ? a.children.filter((k) => k !== skip) : a.children;
  if (kids.length !== b.children.length)
    return `${here}: ${b.children.length} children where ${kids.length} are`;
  const ta = kids.length && WHITESPACE_ONLY.test(a.text) ? '' : textA(a);
  const tb = kids.length && WHITESPACE_ONLY.test(b.text) ? '' : b.text;
  if (ta !== tb) return `${here}: text differs`;
  for (let i = 0; i < kids.length; i++) {
    const d = firstDifference(kids[i], b.children[i], textA, skip, here);
    if (d) return d;
  }
  return undefined;
}
