import { GatewayError } from '../message/errors.js';

/**
 * Writing XML the gateway produces: always escaped, never reflected from the
 * data. Shapes are compiled once (tag strings with their prefix precomputed)
 * and a message is then a run of string concatenations in a fixed element
 * order — the order NPD requests depend on (DOMAIN.md §2).
 */

// Characters that need work: markup, CR (a parser would turn a raw one into LF),
// and everything XML 1.0 cannot carry at all. With the `u` flag a valid
// surrogate pair is one code point, so \p{Cs} only matches unpaired halves.
/* eslint-disable no-control-regex -- finding control characters is the point */
const NEEDS_WORK = /[&<>"'\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|\p{Cs}/u;
const NEEDS_WORK_ATTR = /[&<>"'\t\n\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|\p{Cs}/u;
const REPLACE = /[&<>"'\t\n\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|\p{Cs}/gu;
/* eslint-enable no-control-regex */

const ENTITY: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
  '\t': '&#9;',
  '\n': '&#10;',
};

function unrepresentable(ch: string): never {
  const cp = ch.codePointAt(0) ?? 0;
  throw new GatewayError(
    'LT_XML_MALFORMED',
    `character U+${cp.toString(16).toUpperCase().padStart(4, '0')} cannot be written in XML 1.0`,
    { codePoint: cp },
  );
}

function replaceText(ch: string): string {
  if (ch === '\t' || ch === '\n') return ch;
  return ENTITY[ch] ?? unrepresentable(ch);
}

function replaceAttr(ch: string): string {
  return ENTITY[ch] ?? unrepresentable(ch);
}

/**
 * Escapes text for element content (also safe inside a quoted attribute when
 * the value has no tab or newline; use escapeAttr otherwise). A character XML
 * 1.0 cannot carry at all (U+0001, an unpaired surrogate) is refused with
 * LT_XML_MALFORMED rather than silently changed.
 */
export function escapeXml(text: string): string {
  return NEEDS_WORK.test(text) ? text.replace(REPLACE, replaceText) : text;
}

/**
 * Escapes text for element content, replacing what XML 1.0 cannot carry
 * (U+0001, U+FFFE, an unpaired surrogate) with U+FFFD instead of refusing
 * it: for the text of an error, whose rendering must never fail (a parse
 * error's detail can quote the very character that made the input bad).
 */
export function escapeXmlLossy(text: string): string {
  return NEEDS_WORK.test(text) ? text.replace(REPLACE, replaceTextLossy) : text;
}

function replaceTextLossy(ch: string): string {
  if (ch === '\t' || ch === '\n') return ch;
  return ENTITY[ch] ?? '\uFFFD';
}

/** Escapes an attribute value, including tabs and newlines (which attribute normalization would eat). */
export function escapeAttr(value: string): string {
  return NEEDS_WORK_ATTR.test(value) ? value.replace(REPLACE, replaceAttr) : value;
}

/** `<tag>escaped</tag>`, or `<tag/>` for an empty value. */
export function leaf(tag: string, value: string | undefined | null): string {
  return value === undefined || value === null || value === ''
    ? `<${tag}/>`
    : `<${tag}>${escapeXml(value)}</${tag}>`;
}

// ---- compiled shapes -------------------------------------------------------

/**
 * When an element is written:
 * - 'always'  : always; a missing value gives an empty element (`<QuocTich/>`);
 * - 'present' : only when the value (or group object) is not undefined/null;
 * - 'nonEmpty': only when the value is a non-empty string (or the group object exists).
 */
export type When = 'always' | 'present' | 'nonEmpty';

export interface LeafShape<T = any> {
  tag: string;
  text: (d: T) => string | undefined | null;
  when?: When;
}

export interface GroupShape<T = any> {
  tag: string;
  /** Moves the data context for the children; the group is skipped per `when` if it returns undefined/null. */
  get?: (d: T) => unknown;
  /** Attributes (name → value getter); undefined values are left out. */
  attrs?: ReadonlyArray<readonly [string, (d: any) => string | undefined]>;
  children: ReadonlyArray<Shape>;
  when?: When;
}

export interface RepeatShape<T = any> {
  tag: string;
  /** One element per item, each with `children` rendered against the item. */
  each: (d: T) => readonly unknown[] | undefined;
  children: ReadonlyArray<Shape>;
}

export type Shape<T = any> = LeafShape<T> | GroupShape<T> | RepeatShape<T>;

type Render = (d: any) => string;

export interface CompileOptions {
  /** Prefix for every element of the shape ('' for none). */
  prefix?: string;
  /** Static attributes on the outermost element, e.g. `{ 'xmlns:dan': 'http://dancuquocgia.bca' }`. */
  rootAttributes?: Record<string, string>;
}

/**
 * Compiles a shape into a function from data to XML text. Tags, prefixes and
 * static attributes are concatenated once here; per message only values are
 * escaped and joined, in the shape's element order.
 */
export function compileShape<T>(shape: Shape<T>, opts: CompileOptions = {}): (data: T) => string {
  const prefix = opts.prefix ? `${opts.prefix}:` : '';
  const rootAttrs = Object.entries(opts.rootAttributes ?? {})
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join('');
  return compileNode(shape, prefix, rootAttrs);
}

function compileNode(shape: Shape, prefix: string, staticAttrs: string): Render {
  const q = prefix + shape.tag;
  const openStart = `<${q}${staticAttrs}`;
  const open = `${openStart}>`;
  const close = `</${q}>`;
  const empty = `${openStart}/>`;

  if ('text' in shape) {
    const get = shape.text;
    const when = shape.when ?? 'always';
    return (d) => {
      const v = d === undefined || d === null ? undefined : get(d);
      if (v === undefined || v === null) return when === 'always' ? empty : '';
      if (v === '') return when === 'nonEmpty' ? '' : empty;
      return open + escapeXml(v) + close;
    };
  }

  const kids = shape.children.map((c) => compileNode(c, prefix, ''));
  const renderKids = (d: unknown): string => {
    let out = '';
    for (let i = 0; i < kids.length; i++) out += kids[i](d);
    return out;
  };

  if ('each' in shape) {
    const each = shape.each;
    return (d) => {
      const items = d === undefined || d === null ? undefined : each(d);
      if (!items) return '';
      let out = '';
      for (const item of items) {
        const inner = renderKids(item);
        out += inner === '' ? empty : open + inner + close;
      }
      return out;
    };
  }

  const get = shape.get;
  const when = shape.when ?? 'always';
  const attrs = shape.attrs ?? [];
  return (d) => {
    const ctx = get ? (d === undefined || d === null ? undefined : get(d)) : d;
    if ((ctx === undefined || ctx === null) && when !== 'always') return '';
    let attrText = '';
    if (ctx !== undefined && ctx !== null) {
      for (const [name, value] of attrs) {
        const v = value(ctx);
        if (v !== undefined) attrText += ` ${name}="${escapeAttr(v)}"`;
      }
    }
    const inner = renderKids(ctx);
    if (attrText === '') return inner === '' ? empty : open + inner + close;
    return inner === '' ? `${openStart}${attrText}/>` : `${openStart}${attrText}>${inner}${close}`;
  };
}
