import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GatewayError } from '../../../src/message/errors.js';
import type { AttachmentInfo } from './model.js';
import { BASE64_CLASS, type Segment } from './slices.js';

/**
 * Attachment content, decoded while it is written. The base64 text stays where
 * the parser left it (ranges of the input buffer, see slices.ts); decoding
 * goes through a fixed-size chunk, so writing a 5 MB attachment costs its
 * output, not a second copy of the file.
 */

/** Base64 characters decoded per step: a multiple of 4, so each step is whole. */
const CHUNK_CHARS = 64 * 1024;

export interface EdxmlAttachment {
  readonly info: AttachmentInfo;
  /** Exact size of the decoded content, in bytes. */
  readonly size: number;
  /** Decodes the content into `dest` (a file stream, an upload, a queue message) and ends it. */
  writeTo(dest: Writable): Promise<void>;
  /** Decodes the content into a file (created or truncated). */
  writeFile(path: string): Promise<void>;
  /** The first bytes of the content (up to 48), for sniffing its real type. */
  head(): Buffer;
  /** The whole content in memory: for small attachments and tests only. */
  bytes(): Buffer;
}

function invalid(where: string, why: string): never {
  throw new GatewayError('LT_EDXML_INVALID', `${where}: ${why}`, { path: where });
}

/** Iterates the base64 characters of the segments as bytes, without whitespace. */
function* chars(segs: readonly Segment[], input: Buffer): Generator<Buffer> {
  for (const s of segs) {
    if (typeof s === 'string') {
      if (s.length) yield Buffer.from(s, 'latin1');
    } else if (s.end > s.start) yield input.subarray(s.start, s.end);
  }
}

/**
 * Counts the data characters and checks the alphabet and the padding, without
 * decoding: the size is known (and the limit enforced) before anything is written.
 */
function measure(segs: readonly Segment[], input: Buffer, where: string): number {
  let data = 0;
  let pad = 0;
  for (const part of chars(segs, input)) {
    for (let i = 0; i < part.length; i++) {
      const c = part[i];
      const k = BASE64_CLASS[c];
      if (k === 2) continue;
      if (k !== 1) invalid(where, `character ${JSON.stringify(String.fromCharCode(c))} is not base64`);
      if (c === 0x3d) pad++;
      else if (pad > 0) invalid(where, "base64 continues after '='");
      data++;
    }
  }
  if (data % 4 !== 0 || pad > 2) invalid(where, 'base64 length is not a multiple of 4');
  return (data / 4) * 3 - pad;
}

/** Decoded chunks, CHUNK_CHARS base64 characters at a time. */
function* decoded(segs: readonly Segment[], input: Buffer): Generator<Buffer> {
  const buf = Buffer.allocUnsafe(CHUNK_CHARS);
  let fill = 0;
  for (const part of chars(segs, input)) {
    for (let i = 0; i < part.length; i++) {
      const c = part[i];
      if (BASE64_CLASS[c] !== 1) continue;
      buf[fill++] = c;
      if (fill === CHUNK_CHARS) {
        yield Buffer.from(buf.toString('latin1', 0, fill), 'base64');
        fill = 0;
      }
    }
  }
  if (fill > 0) yield Buffer.from(buf.toString('latin1', 0, fill), 'base64');
}

export function attachment(
  info: AttachmentInfo,
  segs: readonly Segment[],
  input: Buffer,
  where: string,
  maxBytes: number,
): EdxmlAttachment {
  const size = measure(segs, input, where);
  if (size > maxBytes) {
    throw new GatewayError(
      'LT_EDXML_ATTACHMENT_TOO_LARGE',
      `${where}: ${size} bytes, the limit is ${maxBytes}`,
      { path: where, size, maxBytes },
    );
  }
  return {
    info,
    size,
    writeTo: (dest) => pipeline(Readable.from(decoded(segs, input)), dest),
    writeFile(path) {
      return this.writeTo(createWriteStream(path));
    },
    head() {
      const first = decoded(segs, input).next();
      return first.done ? Buffer.alloc(0) : first.value.subarray(0, 48);
    },
    bytes: () => Buffer.concat([...decoded(segs, input)]),
  };
}
