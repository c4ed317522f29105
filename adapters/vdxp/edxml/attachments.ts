import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { GatewayError } from '../../../src/message/errors.js';
import type { AttachmentInfo } from './model.js';
import { countBase64, type Base64Counts, type Segment } from './slices.js';
import { writeAll } from './stream.js';

/**
 * Attachment content, decoded while it is written. The base64 text stays where
 * the parser left it (ranges of the input buffer, see slices.ts); decoding
 * goes a 64 KB step at a time, so writing a 5 MB attachment costs its
 * output, not a second copy of the file.
 */

/** Input characters taken per step (a native regex and decode over a short string). */
const STEP_CHARS = 64 * 1024;
const SPACE = /[\t\n\r ]+/g;

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

/** A character beyond Latin-1. */
const WIDE = /[\u0100-\uffff]/;

/**
 * A segment's counts: an input range has them from slicing, a literal text is
 * counted now — as Latin-1 bytes once no wider letter is in it (a wider one is
 * not base64, and must not become its low byte).
 */
function countsOf(seg: Segment): Base64Counts {
  if (typeof seg !== 'string') return seg;
  const wide = WIDE.exec(seg);
  const upTo = wide ? wide.index : seg.length;
  const c = countBase64(Buffer.from(seg.slice(0, upTo), 'latin1'), 0, upTo);
  return wide && c.invalidAt < 0 ? { ...c, invalidAt: upTo } : c;
}

/**
 * Checks the alphabet and the padding and gives the decoded size, without
 * decoding: the size is known (and the limit enforced) before anything is written.
 */
function measure(segs: readonly Segment[], where: string): number {
  let data = 0;
  let pad = 0;
  for (const seg of segs) {
    const c = countsOf(seg);
    if (c.invalidAt >= 0) {
      const ch = typeof seg === 'string' ? seg[c.invalidAt] : '?';
      invalid(where, `character ${JSON.stringify(ch)} is not base64`);
    }
    if (c.pad !== c.tailPad || (pad > 0 && c.data > c.pad))
      invalid(where, "base64 continues after '='");
    data += c.data;
    pad += c.pad;
  }
  if (data % 4 !== 0 || pad > 2) invalid(where, 'base64 length is not a multiple of 4');
  return (data / 4) * 3 - pad;
}

/**
 * The base64 text of the segments, whitespace removed, a step at a time.
 * Literal segments are read as the strings they are; input ranges hold only
 * ASCII (slices.ts counted them), so latin1 reads them exactly.
 */
function* steps(segs: readonly Segment[], input: Buffer): Generator<string> {
  for (const seg of segs) {
    const literal = typeof seg === 'string';
    const length = literal ? seg.length : seg.end - seg.start;
    const spaced = literal || seg.spaces > 0;
    for (let i = 0; i < length; i += STEP_CHARS) {
      const s = literal
        ? seg.slice(i, i + STEP_CHARS)
        : input.toString('latin1', seg.start + i, Math.min(seg.end, seg.start + i + STEP_CHARS));
      yield spaced ? s.replace(SPACE, '') : s;
    }
  }
}

/** Decoded chunks (measure() has checked the text): whole 4-character groups per step. */
function* decoded(segs: readonly Segment[], input: Buffer): Generator<Buffer> {
  let carry = '';
  for (const step of steps(segs, input)) {
    const s = carry ? carry + step : step;
    const whole = s.length - (s.length % 4);
    carry = s.slice(whole);
    if (whole) yield Buffer.from(whole === s.length ? s : s.slice(0, whole), 'base64');
  }
}

export function attachment(
  info: AttachmentInfo,
  segs: readonly Segment[],
  input: Buffer,
  where: string,
  maxBytes: number,
): EdxmlAttachment {
  const size = measure(segs, where);
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
    writeTo: (dest) => writeAll(dest, decoded(segs, input)),
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
