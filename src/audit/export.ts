import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyRing } from '../security/keyring.js';
import type { AuditBackend, AuditQuery } from './backend.js';
import { signManifest } from './checkpoint.js';
import type { AuditRow } from './record.js';

/** What a signed manifest says about its JSONL file. */
export interface Manifest {
  kind: 'export' | 'archive';
  file: string;
  /** SHA-256 (hex) of the JSONL file's bytes. */
  sha256: string;
  records: number;
  from?: number;
  to?: number;
  createdAt: number;
  /** Per writer, the first and last sequence number in the file. */
  writers: Record<string, { first: number; last: number }>;
}

/**
 * One JSONL line per record: the record as hashed and its link, so that a
 * reader can check each line (hash = SHA-256 of prev, "\n", the record's
 * canonical JSON, src/audit/record.ts) without the database.
 */
export function jsonlOf(rows: readonly AuditRow[]): string {
  return rows
    .map(
      (r) =>
        `{"writer":${JSON.stringify(r.writer)},"seq":${r.seq},"prev":${JSON.stringify(r.prev)},"hash":${JSON.stringify(r.hash)},"record":${r.body}}\n`,
    )
    .join('');
}

/**
 * Writes `<name>.jsonl` and `<name>.manifest.jws` (a compact JWS, typ
 * lt-archive+jws, whose payload is the manifest) into `dir`.
 */
export function writeSigned(
  dir: string,
  name: string,
  rows: readonly AuditRow[],
  keys: KeyRing,
  meta: Pick<Manifest, 'kind' | 'from' | 'to'>,
  now = Date.now(),
): { jsonl: string; manifestFile: string; manifest: Manifest } {
  mkdirSync(dir, { recursive: true });
  const text = jsonlOf(rows);
  const writers: Manifest['writers'] = {};
  for (const r of rows) {
    const w = (writers[r.writer] ??= { first: r.seq, last: r.seq });
    w.first = Math.min(w.first, r.seq);
    w.last = Math.max(w.last, r.seq);
  }
  const manifest: Manifest = {
    ...meta,
    file: `${name}.jsonl`,
    sha256: createHash('sha256').update(text).digest('hex'),
    records: rows.length,
    createdAt: now,
    writers,
  };
  const jsonl = join(dir, manifest.file);
  const manifestFile = join(dir, `${name}.manifest.jws`);
  writeFileSync(jsonl, text);
  writeFileSync(manifestFile, signManifest(keys, manifest) + '\n');
  return { jsonl, manifestFile, manifest };
}

/** `lienthong audit export --from --to`: the records of a time range, for a dispute. */
export async function exportRange(
  backend: AuditBackend,
  keys: KeyRing,
  q: AuditQuery,
  dir: string,
): Promise<ReturnType<typeof writeSigned>> {
  const rows = await backend.query(q);
  const stamp = (ms?: number) =>
    ms === undefined ? 'all' : new Date(ms).toISOString().replace(/[:.]/g, '');
  return writeSigned(dir, `sharing-log-${stamp(q.from)}-${stamp(q.to)}`, rows, keys, {
    kind: 'export',
    from: q.from,
    to: q.to,
  });
}
