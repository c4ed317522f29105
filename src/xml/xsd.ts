import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  ParseOption,
  XmlBufferInputProvider,
  XmlDocument,
  XmlLibError,
  XsdValidator,
  xmlRegisterInputProvider,
  type ErrorDetail,
} from 'libxml2-wasm';
// libxml2's C API as libxml2-wasm exposes it internally (version pinned exactly
// in package.json): the fast path below reuses contexts its classes cannot.
import * as libxml2 from 'libxml2-wasm/lib/libxml2.mjs';
import { GatewayError, type ErrorCode } from '../message/errors.js';
import { parseXml } from './parse.js';
import { dropSchemaSet, offloadSchemaSet, validOffThread } from './xsd-offload.js';
import type { XmlElement } from './tree.js';

/**
 * XSD validation with libxml2 (WebAssembly, in-process). A schema set is
 * compiled once at start-up; per message the document is parsed by libxml2
 * and validated, and the libxml2 document is always disposed (its memory
 * lives in the WebAssembly heap, not under the JS garbage collector).
 *
 * How schema files reach libxml2: the WebAssembly build has no file system
 * and no network (checked: an `xs:import` of a file on disk silently loads
 * nothing), so the gateway reads the files itself and serves them from memory
 * through one input provider, under private `lienthong-xsd:/<n>/<path>`
 * names. Relative `schemaLocation`s between the files resolve against those
 * names as libxml2 would resolve them on disk. A `schemaLocation` that is an
 * absolute path or a URL, or that leaves the main file's directory, is a
 * configuration error: a contract never fetches anything.
 *
 * Documents validated are parsed with XML_PARSE_NONET | XML_PARSE_NO_XXE and
 * without entity substitution, and DTDs are refused before libxml2 sees
 * them, the same rule as parseXml.
 */

const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
const SCHEME = 'lienthong-xsd:/';
const PARSE_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE;
const MAX_REPORTED = 5;

let provider: XmlBufferInputProvider | undefined;
let setCounter = 0;

function memoryFiles(): XmlBufferInputProvider {
  if (!provider) {
    provider = new XmlBufferInputProvider({});
    if (!xmlRegisterInputProvider(provider)) {
      throw new GatewayError('LT_CONFIG_INVALID', 'libxml2 refused the schema input provider');
    }
  }
  return provider;
}

/**
 * Is this document valid? The common case, answered cheaply: one parser
 * context for every document and one validation context per schema, reused,
 * where XmlDocument.fromBuffer and XsdValidator.validate create and free both
 * per document (measured on the NPD contracts, 20,000 documents: a 454-byte
 * request 20.8 → 9.7 µs, a 2.3 KB reply 74.4 → 52.0 µs). It answers only yes
 * or no; a "no" is validated again through libxml2-wasm's classes, which
 * collect the details the coded error names. The XSD worker
 * (xsd-offload.ts) does the same with its own contexts.
 */
const raw = libxml2 as typeof libxml2 & {
  // Exported at run time, missing from the module's type declarations.
  addFunction(fn: (...args: number[]) => void, signature: string): number;
};
let fast: { parser: number; onError: number } | undefined;
let fastFailed = false;
function fastContext(): { parser: number; onError: number } {
  if (!fast) {
    // Errors (level 2) and fatal errors (3) make the answer "no"; warnings do
    // not, as in libxml2-wasm's own parse.
    const onError = raw.addFunction((_i, err) => {
      if (raw.XmlErrorStruct.level(err) >= 2) fastFailed = true;
    }, 'vii');
    const parser = raw.xmlNewParserCtxt();
    raw.xmlCtxtSetErrorHandler(parser, onError, 0);
    fast = { parser, onError };
  }
  return fast;
}

function fastValidator(validator: XsdValidator): { valid(xml: Uint8Array): boolean; free(): void } {
  const { parser, onError } = fastContext();
  const ctxt = raw.xmlSchemaNewValidCtxt((validator as unknown as { _ptr: number })._ptr);
  raw.xmlSchemaSetValidStructuredErrors(ctxt, onError, 0);
  return {
    valid(xml) {
      fastFailed = false;
      const doc = raw.xmlReadMemory(parser, xml, null, null, PARSE_OPTIONS);
      if (!doc) return false;
      try {
        return !fastFailed && raw.xmlSchemaValidateDoc(ctxt, doc) === 0 && !fastFailed;
      } finally {
        raw.xmlFreeDoc(doc);
      }
    },
    free: () => raw.xmlSchemaFreeValidCtxt(ctxt),
  };
}

/**
 * How this thread's synchronous validations were answered: `fast` by the
 * reused contexts above (valid), `detailed` through libxml2-wasm's classes
 * (invalid, unreadable, or given as a string). For tests and inspection.
 */
const answered = { fast: 0, detailed: 0 };
export function xsdValidationStats(): Readonly<typeof answered> {
  return { ...answered };
}

export type XsdSource =
  /** Path of the main schema file; files it imports or includes are read from its directory. */
  | string
  /** In-memory files by relative path, and which one is the main schema. */
  | { main: string; files: Record<string, string | Uint8Array> };

export interface XsdIssue {
  line: number;
  message: string;
  /** XPath of the offending node, when libxml2 gives one. */
  path?: string;
}

export interface CompiledXsd {
  /**
   * Validates a whole document (e.g. a SOAP envelope). Throws a GatewayError
   * with `code` (LT_CONTRACT_REQUEST or LT_CONTRACT_RESPONSE) naming the
   * element, the line and the rule; LT_XML_MALFORMED or LT_XML_DTD_FORBIDDEN
   * when the input is not acceptable XML at all.
   */
  validate(xml: Buffer | Uint8Array | string, code: ErrorCode): void;
  /**
   * The same check, with libxml2's work done on the XSD worker thread when the
   * set was compiled with `offload` (src/xml/xsd-offload.ts); same errors.
   */
  validateAsync(xml: Buffer | Uint8Array | string, code: ErrorCode): Promise<void>;
  /** The schema files compiled, relative to the main file's directory. */
  readonly files: readonly string[];
  /** Frees the compiled schema (WebAssembly memory). */
  dispose(): void;
}

function configError(detail: string): never {
  throw new GatewayError('LT_CONFIG_INVALID', detail);
}

function toBytes(v: string | Uint8Array): Uint8Array {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

/** schemaLocations of xs:import / xs:include / xs:redefine in a schema document. */
function schemaLocations(doc: XmlElement): string[] {
  const out: string[] = [];
  for (const k of doc.children) {
    if (k.ns !== XSD_NS) continue;
    if (k.name === 'import' || k.name === 'include' || k.name === 'redefine') {
      const loc = k.attrs.schemaLocation;
      if (loc !== undefined) out.push(loc);
    }
  }
  return out;
}

const LIMITS = { maxBytes: 16 * 1024 * 1024, maxDepth: 256 };

/** Reads the main file and everything it references, refusing anything outside its directory. */
function readSchemaSet(source: XsdSource): { main: string; files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  if (typeof source !== 'string') {
    for (const [name, content] of Object.entries(source.files))
      files.set(name.split(sep).join('/'), toBytes(content));
    if (!files.has(source.main)) configError(`XSD set has no file "${source.main}"`);
    // Still check the references, so an in-memory set cannot point outside itself.
    for (const [name, bytes] of files) {
      for (const loc of referencedBy(name, bytes)) {
        const target = join(dirname(name), loc).split(sep).join('/');
        if (!files.has(target))
          configError(`${name}: schemaLocation "${loc}" is not in the XSD set`);
      }
    }
    return { main: source.main, files };
  }

  const root = dirname(resolve(source));
  const mainRel = relative(root, resolve(source));
  const queue = [mainRel];
  while (queue.length) {
    const rel = queue.shift()!;
    const key = rel.split(sep).join('/');
    if (files.has(key)) continue;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(join(root, rel));
    } catch (err) {
      configError(`cannot read XSD ${join(root, rel)}: ${(err as Error).message}`);
    }
    files.set(key, bytes);
    for (const loc of referencedBy(key, bytes)) {
      const next = join(dirname(rel), loc);
      if (next.startsWith('..')) configError(`${key}: schemaLocation "${loc}" leaves ${root}`);
      queue.push(next);
    }
  }
  return { main: mainRel.split(sep).join('/'), files };
}

function referencedBy(name: string, bytes: Uint8Array): string[] {
  let doc: XmlElement;
  try {
    doc = parseXml(bytes, LIMITS);
  } catch (err) {
    configError(`${name}: ${(err as GatewayError).detail ?? String(err)}`);
  }
  if (doc.ns !== XSD_NS || doc.name !== 'schema')
    configError(`${name} is not an XML Schema document`);
  const locs = schemaLocations(doc);
  for (const loc of locs) {
    if (isAbsolute(loc) || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(loc)) {
      configError(
        `${name}: schemaLocation "${loc}" must be a relative path (contracts never fetch)`,
      );
    }
  }
  return locs;
}

function describe(details: readonly ErrorDetail[]): { text: string; issues: XsdIssue[] } {
  const issues: XsdIssue[] = details.map((d) => {
    const issue: XsdIssue = { line: d.line, message: d.message.trim() };
    if (d.xpath) issue.path = d.xpath;
    return issue;
  });
  const shown = issues
    .slice(0, MAX_REPORTED)
    .map((i) => `line ${i.line}: ${i.message}${i.path ? ` (at ${i.path})` : ''}`);
  if (issues.length > MAX_REPORTED) shown.push(`… and ${issues.length - MAX_REPORTED} more`);
  return { text: shown.join('; '), issues };
}

const DOCTYPE = Buffer.from('DOCTYPE');
const ENTITY = Buffer.from('ENTITY');

/** A DTD or entity declaration anywhere: one pass for "<!", which most envelopes never contain. */
function hasMarkupDeclaration(xml: Buffer | Uint8Array | string): boolean {
  if (typeof xml === 'string') return xml.includes('<!DOCTYPE') || xml.includes('<!ENTITY');
  const b = Buffer.isBuffer(xml) ? xml : Buffer.from(xml.buffer, xml.byteOffset, xml.byteLength);
  for (let at = b.indexOf('<!'); at >= 0; at = b.indexOf('<!', at + 2)) {
    if (wordAt(b, at + 2, DOCTYPE) || wordAt(b, at + 2, ENTITY)) return true;
  }
  return false;
}

function wordAt(b: Buffer, at: number, word: Buffer): boolean {
  return (
    at + word.length <= b.length && b.compare(word, 0, word.length, at, at + word.length) === 0
  );
}

/**
 * Compiles an XSD set once. Errors in the schemas themselves are
 * LT_CONFIG_INVALID, found at start-up.
 */
export function compileXsd(source: XsdSource, opts: { offload?: boolean } = {}): CompiledXsd {
  const { main, files } = readSchemaSet(source);
  const base = `${SCHEME}${++setCounter}/`;
  const mem = memoryFiles();
  for (const [name, bytes] of files) mem.addBuffer(base + name, bytes);
  let validator: XsdValidator;
  try {
    const schemaDoc = XmlDocument.fromBuffer(files.get(main)!, {
      url: base + main,
      option: PARSE_OPTIONS,
    });
    try {
      validator = XsdValidator.fromDoc(schemaDoc);
    } finally {
      schemaDoc.dispose();
    }
  } catch (err) {
    const details = err instanceof XmlLibError ? err.details : [];
    const text = details.length
      ? describe(details).text.replaceAll(base, '')
      : (err as Error).message;
    configError(`XSD ${main} does not compile: ${text}`);
  } finally {
    // The compiled schema no longer needs the sources.
    for (const name of files.keys()) mem.removeBuffer(base + name);
  }

  let disposed = false;
  const quick = fastValidator(validator);
  const offloaded = opts.offload ? offloadSchemaSet(main, files, PARSE_OPTIONS) : 0;
  return {
    files: [...files.keys()],
    async validateAsync(xml, code) {
      // Only the valid case is answered off the thread; anything else is
      // checked here, where the detailed, coded error is produced.
      if (offloaded && typeof xml !== 'string' && !hasMarkupDeclaration(xml)) {
        if (await validOffThread(offloaded, xml)) return;
      }
      this.validate(xml, code);
    },
    validate(xml, code) {
      // A validation still under way when the gateway closes (its answer from
      // the worker was dropped with the set) ends like any exchange cut by
      // the shutdown.
      if (disposed)
        throw new GatewayError('LT_SHUTTING_DOWN', 'the contract validators were released');
      if (hasMarkupDeclaration(xml)) {
        throw new GatewayError(
          'LT_XML_DTD_FORBIDDEN',
          'DTDs and entity declarations are not accepted',
        );
      }
      if (typeof xml !== 'string' && quick.valid(xml)) {
        answered.fast++;
        return;
      }
      answered.detailed++;
      let doc: XmlDocument;
      try {
        doc =
          typeof xml === 'string'
            ? XmlDocument.fromString(xml, { option: PARSE_OPTIONS })
            : XmlDocument.fromBuffer(xml, { option: PARSE_OPTIONS });
      } catch (err) {
        const d = err instanceof XmlLibError ? err.details[0] : undefined;
        throw new GatewayError(
          'LT_XML_MALFORMED',
          d ? `line ${d.line}, column ${d.col}: ${d.message.trim()}` : (err as Error).message,
          d ? { line: d.line, column: d.col } : undefined,
        );
      }
      try {
        validator.validate(doc);
      } catch (err) {
        if (!(err instanceof XmlLibError))
          throw new GatewayError('LT_INTERNAL', (err as Error).message);
        const { text, issues } = describe(err.details);
        throw new GatewayError(code, text, { issues });
      } finally {
        doc.dispose();
      }
    },
    dispose() {
      if (!disposed) {
        disposed = true;
        quick.free();
        validator.dispose();
        if (offloaded) dropSchemaSet(offloaded);
      }
    },
  };
}
