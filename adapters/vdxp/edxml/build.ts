import { createReadStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { Value } from '@sinclair/typebox/value';
import { GatewayError } from '../../../src/message/errors.js';
import { writeChildren, writeGroup } from './fields.js';
import { writeAll } from './stream.js';
import {
  AttachmentInfo,
  EDXML_NS,
  EdxmlMessage,
  Manifest,
  MessageHeader,
  MessageStatus,
  TraceHeaderList,
  type Manifest as ManifestT,
} from './model.js';

/**
 * Writes edXML: the envelope from the object model (fields.ts, the schema's
 * element order, every element in the edXML default namespace), then each
 * attachment base64-encoded from its source a chunk at a time. What we
 * produce is what contracts/edxml/edxml.xsd accepts.
 */

/** Attachment content: bytes in memory, a file path, or a factory of a stream (a Readable or any async iterable of bytes). */
export type AttachmentSource = Buffer | { path: string } | { stream: () => AsyncIterable<Buffer> };

export interface AttachmentInput {
  info: AttachmentInfo;
  content: AttachmentSource;
}

/** Bytes encoded per step: a multiple of 3, so each step's base64 is whole. */
const ENCODE_BYTES = 48 * 1024;

function invalid(why: string, data?: Record<string, unknown>): never {
  throw new GatewayError('LT_EDXML_INVALID', why, data);
}

/** Refuses a message the model does not describe (the JSON boundary of `pack`). */
export function checkMessage(msg: unknown): asserts msg is EdxmlMessage {
  if (!Value.Check(EdxmlMessage, msg)) {
    const errors = [...Value.Errors(EdxmlMessage, msg)]
      .slice(0, 20)
      .map((e) => `${e.path || '/'}: ${e.message}`);
    invalid(`not an edXML message: ${errors.join('; ')}`, { errors });
  }
  const m = msg as EdxmlMessage;
  if (!m.header === !m.status) invalid('exactly one of header and status is expected');
}

/** The manifest: as given, or one Reference per attachment. */
function manifestOf(msg: EdxmlMessage, atts: readonly AttachmentInput[]): ManifestT | undefined {
  if (msg.manifest) return msg.manifest;
  if (atts.length === 0) return undefined;
  return {
    version: '1.0',
    Reference: atts.map(({ info }) => ({
      ContentId: info.ContentId,
      ContentType: info.ContentType,
      AttachmentName: info.AttachmentName,
    })),
  };
}

/**
 * The file as text pieces in order; a number stands for the base64 content of
 * that attachment, which the writer fills in from its source.
 */
function layout(msg: EdxmlMessage, atts: readonly AttachmentInput[]): (string | number)[] {
  checkMessage(msg);
  const out: (string | number)[] = [];
  const text: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<edXML xmlns="${EDXML_NS}">`,
    '<edXMLEnvelope><edXMLHeader>',
  ];
  if (msg.header) writeGroup('MessageHeader', msg.header, MessageHeader, text);
  if (msg.status) writeGroup('MessageStatus', msg.status, MessageStatus, text);
  if (msg.traceHeaderList)
    writeGroup('TraceHeaderList', msg.traceHeaderList, TraceHeaderList, text);
  text.push('</edXMLHeader>');
  const manifest = manifestOf(msg, atts);
  if (manifest) {
    text.push('<edXMLBody>');
    writeGroup('edXMLManifest', manifest, Manifest, text);
    text.push('</edXMLBody>');
  }
  text.push('</edXMLEnvelope>');
  if (atts.length) text.push('<AttachmentEncoded>');
  atts.forEach(({ info }, i) => {
    text.push('<Attachment>');
    writeChildren(info, AttachmentInfo, text);
    text.push('<ContentTransferEncoded>');
    out.push(text.join(''), i);
    text.length = 0;
    text.push('</ContentTransferEncoded></Attachment>');
  });
  if (atts.length) text.push('</AttachmentEncoded>');
  text.push('</edXML>\n');
  out.push(text.join(''));
  return out;
}

function* base64OfBuffer(src: Buffer): Generator<string> {
  for (let i = 0; i < src.length; i += ENCODE_BYTES)
    yield src.toString('base64', i, Math.min(src.length, i + ENCODE_BYTES));
}

async function* base64Of(src: AttachmentSource): AsyncGenerator<string> {
  if (Buffer.isBuffer(src)) {
    yield* base64OfBuffer(src);
    return;
  }
  const stream = 'path' in src ? createReadStream(src.path) : src.stream();
  let carry = Buffer.alloc(0);
  for await (const chunk of stream) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const whole = buf.length - (buf.length % 3);
    if (whole) yield buf.toString('base64', 0, whole);
    carry = Buffer.from(buf.subarray(whole));
  }
  if (carry.length) yield carry.toString('base64');
}

async function* edxmlChunks(
  msg: EdxmlMessage,
  atts: readonly AttachmentInput[],
): AsyncGenerator<string> {
  for (const piece of layout(msg, atts)) {
    if (typeof piece === 'string') yield piece;
    else yield* base64Of(atts[piece].content);
  }
}

/** Streams the edXML file to `dest` and ends it (unless `end: false`, e.g. for stdout). */
export async function writeEdxml(
  msg: EdxmlMessage,
  atts: readonly AttachmentInput[],
  dest: Writable,
  opts: { end?: boolean } = {},
): Promise<void> {
  await writeAll(dest, edxmlChunks(msg, atts), opts.end ?? true);
}

/** The whole file in memory (attachments given as bytes). */
export function buildEdxml(
  msg: EdxmlMessage,
  atts: readonly { info: AttachmentInfo; content: Buffer }[] = [],
): Buffer {
  const parts: Buffer[] = [];
  for (const piece of layout(msg, atts)) {
    if (typeof piece === 'string') parts.push(Buffer.from(piece));
    else
      for (const b64 of base64OfBuffer(atts[piece].content)) parts.push(Buffer.from(b64, 'latin1'));
  }
  return Buffer.concat(parts);
}
