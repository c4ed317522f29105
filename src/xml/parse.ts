import { GatewayError, type ErrorCode } from '../message/errors.js';
import { XML_NS, XMLNS_NS, type XmlElement } from './tree.js';
import { escapeAttr } from './write.js';

/**
 * The hardened XML parser every inbound and outbound XML message goes through.
 *
 * Why our own tokenizer and not fast-xml-parser (measured on this machine, a
 * 3 KB NPD reply): fast-xml-parser's XMLParser takes ~110 µs and accepts
 * mismatched end tags silently, so its XMLValidator (~30 µs) must run first,
 * and even that accepts undefined entities (`&nbsp;`), several root elements
 * and `<` inside attribute values; namespaces would still need a second walk
 * (its `removeNSPrefix` throws the URI away). This single pass costs ~15 µs,
 * resolves namespaces while it builds the tree, and enforces XML 1.0 +
 * Namespaces well-formedness; the unit tests check it against libxml2 as an
 * oracle on random documents.
 *
 * Hardening, in the order it applies:
 * - size (`maxBytes`, UTF-8 bytes) → LT_XML_TOO_LARGE, before anything is read;
 * - any markup declaration (`<!DOCTYPE`, `<!ENTITY`, `<!ELEMENT`, `<!ATTLIST`,
 *   `<!NOTATION`) → LT_XML_DTD_FORBIDDEN at the point it appears, before it
 *   could declare anything. Nothing is ever expanded except the five
 *   predefined entities and numeric character references, so XXE and entity
 *   bombs have nothing to work with;
 * - nesting beyond `maxDepth` → LT_XML_TOO_DEEP (the parser is iterative: a
 *   deep document cannot overflow the stack);
 * - more than `maxNodes` elements and attributes → LT_XML_TOO_MANY_NODES, at
 *   the element that goes over, so the tree never grows past the bound;
 * - anything not well-formed → LT_XML_MALFORMED with line and column.
 *
 * Encoding: UTF-8 (and its ASCII subset) only; invalid UTF-8 bytes are
 * refused rather than replaced. SOAP 1.1 and the platforms in DOMAIN.md use
 * UTF-8; a declared other encoding is refused with a clear message.
 */

export interface XmlLimits {
  /** Largest accepted document, in bytes of UTF-8. */
  maxBytes: number;
  /** Deepest accepted element nesting (the root is depth 1). */
  maxDepth: number;
  /**
   * Most elements plus attributes (namespace declarations included) in the
   * whole document; unbounded when absent (the gateway's own files). Bytes
   * alone do not bound the tree: 1 MB of `<a/>` is 250,000 elements, ~100 MB
   * of heap and tens of ms before anyone is authenticated.
   */
  maxNodes?: number;
}

/**
 * Attributes (namespace declarations included) on one element. Far above any
 * envelope of the national platforms (a WS-Security header has a handful);
 * it bounds the per-element work an unauthenticated caller can ask for.
 */
export const MAX_ATTRIBUTES = 256;
/** Namespace declarations in scope at once, over all open elements. */
export const MAX_NAMESPACES = 128;
/** Up to this many attributes, a repeated name is looked for by a scan; past it, in a Set. */
const SCAN_ATTRIBUTES = 16;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(code: ErrorCode, detail: string, data?: Record<string, unknown>): never {
  throw new GatewayError(code, detail, data);
}

/** Line and column (1-based, in characters) of an offset, computed only when reporting. */
export function lineColumn(s: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, s.length);
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
    } else if (c === 13) {
      if (s.charCodeAt(i + 1) === 10) i++;
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

function malformed(s: string, offset: number, why: string): never {
  const { line, column } = lineColumn(s, offset);
  fail('LT_XML_MALFORMED', `line ${line}, column ${column}: ${why}`, { line, column });
}

/** Decodes the input to a string, refusing oversize input and bytes that are not UTF-8. */
function decode(input: Buffer | Uint8Array | string, maxBytes: number): string {
  if (typeof input === 'string') {
    // Each UTF-16 unit is at least one UTF-8 byte: only count bytes when it could matter.
    if (input.length > maxBytes)
      fail('LT_XML_TOO_LARGE', `more than ${maxBytes} bytes`, { maxBytes });
    if (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes) {
      fail('LT_XML_TOO_LARGE', `more than ${maxBytes} bytes`, { maxBytes });
    }
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (input.length > maxBytes) {
    fail('LT_XML_TOO_LARGE', `${input.length} bytes, the limit is ${maxBytes}`, { maxBytes });
  }
  if (
    input.length >= 2 &&
    ((input[0] === 0xfe && input[1] === 0xff) || (input[0] === 0xff && input[1] === 0xfe))
  ) {
    fail('LT_XML_MALFORMED', 'UTF-16 is not accepted; send UTF-8', { line: 1, column: 1 });
  }
  try {
    return utf8.decode(input); // strips a UTF-8 BOM
  } catch {
    let bad = 0;
    // Find the first offending byte for the message (cold path).
    for (let end = input.length; end > 0; end = Math.floor(end / 2)) {
      try {
        utf8.decode(input.subarray(0, end));
        bad = end;
        break;
      } catch {
        /* keep halving */
      }
    }
    fail('LT_XML_MALFORMED', `bytes that are not UTF-8 near byte ${bad}`, { byte: bad });
  }
}

// ---- character classes (XML 1.0 fifth edition) ---------------------------------

const NAME_START_ASCII = new Uint8Array(128);
const NAME_ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const start =
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 /* _ */ || c === 58; /* : */
  NAME_START_ASCII[c] = start ? 1 : 0;
  NAME_ASCII[c] = start || (c >= 48 && c <= 57) || c === 45 || c === 46 ? 1 : 0;
}

function isNameStartWide(c: number): boolean {
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    (c >= 0x200c && c <= 0x200d) ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd)
  );
}

function isNameWide(c: number): boolean {
  return (
    isNameStartWide(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040)
  );
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

/** RFC 3986 unreserved, gen-delims and sub-delims: the characters a URI may hold as they are. */
const URI_ASCII = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#@!$&'()*+,;=[]")
  URI_ASCII[c.charCodeAt(0)] = 1;
const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * Only URI characters and complete percent-escapes. A loop, not a regex: a
 * repeated group over a 500 KB namespace name that fails at its end cost
 * irregexp ~150 ms here; this is linear with a small constant.
 */
function uriChars(u: string): boolean {
  for (let i = 0; i < u.length; i++) {
    const c = u.charCodeAt(i);
    if (c < 128 && URI_ASCII[c] === 1) continue;
    if (c !== 37 || !HEX.test(u.slice(i + 1, i + 3))) return false;
    i += 2;
  }
  return true;
}
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const IP_LITERAL_AUTHORITY = /^\/\/(?:[^@/?#[\]]*@)?\[[0-9A-Fa-f:.vV]+\](?::\d*)?(?:[/?#]|$)/;

/**
 * A namespace name must be a URI reference (Namespaces in XML §2.2, RFC 3986):
 * ASCII only, percent-escapes complete, one fragment, a colon in the first
 * segment only after a valid scheme, brackets only around an IP-literal host.
 */
function isUriReference(u: string): boolean {
  if (!uriChars(u)) return false;
  const hash = u.indexOf('#');
  if (hash >= 0 && u.indexOf('#', hash + 1) >= 0) return false;
  const end = u.search(/[/?#]/);
  const head = end < 0 ? u : u.slice(0, end);
  const colon = head.indexOf(':');
  let rest = u;
  if (colon >= 0) {
    if (!SCHEME.test(head.slice(0, colon))) return false;
    rest = u.slice(colon + 1);
  }
  if (u.includes('[') || u.includes(']')) {
    const m = IP_LITERAL_AUTHORITY.exec(rest);
    if (!m || /[[\]]/.test(rest.slice(m[0].length))) return false;
  }
  return true;
}

/** Characters an XML declaration may span (`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` is 56). */
const MAX_XML_DECLARATION = 256;

const PREDEFINED_NAME: Readonly<Record<string, string>> = {
  '<': 'lt',
  '>': 'gt',
  '&': 'amp',
  "'": 'apos',
  '"': 'quot',
};

/** The character of a predefined entity reference whose name starts at `i` (`lt;`, `amp;`, …), if one does. */
function predefinedAt(s: string, i: number): string | undefined {
  switch (s.charCodeAt(i)) {
    case 108: // l
      return s.startsWith('t;', i + 1) ? '<' : undefined;
    case 103: // g
      return s.startsWith('t;', i + 1) ? '>' : undefined;
    case 97: // a
      if (s.startsWith('mp;', i + 1)) return '&';
      return s.startsWith('pos;', i + 1) ? "'" : undefined;
    case 113: // q
      return s.startsWith('uot;', i + 1) ? '"' : undefined;
    default:
      return undefined;
  }
}

/** The value of a decimal (or, with `hex`, hexadecimal) digit, or -1. */
function digitValue(c: number, hex: boolean): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (!hex) return -1;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const PREDEFINED: Readonly<Record<string, string>> = {
  lt: '<',
  gt: '>',
  amp: '&',
  apos: "'",
  quot: '"',
};

const MARKUP_DECLARATIONS = ['DOCTYPE', 'ENTITY', 'ELEMENT', 'ATTLIST', 'NOTATION'];

const EMPTY_ATTRS: Readonly<Record<string, string>> = Object.freeze(Object.create(null));
const WHITESPACE_ONLY = /^[ \t\r\n]*$/;
const ENCODINGS_ACCEPTED = /^(utf-?8|us-ascii|ascii)$/i;

/**
 * Where an element stands in the document it was parsed from: kept, when
 * parseXml is asked to (`sourceDepth`), for the elements at that depth — the
 * SOAP Body's operation element — so an envelope of the gateway's can carry
 * the caller's own text of it instead of a re-serialisation
 * (gatewayEnvelope in soap.ts). The text is well-formed by construction: the
 * parser accepted it.
 */
export interface ElementSource {
  /** The whole decoded document. */
  readonly doc: string;
  /** Offset of the element's '<'. */
  readonly start: number;
  /** Offset just past its name in the start tag (where declarations can be added). */
  readonly nameEnd: number;
  /** Offset just past its end tag (or '/>'). */
  readonly end: number;
  /**
   * The namespace bindings its ancestors put in force and it does not declare
   * itself, as attributes (` xmlns:dan="…"`): what the element needs to stand
   * alone, since the text may use any of them.
   */
  readonly inherited: string;
}

const sources = new WeakMap<XmlElement, ElementSource>();

/** An ElementSource whose `inherited` is worked out on first use. */
class SourceOf implements ElementSource {
  private decls: string | undefined;

  constructor(
    readonly doc: string,
    readonly start: number,
    readonly nameEnd: number,
    readonly end: number,
    /** The declared bindings in force inside the element, outermost first… */
    private readonly prefixes: string[],
    private readonly uris: string[],
    /** …of which those from this index on are the element's own. */
    private readonly own: number,
  ) {}

  get inherited(): string {
    if (this.decls !== undefined) return this.decls;
    const seen = new Set<string>(this.prefixes.slice(this.own));
    let out = '';
    for (let k = this.own - 1; k >= 0; k--) {
      const prefix = this.prefixes[k];
      if (seen.has(prefix)) continue; // shadowed by a nearer binding, or its own
      seen.add(prefix);
      const uri = this.uris[k];
      if (prefix === '' && uri === '') continue; // no default namespace: the new envelope has none either
      out += `${prefix === '' ? ' xmlns' : ` xmlns:${prefix}`}="${escapeAttr(uri)}"`;
    }
    return (this.decls = out);
  }
}

/**
 * The source of an element parsed with `sourceDepth` at its depth; undefined
 * for any other (or for an element built in code). A stage that changes a
 * request puts a new element in the body rather than mutating this one: the
 * source is the text as it was parsed.
 */
export function elementSource(el: XmlElement): ElementSource | undefined {
  return sources.get(el);
}

export interface ParseOptions {
  /** Keep the source (elementSource) of the elements at this depth (the root is depth 1). */
  sourceDepth?: number;
}

/**
 * Parses a whole document and returns its root element. Throws a
 * GatewayError (LT_XML_*) and nothing else for any input.
 */
export function parseXml(
  input: Buffer | Uint8Array | string,
  limits: XmlLimits,
  opts: ParseOptions = {},
): XmlElement {
  const s = decode(input, limits.maxBytes);
  return new Parser(
    s,
    limits.maxDepth,
    limits.maxNodes ?? Infinity,
    opts.sourceDepth ?? 0,
  ).document();
}

/** Bound before any declaration: xml, xmlns, and the empty default namespace. */
const BUILTIN_PREFIXES = ['xml', 'xmlns', ''];
const BUILTIN_URIS = [XML_NS, XMLNS_NS, ''];

class Parser {
  private i = 0;
  private readonly n: number;
  private readonly nsPrefix: string[] = [...BUILTIN_PREFIXES];
  private readonly nsUri: string[] = [...BUILTIN_URIS];
  // The open elements, as parallel arrays (cheaper than a frame object per element).
  private readonly stackEl: XmlElement[] = [];
  private readonly stackQName: string[] = [];
  /** Namespace bindings in force before each open element's own declarations. */
  private readonly stackMark: number[] = [];
  private root: XmlElement | undefined;
  /** Set by attributes(): whether the tag just read ended with '/>'. */
  private selfClosing = false;
  /** Elements and attributes read so far, against maxNodes. */
  private nodes = 0;
  /** The open element at sourceDepth whose source is being kept, and what keepSource saw. */
  private sourceEl: XmlElement | undefined;
  private sourceStart = 0;
  private sourceNameEnd = 0;
  private sourceMark = 0;
  private sourcePrefixes: string[] | undefined;
  private sourceUris: string[] | undefined;

  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
    private readonly maxNodes: number,
    private readonly sourceDepth: number,
  ) {
    this.n = s.length;
  }

  /**
   * Starts keeping the source of `el`, opened at `tagAt`, its own declarations
   * from `nsMark` on. Only offsets and the bindings are taken here; what they
   * mean as attributes is worked out if the source is used (SourceOf).
   */
  private keepSource(el: XmlElement, qname: string, tagAt: number, nsMark: number): void {
    this.sourceEl = el;
    this.sourceStart = tagAt;
    this.sourceNameEnd = tagAt + 1 + qname.length;
    this.sourceMark = nsMark - BUILTIN_PREFIXES.length;
    this.sourcePrefixes = this.nsPrefix.slice(BUILTIN_PREFIXES.length);
    this.sourceUris = this.nsUri.slice(BUILTIN_PREFIXES.length);
  }

  private endSource(): void {
    sources.set(
      this.sourceEl!,
      new SourceOf(
        this.s,
        this.sourceStart,
        this.sourceNameEnd,
        this.i,
        this.sourcePrefixes!,
        this.sourceUris!,
        this.sourceMark,
      ),
    );
    this.sourceEl = this.sourcePrefixes = this.sourceUris = undefined;
  }

  private err(why: string, at = this.i): never {
    malformed(this.s, at, why);
  }

  private tooMany(why: string, at: number): never {
    const { line, column } = lineColumn(this.s, at);
    fail('LT_XML_TOO_MANY_ATTRIBUTES', `line ${line}, column ${column}: ${why}`, {
      line,
      column,
      maxAttributes: MAX_ATTRIBUTES,
      maxNamespaces: MAX_NAMESPACES,
    });
  }

  document(): XmlElement {
    const s = this.s;
    if (s.startsWith('<?xml', 0) && isSpace(s.charCodeAt(5))) this.xmlDeclaration();
    while (this.i < this.n) {
      if (this.stackEl.length === 0) this.outside();
      else this.content();
    }
    if (this.stackEl.length) {
      const open = this.stackQName[this.stackQName.length - 1];
      this.err(`end of document inside <${open}>: missing </${open}>`);
    }
    if (!this.root) this.err('no root element', 0);
    return this.root;
  }

  /** Prolog and epilog: only whitespace, comments and processing instructions besides the root. */
  private outside(): void {
    const s = this.s;
    let c = s.charCodeAt(this.i);
    while (isSpace(c)) c = s.charCodeAt(++this.i);
    if (this.i >= this.n) return;
    if (c !== 60) {
      this.err(this.root ? 'text after the root element' : 'text before the root element');
    }
    const next = s.charCodeAt(this.i + 1);
    if (next === 63) this.processingInstruction();
    else if (next === 33) this.bang(false);
    else if (next === 47) this.err('end tag with no open element');
    else if (this.root) this.err('a second root element');
    else this.startTag();
  }

  private content(): void {
    const s = this.s;
    if (s.charCodeAt(this.i) !== 60) {
      this.text();
      return;
    }
    const next = s.charCodeAt(this.i + 1);
    if (next === 47) this.endTag();
    else if (next === 33) this.bang(true);
    else if (next === 63) this.processingInstruction();
    else this.startTag();
  }

  private xmlDeclaration(): void {
    const s = this.s;
    const end = s.indexOf('?>', 5);
    if (end < 0) this.err('unterminated XML declaration');
    // The longest real one is ~60 characters; a long one is only regex work for the caller's sake.
    if (end > MAX_XML_DECLARATION) this.err('XML declaration too long');
    const decl = s.slice(5, end);
    const m =
      /^\s+version\s*=\s*(["'])1\.\d+\1(?:\s+encoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\4)?\s*$/.exec(
        decl,
      );
    if (!m) this.err('invalid XML declaration');
    if (m[3] !== undefined && !ENCODINGS_ACCEPTED.test(m[3])) {
      this.err(`encoding "${m[3]}" is not accepted; send UTF-8`);
    }
    this.i = end + 2;
  }

  /** `<!` : comment, CDATA section, or a markup declaration (refused). */
  private bang(inContent: boolean): void {
    const s = this.s;
    const at = this.i;
    if (s.startsWith('<!--', at)) {
      const end = s.indexOf('--', at + 4);
      if (end < 0) this.err('unterminated comment');
      if (s.charCodeAt(end + 2) !== 62) this.err("'--' inside a comment", end);
      this.checkChars(at + 4, end);
      this.i = end + 3;
      return;
    }
    if (s.startsWith('<![CDATA[', at)) {
      if (!inContent) this.err('CDATA section outside the root element');
      const start = at + 9;
      const end = s.indexOf(']]>', start);
      if (end < 0) this.err('unterminated CDATA section');
      this.checkChars(start, end);
      this.appendText(this.normalizeNewlines(s.slice(start, end)));
      this.i = end + 3;
      return;
    }
    for (const decl of MARKUP_DECLARATIONS) {
      if (s.startsWith(decl, at + 2)) {
        const { line, column } = lineColumn(s, at);
        fail(
          'LT_XML_DTD_FORBIDDEN',
          `line ${line}, column ${column}: <!${decl} is not accepted (no DTDs or entity declarations)`,
          { line, column },
        );
      }
    }
    this.err("'<!' that is neither a comment nor a CDATA section");
  }

  private processingInstruction(): void {
    const s = this.s;
    const at = this.i;
    this.i += 2;
    const target = this.name();
    if (target.toLowerCase() === 'xml') {
      this.err('XML declaration is only allowed at the very start', at);
    }
    if (target.includes(':')) this.err('processing-instruction target with a colon', at);
    const end = s.indexOf('?>', this.i);
    if (end < 0) this.err('unterminated processing instruction', at);
    if (end > this.i && !isSpace(s.charCodeAt(this.i)))
      this.err('space expected after the PI target');
    this.checkChars(this.i, end);
    this.i = end + 2;
  }

  /** Reads a Name at the cursor (XML 1.0 §2.3); the cursor ends after it. */
  private name(): string {
    const s = this.s;
    const start = this.i;
    let i = start;
    let c = s.charCodeAt(i);
    if (c < 128 ? NAME_START_ASCII[c] !== 1 : !this.wideName(i, true)) {
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 60 || Number.isNaN(c)) {
        this.err("expected a name (a '<' in text must be written &lt;)");
      }
      this.err(`'${String.fromCodePoint(s.codePointAt(i) ?? 0)}' cannot start a name`);
    }
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    for (;;) {
      c = s.charCodeAt(i);
      if (c < 128) {
        if (NAME_ASCII[c] !== 1) break;
        i++;
      } else if (this.wideName(i, false)) {
        i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      } else break;
    }
    this.i = i;
    return s.slice(start, i);
  }

  private wideName(i: number, start: boolean): boolean {
    const c = this.s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdb7f) {
      // U+10000–U+EFFFF: a high surrogate up to DB7F followed by a low one.
      const lo = this.s.charCodeAt(i + 1);
      return lo >= 0xdc00 && lo <= 0xdfff;
    }
    return start ? isNameStartWide(c) : isNameWide(c);
  }

  private skipSpace(): boolean {
    const s = this.s;
    const start = this.i;
    while (isSpace(s.charCodeAt(this.i))) this.i++;
    return this.i > start;
  }

  private startTag(): void {
    const s = this.s;
    const tagAt = this.i;
    this.i++;
    const qname = this.name();
    const nsMark = this.nsPrefix.length;
    // Fast path: most elements of a SOAP message have no attributes.
    const c = s.charCodeAt(this.i);
    if (c === 62) {
      this.i++;
      this.open(qname, tagAt, nsMark, undefined, false);
    } else if (c === 47 && s.charCodeAt(this.i + 1) === 62) {
      this.i += 2;
      this.open(qname, tagAt, nsMark, undefined, true);
    } else {
      const rawAttrs = this.attributes(qname, tagAt, nsMark);
      this.open(qname, tagAt, nsMark, rawAttrs, this.selfClosing);
    }
  }

  /**
   * Reads attributes up to '>' or '/>'. Namespace declarations are bound at
   * once (they apply to the element's own name); the others are returned as
   * [qname, value, offset] triples, resolved once all declarations are known.
   */
  private attributes(qname: string, tagAt: number, nsMark: number): string[] | undefined {
    const s = this.s;
    let rawAttrs: string[] | undefined;
    let count = 0;
    let seen: Set<string> | undefined;
    for (;;) {
      const spaced = this.skipSpace();
      const c = s.charCodeAt(this.i);
      if (c === 62) {
        this.i++;
        this.selfClosing = false;
        return rawAttrs;
      }
      if (c === 47) {
        if (s.charCodeAt(this.i + 1) !== 62) this.err("expected '>' after '/'");
        this.i += 2;
        this.selfClosing = true;
        return rawAttrs;
      }
      if (Number.isNaN(c)) this.err(`unterminated start tag <${qname}`, tagAt);
      if (!spaced) this.err('attributes must be separated by whitespace');
      const attrAt = this.i;
      if (++count > MAX_ATTRIBUTES)
        this.tooMany(`more than ${MAX_ATTRIBUTES} attributes on <${qname}>`, attrAt);
      this.nodes++;
      const aname = this.name();
      this.skipSpace();
      if (s.charCodeAt(this.i) !== 61) this.err(`attribute ${aname} has no value ('=' expected)`);
      this.i++;
      this.skipSpace();
      const value = this.attrValue();
      if (aname === 'xmlns' || aname.startsWith('xmlns:')) {
        this.declare(aname, value, attrAt, nsMark);
        continue;
      }
      rawAttrs ??= [];
      // A scan is cheapest for the few attributes real messages carry; a Set
      // keeps an element with hundreds of them linear instead of quadratic.
      if (seen) {
        if (seen.has(aname)) this.err(`attribute ${aname} is repeated`, attrAt);
        seen.add(aname);
      } else {
        for (let k = 0; k < rawAttrs.length; k += 3) {
          if (rawAttrs[k] === aname) this.err(`attribute ${aname} is repeated`, attrAt);
        }
        if (rawAttrs.length >= SCAN_ATTRIBUTES * 3) {
          seen = new Set(rawAttrs.filter((_, k) => k % 3 === 0));
          seen.add(aname);
        }
      }
      rawAttrs.push(aname, value, String(attrAt));
    }
  }

  private open(
    qname: string,
    tagAt: number,
    nsMark: number,
    rawAttrs: string[] | undefined,
    selfClosing: boolean,
  ): void {
    const depth = this.stackEl.length;
    if (++this.nodes > this.maxNodes) {
      const { line, column } = lineColumn(this.s, tagAt);
      fail(
        'LT_XML_TOO_MANY_NODES',
        `line ${line}, column ${column}: more than ${this.maxNodes} elements and attributes`,
        { line, column, maxNodes: this.maxNodes },
      );
    }
    if (depth >= this.maxDepth) {
      const { line, column } = lineColumn(this.s, tagAt);
      fail(
        'LT_XML_TOO_DEEP',
        `line ${line}, column ${column}: nesting deeper than ${this.maxDepth}`,
        {
          line,
          column,
          maxDepth: this.maxDepth,
        },
      );
    }
    const colon = qname.indexOf(':');
    let prefix = '';
    let local = qname;
    if (colon >= 0) {
      this.checkQName(qname, colon, tagAt);
      prefix = qname.slice(0, colon);
      local = qname.slice(colon + 1);
      if (prefix === 'xmlns') this.err('element names cannot use the xmlns prefix', tagAt);
    }
    const ns = this.resolve(prefix, tagAt);
    const attrs = rawAttrs ? this.resolveAttributes(rawAttrs) : EMPTY_ATTRS;
    const el: XmlElement = { ns, name: local, prefix, attrs, children: [], text: '' };
    if (depth > 0) this.stackEl[depth - 1].children.push(el);
    else this.root = el;
    if (depth + 1 === this.sourceDepth) {
      this.keepSource(el, qname, tagAt, nsMark);
      if (selfClosing) this.endSource();
    }
    if (selfClosing) {
      if (this.nsPrefix.length !== nsMark) this.unbind(nsMark);
    } else {
      this.stackEl.push(el);
      this.stackQName.push(qname);
      this.stackMark.push(nsMark);
    }
  }

  private resolveAttributes(rawAttrs: string[]): Record<string, string> {
    const out: Record<string, string> = Object.create(null);
    for (let k = 0; k < rawAttrs.length; k += 3) {
      const aq = rawAttrs[k];
      const at = Number(rawAttrs[k + 2]);
      const ac = aq.indexOf(':');
      this.checkQName(aq, ac, at);
      // Unprefixed attributes are in no namespace (Namespaces in XML §6.2).
      const key = ac < 0 ? aq : `{${this.resolve(aq.slice(0, ac), at)}}${aq.slice(ac + 1)}`;
      if (key in out) this.err(`attribute ${aq} is repeated (same namespace and name)`, at);
      out[key] = rawAttrs[k + 1];
    }
    return out;
  }

  private unbind(mark: number): void {
    this.nsPrefix.length = mark;
    this.nsUri.length = mark;
  }

  private checkQName(qname: string, colon: number, at: number): void {
    if (colon < 0) return;
    if (colon === 0 || colon === qname.length - 1 || qname.indexOf(':', colon + 1) >= 0) {
      this.err(`"${qname}" is not a valid qualified name`, at);
    }
    const c = qname.charCodeAt(colon + 1);
    if (
      c < 128 ? NAME_START_ASCII[c] !== 1 : !isNameStartWide(c) && !(c >= 0xd800 && c <= 0xdb7f)
    ) {
      this.err(`"${qname}": the local part cannot start with that character`, at);
    }
  }

  private declare(aname: string, uri: string, at: number, mark: number): void {
    const prefix = aname.length === 5 ? '' : aname.slice(6);
    if (prefix !== '') {
      this.checkQName(aname, 5, at);
      if (uri === '') this.err(`xmlns:${prefix}="" cannot undeclare a prefix in XML 1.0`, at);
      if (prefix === 'xmlns') this.err('the xmlns prefix cannot be declared', at);
      if ((prefix === 'xml') !== (uri === XML_NS))
        this.err('the xml prefix is bound to its own namespace only', at);
    } else if (uri === XML_NS || uri === XMLNS_NS) {
      this.err('that namespace cannot be the default namespace', at);
    }
    if (uri === XMLNS_NS) this.err('the xmlns namespace cannot be declared', at);
    // Bounds the scans of resolve() and of the repeat check below.
    if (this.nsPrefix.length - BUILTIN_PREFIXES.length >= MAX_NAMESPACES)
      this.tooMany(`more than ${MAX_NAMESPACES} namespace declarations in scope`, at);
    if (uri !== '' && !isUriReference(uri)) this.err(`${aname}: "${uri}" is not a valid URI`, at);
    for (let k = this.nsPrefix.length - 1; k >= mark; k--) {
      if (this.nsPrefix[k] === prefix) this.err(`attribute ${aname} is repeated`, at);
    }
    this.nsPrefix.push(prefix);
    this.nsUri.push(uri);
  }

  private resolve(prefix: string, at: number): string {
    const p = this.nsPrefix;
    for (let k = p.length - 1; k >= 0; k--) if (p[k] === prefix) return this.nsUri[k];
    this.err(`namespace prefix "${prefix}" is not declared`, at);
  }

  private endTag(): void {
    const s = this.s;
    const at = this.i;
    const depth = this.stackEl.length - 1;
    const qname = this.stackQName[depth];
    let i = at + 2;
    // Fast path: the expected name, then '>' (no name scan, no slice).
    if (s.startsWith(qname, i) && s.charCodeAt(i + qname.length) === 62) {
      i += qname.length + 1;
    } else {
      this.i = i;
      const found = this.name();
      if (found !== qname) this.err(`expected </${qname}> but found </${found}>`, at);
      this.skipSpace();
      if (s.charCodeAt(this.i) !== 62) this.err(`expected '>' to close </${found}`);
      i = this.i + 1;
    }
    this.i = i;
    const el = this.stackEl.pop()!;
    this.stackQName.pop();
    const mark = this.stackMark.pop()!;
    if (el.children.length > 0 && el.text !== '' && WHITESPACE_ONLY.test(el.text)) el.text = '';
    if (el === this.sourceEl) this.endSource();
    if (this.nsPrefix.length !== mark) this.unbind(mark);
  }

  private appendText(t: string): void {
    if (t === '') return;
    const el = this.stackEl[this.stackEl.length - 1];
    el.text = el.text === '' ? t : el.text + t;
  }

  private normalizeNewlines(t: string): string {
    return t.indexOf('\r') >= 0 ? t.replace(/\r\n?/g, '\n') : t;
  }

  /** Character data up to the next '<': references decoded, characters checked. */
  private text(): void {
    const s = this.s;
    const n = this.n;
    let i = this.i;
    let seg = i;
    let out = '';
    let cr = false;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 60) break;
      if (c >= 0x20 && c < 0xd800 && c !== 38 && c !== 93) {
        i++;
        continue;
      }
      if (c === 38) {
        out += cr ? this.normalizeNewlines(s.slice(seg, i)) : s.slice(seg, i);
        cr = false;
        this.i = i;
        out += this.reference();
        i = seg = this.i;
        continue;
      }
      if (c === 93) {
        if (s.charCodeAt(i + 1) === 93 && s.charCodeAt(i + 2) === 62)
          this.err("']]>' is not allowed in text", i);
        i++;
        continue;
      }
      i = this.wideOrControl(c, i);
      if (c === 13) cr = true;
    }
    out += cr ? this.normalizeNewlines(s.slice(seg, i)) : s.slice(seg, i);
    this.i = i;
    this.appendText(out);
  }

  /** Checks a control or non-BMP character at i; returns the index after it. */
  private wideOrControl(c: number, i: number): number {
    if (c < 0x20) {
      if (c === 9 || c === 10 || c === 13) return i + 1;
      this.err(
        `control character U+${c.toString(16).padStart(4, '0').toUpperCase()} is not allowed in XML`,
        i,
      );
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const lo = this.s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) return i + 2;
      this.err('unpaired surrogate', i);
    }
    if (c >= 0xdc00 && c <= 0xdfff) this.err('unpaired surrogate', i);
    if (c === 0xfffe || c === 0xffff)
      this.err(`U+${c.toString(16).toUpperCase()} is not allowed in XML`, i);
    return i + 1;
  }

  /** Checks that [from, to) holds only XML characters (comments, PIs, CDATA). */
  private checkChars(from: number, to: number): void {
    const s = this.s;
    for (let i = from; i < to;) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c < 0xd800) i++;
      else i = this.wideOrControl(c, i);
    }
  }

  /** An entity or character reference at the cursor; returns its replacement text. */
  private reference(): string {
    const s = this.s;
    const at = this.i;
    // The five predefined entities without a slice or a lookup.
    const named = predefinedAt(s, at + 1);
    if (named !== undefined) {
      this.i = at + 2 + PREDEFINED_NAME[named].length;
      return named;
    }
    const semi = s.indexOf(';', at + 1);
    if (semi < 0 || semi - at > 12) {
      this.err("'&' must be written &amp; (or start a reference such as &lt; or &#233;)", at);
    }
    this.i = semi + 1;
    if (s.charCodeAt(at + 1) === 35) {
      // Digits read in place (no slice, regex or parseInt per reference: a
      // megabyte of `&#x41;` is 175,000 of them). At most 10 digits: no overflow.
      const hex = s.charCodeAt(at + 2) === 120;
      const first = at + (hex ? 3 : 2);
      let cp = 0;
      for (let k = first; k < semi; k++) {
        const d = digitValue(s.charCodeAt(k), hex);
        if (d < 0) this.err(`invalid character reference &${s.slice(at + 1, semi)};`, at);
        cp = cp * (hex ? 16 : 10) + d;
      }
      const body = s.slice(at + 1, semi);
      if (semi === first) this.err(`invalid character reference &${body};`, at);
      const ok =
        cp === 9 ||
        cp === 10 ||
        cp === 13 ||
        (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd) ||
        (cp >= 0x10000 && cp <= 0x10ffff);
      if (!ok) this.err(`&${body}; is not an XML character`, at);
      return String.fromCodePoint(cp);
    }
    const body = s.slice(at + 1, semi);
    const v = PREDEFINED[body];
    if (v === undefined || !Object.prototype.hasOwnProperty.call(PREDEFINED, body)) {
      if (/^[A-Za-z_:][\w.:-]*$/.test(body))
        this.err(
          `undefined entity &${body}; (only &lt; &gt; &amp; &apos; &quot; exist without a DTD)`,
          at,
        );
      this.err("'&' must be written &amp; (or start a reference such as &lt; or &#233;)", at);
    }
    return v;
  }

  /** A quoted attribute value: references decoded, whitespace normalized (XML 1.0 §3.3.3). */
  private attrValue(): string {
    const s = this.s;
    const q = s.charCodeAt(this.i);
    if (q !== 34 && q !== 39) this.err('attribute value must be quoted');
    let i = ++this.i;
    let seg = i;
    let out = '';
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === q) break;
      if (Number.isNaN(c)) this.err('unterminated attribute value');
      if (c === 60) this.err("'<' is not allowed in an attribute value (write &lt;)", i);
      if (c === 38) {
        out += s.slice(seg, i);
        this.i = i;
        out += this.reference();
        i = seg = this.i;
        continue;
      }
      if (c === 9 || c === 10 || c === 13) {
        out += s.slice(seg, i) + ' ';
        // A CR LF pair is one line end, hence one space.
        i += c === 13 && s.charCodeAt(i + 1) === 10 ? 2 : 1;
        seg = i;
        continue;
      }
      i = c >= 0x20 && c < 0xd800 ? i + 1 : this.wideOrControl(c, i);
    }
    out += s.slice(seg, i);
    this.i = i + 1;
    return out;
  }
}
