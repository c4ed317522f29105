import type { KeyRing } from '../security/keyring.js';
import type { AuditBackend } from './backend.js';
import { writeSigned, type Manifest } from './export.js';

/**
 * Retention (R7): records whose retention ended (each carries its own
 * `keepUntil`, from its route's `audit.retentionDays` or the default, never
 * below 90 days) are written to a signed archive (JSONL + manifest, as an
 * export) and only then replaced in the database by stubs that keep their
 * place in the chain (seq, prev, hash), so `audit verify` still walks every
 * chain and would notice a stub removed. Batches of `batch` records, each its
 * own archive file.
 */
export async function archiveExpired(
  backend: AuditBackend,
  keys: KeyRing,
  dir: string,
  now = Date.now(),
  batch = 10_000,
): Promise<{ file: string; manifest: Manifest }[]> {
  const done: { file: string; manifest: Manifest }[] = [];
  for (;;) {
    const rows = await backend.expired(now, batch);
    if (!rows.length) return done;
    const stamp = new Date(now).toISOString().replace(/[:.]/g, '');
    const name = `sharing-log-archive-${stamp}-${String(done.length + 1).padStart(4, '0')}`;
    const written = writeSigned(dir, name, rows, keys, { kind: 'archive', to: now }, now);
    // Written first: a crash between the two leaves the records in the database, never lost.
    await backend.archive(rows, written.manifest.file, now);
    done.push({ file: written.manifestFile, manifest: written.manifest });
  }
}
