import type { TObject } from '@sinclair/typebox';
import { GatewayError } from '../../../src/message/errors.js';
import { parseXml, type XmlElement } from '../../../src/xml/index.js';
import { attachment, type EdxmlAttachment } from './attachments.js';
import { dateWarnings } from './dates.js';
import { readGroup, type EdxmlWarning, type ReadContext } from './fields.js';
import { edxmlLimits, type EdxmlLimits } from './limits.js';
import {
  AttachmentInfo,
  DSIG_NS,
  EDXML_NS,
  Manifest,
  MessageHeader,
  MessageStatus,
  TraceHeaderList,
  type EdxmlMessage,
} from './model.js';
import { restore, segments, sliceOut, type SlicedInput } from './slices.js';

/**
 * Parses an edXML file with the project's hardened parser (no DTD, size and
 * depth limits, namespaces resolved): what real senders produce is read
 * (DOMAIN.md §3: prefixes and re-declarations, any order, empty and unknown
 * elements, impossible dates), what is not XML is refused with the parser's
 * code, line and column, and what is XML but not an edXML envelope with
 * LT_EDXML_INVALID. Nothing is written anywhere by parsing.
 */

export interface ParsedEdxml {
  readonly kind: 'document' | 'status';
  /** Header or status, trace list, manifest and attachment descriptions, as strings. */
  readonly message: EdxmlMessage;
  /** Attachments in document order, content decoded on demand. */
  readonly attachments: readonly EdxmlAttachment[];
  readonly warnings: readonly EdxmlWarning[];
  /**
   * Signature elements found in edXMLHeader: XML-DSig ones (verify.ts decides
   * whether one verifies) and the foreign ones the field writes in the edXML
   * namespace (never valid).
   */
  readonly signatures: { readonly dsig: number; readonly foreign: number };
  /** The tree the message was read from: verify.ts checks it against what was signed. */
  readonly tree: XmlElement;
  /** An element's text as the document had it (attachment runs restored). */
  text(el: XmlElement): string;
  /** The input, which attachment content is decoded from. */
  readonly input: Buffer;
}

const ROOT = '/edXML';

function invalid(why: string, path: string): never {
  throw new GatewayError('LT_EDXML_INVALID', `${path}: ${why}`, { path });
}

function isEdxml(el: XmlElement, name: string): boolean {
  return el.ns === EDXML_NS && el.name === name;
}

/** Parses the bytes; on any refusal the original is parsed again for the exact error. */
function parseTree(input: Buffer, limits: EdxmlLimits): { tree: XmlElement; sliced: SlicedInput } {
  const xmlLimits = {
    maxBytes: limits.maxBytes,
    maxDepth: limits.maxDepth,
    maxNodes: limits.maxNodes,
  };
  // Over the limit: refused before anything is decoded.
  if (input.length > limits.maxBytes) parseXml(input, xmlLimits);
  const sliced = sliceOut(input);
  try {
    return { tree: parseXml(sliced.source, xmlLimits), sliced };
  } catch (err) {
    if (sliced.source !== input) parseXml(input, xmlLimits);
    throw err;
  }
}

function only(
  parent: XmlElement,
  name: string,
  path: string,
  required: boolean,
): XmlElement | undefined {
  const found = parent.children.filter((k) => isEdxml(k, name));
  if (found.length > 1) invalid(`more than one ${name}`, path);
  if (required && found.length === 0) invalid(`no ${name} (in the edXML namespace)`, path);
  return found[0];
}

function unknown(parent: XmlElement, known: string[], path: string, warnings: EdxmlWarning[]) {
  for (const k of parent.children) {
    if (k.ns === EDXML_NS && known.includes(k.name)) continue;
    if (k.ns === DSIG_NS && k.name === 'Signature') continue; // counted by the caller
    warnings.push({
      code: 'unknown-element',
      path: `${path}/${k.name}`,
      message: `{${k.ns}}${k.name} is not part of edXML here; ignored`,
    });
  }
}

export function parseEdxml(input: Buffer, limitsIn: Partial<EdxmlLimits> = {}): ParsedEdxml {
  const limits = edxmlLimits(limitsIn);
  const { tree, sliced } = parseTree(input, limits);
  const warnings: EdxmlWarning[] = [];
  const ctx: ReadContext = { warnings, text: (el) => restore(el.text, sliced, input) };

  if (!isEdxml(tree, 'edXML'))
    invalid(`the root is {${tree.ns}}${tree.name}, not {${EDXML_NS}}edXML`, '/');
  unknown(tree, ['edXMLEnvelope', 'AttachmentEncoded'], ROOT, warnings);
  const envPath = `${ROOT}/edXMLEnvelope`;
  const envelope = only(tree, 'edXMLEnvelope', ROOT, true)!;
  unknown(envelope, ['edXMLHeader', 'edXMLBody'], envPath, warnings);
  const hPath = `${envPath}/edXMLHeader`;
  const header = only(envelope, 'edXMLHeader', envPath, true)!;
  unknown(
    header,
    ['MessageHeader', 'MessageStatus', 'TraceHeaderList', 'Signature'],
    hPath,
    warnings,
  );

  const mh = only(header, 'MessageHeader', hPath, false);
  const ms = only(header, 'MessageStatus', hPath, false);
  if (!mh === !ms) invalid('exactly one of MessageHeader and MessageStatus is expected', hPath);
  const group = (el: XmlElement | undefined, schema: TObject, path: string) =>
    el ? readGroup(el, schema, path, ctx) : undefined;
  const message: EdxmlMessage = {};
  if (mh) message.header = group(mh, MessageHeader, `${hPath}/MessageHeader`);
  if (ms) message.status = group(ms, MessageStatus, `${hPath}/MessageStatus`);
  const thl = only(header, 'TraceHeaderList', hPath, false);
  if (thl) message.traceHeaderList = group(thl, TraceHeaderList, `${hPath}/TraceHeaderList`);

  let dsig = 0;
  let foreign = 0;
  for (const k of header.children) {
    if (k.name !== 'Signature') continue;
    if (k.ns === DSIG_NS) dsig++;
    else if (k.ns === EDXML_NS) {
      foreign++;
      warnings.push({
        code: 'signature-not-xmldsig',
        path: `${hPath}/Signature`,
        message: 'a Signature in the edXML namespace is not an XML-DSig signature: never valid',
      });
    }
  }

  const body = only(envelope, 'edXMLBody', envPath, false);
  if (body) {
    const bPath = `${envPath}/edXMLBody`;
    unknown(body, ['edXMLManifest'], bPath, warnings);
    const manifest = only(body, 'edXMLManifest', bPath, false);
    if (manifest) message.manifest = group(manifest, Manifest, `${bPath}/edXMLManifest`);
  }

  const attachments: EdxmlAttachment[] = [];
  for (const enc of tree.children.filter((k) => isEdxml(k, 'AttachmentEncoded'))) {
    const aPath = `${ROOT}/AttachmentEncoded`;
    unknown(enc, ['Attachment'], aPath, warnings);
    for (const att of enc.children.filter((k) => isEdxml(k, 'Attachment'))) {
      const here = `${aPath}/Attachment[${attachments.length + 1}]`;
      const content = att.children.filter((k) => isEdxml(k, 'ContentTransferEncoded'));
      if (content.length !== 1)
        invalid(`${content.length} ContentTransferEncoded elements, 1 expected`, here);
      const meta = { ...att, children: att.children.filter((k) => k !== content[0]) };
      const info = readGroup(meta, AttachmentInfo, here, ctx);
      const where = `${here}/ContentTransferEncoded`;
      const segs = segments(content[0].text, sliced);
      attachments.push(attachment(info, segs, input, where, limits.maxAttachmentBytes));
      (message.attachments ??= []).push(info);
    }
  }
  warnings.push(...dateWarnings(message, hPath));
  return {
    kind: mh ? 'document' : 'status',
    message,
    attachments,
    warnings,
    signatures: { dsig, foreign },
    tree,
    text: ctx.text,
    input,
  };
}
