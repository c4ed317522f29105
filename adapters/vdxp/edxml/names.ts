/**
 * File names for attachments written to disk, as the document names them:
 * spaces and Vietnamese letters kept, but never a path. A name is reduced to
 * its last path segment (either slash), control characters are dropped, and
 * what is left must be a plain name ("", "." and ".." are not): otherwise the
 * fallback is used. Names are cut to 255 bytes of UTF-8, the usual file-system
 * limit, keeping the extension.
 */
const MAX_BYTES = 255;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

export function safeFileName(name: string | undefined, fallback: string): string {
  let base = (name ?? '').split(/[\\/]/).pop()!.replace(CONTROL, '').trim();
  if (base === '' || base === '.' || base === '..') base = fallback;
  if (Buffer.byteLength(base) <= MAX_BYTES) return base;
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 && base.length - dot <= 16 ? base.slice(dot) : '';
  let stem = base.slice(0, base.length - ext.length);
  while (Buffer.byteLength(stem + ext) > MAX_BYTES) stem = [...stem].slice(0, -1).join('');
  return stem + ext;
}

/** `name`, or `name (2).ext`, `name (3).ext`… when already taken (case-insensitively). */
export function uniqueName(name: string, taken: Set<string>): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  let candidate = name;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${ext}`;
  taken.add(candidate.toLowerCase());
  return candidate;
}
