import { randomBytes } from 'node:crypto';

/**
 * Keeps attachment content out of the parsed string.
 *
 * An edXML file is mostly base64 (a 5 MB attachment is 6.7 MB of text). The
 * project's parser (src/xml/parse.ts) works on one decoded string, so parsing
 * the file as it is would hold the bytes twice (the input and its string) and,
 * with one Vietnamese letter anywhere, the string in two bytes a character.
 * Before parsing, every long run of base64 characters that sits between a `>`
 * and a `<` is replaced by a short marker and remembered as a byte range of
 * the input; the parser then reads a string the size of the envelope.
 *
 * Why this changes nothing the parser decides: the run holds only
 * [A-Za-z0-9+/=] and XML whitespace, which are character data in every
 * context a `>…<` run can sit in (element content, a comment, a CDATA
 * section, a PI); it cannot end inside an attribute value, where a `<` is
 * not allowed (such a document fails to parse either way). The marker is made
 * of the same characters, so well-formedness and structure are unchanged.
 * Markers carry 96 random bits chosen per parse, so a document cannot forge
 * one. Reading a text through `restore` gives back exactly what the parser
 * would have produced from the original run (line ends normalised), so every
 * field read is the document's; only attachment content is decoded from the
 * input bytes instead (segments()).
 *
 * Line and column of a parse error would shift (markers are shorter than
 * runs), so on any error the caller parses the original input again for the
 * exact report.
 */

/** A byte range [start, end) of the input, all base64 and XML whitespace, with its counts. */
export interface Slice extends Base64Counts {
  readonly start: number;
  readonly end: number;
}

/** What a base64 text holds, counted once (the attachment's size is known from it). */
export interface Base64Counts {
  /** Characters of the alphabet, '=' included. */
  data: number;
  /** XML whitespace characters. */
  spaces: number;
  /** '=' characters. */
  pad: number;
  /** '=' characters at the end of the data: equal to `pad` when no data follows a '='. */
  tailPad: number;
  /** Offset of the first character that is neither, or -1. */
  invalidAt: number;
}

export interface SlicedInput {
  /** What the parser reads: the input itself when nothing was sliced out. */
  readonly source: Buffer | string;
  readonly slices: readonly Slice[];
  /** Marker prefix; '' when nothing was sliced out. */
  readonly marker: string;
}

/** Runs shorter than this stay in the string: slicing them out would not pay. */
export const MIN_SLICE_CHARS = 8192;

/** 1: base64 alphabet, 2: XML whitespace, 0: anything else. */
const CLASS = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=')
  CLASS[c.charCodeAt(0)] = 1;
for (const c of [9, 10, 13, 32]) CLASS[c] = 2;

/**
 * Counts the base64 text in bytes[from, to) in one pass with no allocation,
 * stopping at the first byte that is neither base64 nor whitespace.
 */
export function countBase64(bytes: Uint8Array, from: number, to: number): Base64Counts {
  let data = 0;
  let spaces = 0;
  let pad = 0;
  let tailPad = 0;
  for (let i = from; i < to; i++) {
    const c = bytes[i];
    const k = CLASS[c];
    if (k === 2) spaces++;
    else if (k === 1) {
      data++;
      if (c === 0x3d) {
        pad++;
        tailPad++;
      } else tailPad = 0;
    } else return { data, spaces, pad, tailPad, invalidAt: i - from };
  }
  return { data, spaces, pad, tailPad, invalidAt: -1 };
}

/** Base64 text is checked this many characters at a time (a native regex over a short string). */
const SCAN_CHARS = 64 * 1024;
const NOT_BASE64_OR_SPACE = /[^A-Za-z0-9+/=\t\n\r ]/;
const SPACE_BYTES = [9, 10, 13, 32];

/** How often `byte` occurs in bytes[from, to): native searches, one per occurrence. */
function occurrences(bytes: Buffer, byte: number, from: number, to: number): number {
  let n = 0;
  for (let i = bytes.indexOf(byte, from); i >= 0 && i < to; i = bytes.indexOf(byte, i + 1)) n++;
  return n;
}

/**
 * countBase64 for a long range of the input, the same answer with native
 * code (a regex for the alphabet, searches for whitespace and '='): about
 * twice as fast over megabytes as the byte loop, measured here.
 */
export function countBase64Range(input: Buffer, from: number, to: number): Base64Counts {
  for (let i = from; i < to; i += SCAN_CHARS) {
    const end = Math.min(to, i + SCAN_CHARS);
    const m = NOT_BASE64_OR_SPACE.exec(input.toString('latin1', i, end));
    if (m) return countBase64(input, from, i + m.index + 1);
  }
  let spaces = 0;
  for (const b of SPACE_BYTES) spaces += occurrences(input, b, from, to);
  const pad = occurrences(input, 0x3d, from, to);
  let tailPad = 0;
  for (let i = to - 1; i >= from && pad > tailPad; i--) {
    const c = input[i];
    if (c === 0x3d) tailPad++;
    else if (CLASS[c] !== 2) break;
  }
  return { data: to - from - spaces, spaces, pad, tailPad, invalidAt: -1 };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function sliceOut(input: Buffer, minRun = MIN_SLICE_CHARS): SlicedInput {
  const whole = { source: input, slices: [], marker: '' };
  const n = input.length;
  if (n < minRun) return whole;
  const marker = `LTX${randomBytes(12).toString('hex')}N`;
  const pieces: string[] = [];
  const slices: Slice[] = [];
  let prev = 0;
  let i = 0;
  // The next '<' at or after the cursor, remembered: a text full of '>' costs one scan, not one per '>'.
  let lt = -1;
  try {
    while ((i = input.indexOf(0x3e, i)) >= 0) {
      const start = ++i;
      if (lt < start) lt = input.indexOf(0x3c, start);
      if (lt < 0) break;
      if (lt - start < minRun) continue;
      const counts = countBase64Range(input, start, lt);
      if (counts.invalidAt < 0) {
        pieces.push(utf8.decode(input.subarray(prev, start)), `${marker}${slices.length}Z`);
        slices.push({ start, end: lt, ...counts });
        prev = i = lt;
      } else i = start + counts.invalidAt;
    }
    if (slices.length === 0) return whole;
    pieces.push(utf8.decode(input.subarray(prev)));
  } catch {
    // Not UTF-8: the parser reads the original and reports where.
    return whole;
  }
  return { source: pieces.join(''), slices, marker };
}

/** A text as parsed from a sliced input, in order: literal text and input ranges. */
export type Segment = string | Slice;

export function segments(text: string, sliced: SlicedInput): Segment[] {
  if (!sliced.marker || !text.includes(sliced.marker)) return [text];
  const out: Segment[] = [];
  const re = markerPattern(sliced.marker);
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    out.push(sliced.slices[Number(m[1])]);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function markerPattern(marker: string): RegExp {
  return new RegExp(`${marker}(\\d+)Z`, 'g');
}

/** The text the parser would have produced from the original input. */
export function restore(text: string, sliced: SlicedInput, input: Buffer): string {
  if (!sliced.marker || !text.includes(sliced.marker)) return text;
  return text.replace(markerPattern(sliced.marker), (_m, k: string) => {
    const s = sliced.slices[Number(k)];
    return input.toString('latin1', s.start, s.end).replace(/\r\n?/g, '\n');
  });
}
