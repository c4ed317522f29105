import { Value } from '@sinclair/typebox/value';
import type { KeyRing } from '../security/keyring.js';
import type { AuditBackend } from './backend.js';
import { checkpointProblem } from './checkpoint.js';
import {
  AuditRecordSchema,
  GENESIS,
  chainHash,
  rowOf,
  type AuditRecord,
  type AuditRow,
} from './record.js';

export type FindingKind = 'edited' | 'deleted' | 'inserted' | 'reordered' | 'checkpoint';

/** One thing wrong, naming the record: its writer, its sequence number and (when readable) its id. */
export interface Finding {
  kind: FindingKind;
  writer: string;
  seq: number;
  id?: string;
  message: string;
}

export interface VerifyResult {
  writers: number;
  records: number;
  checkpoints: number;
  /** Records archived at the end of their retention, whose stubs hold their place in the chain. */
  archived: number;
  /** Records after their writer's last checkpoint: chained, but no signed head covers them yet. */
  unattested: number;
  findings: Finding[];
}

const PAGE = 2000;

/** Searchable columns that must repeat the hashed record (an edit of a column alone is an edit too). */
const COLUMNS = [
  'id',
  'at',
  'kind',
  'route',
  'service',
  'org',
  'officer',
  'code',
  'subjects',
  'keepUntil',
] as const;

function readBody(row: AuditRow): AuditRecord | undefined {
  try {
    const v = JSON.parse(row.body) as unknown;
    return Value.Check(AuditRecordSchema, v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Walks every writer's chain in sequence order and checks, for each record:
 * that its body is a record and names its own place (writer, seq), that its
 * columns repeat the body, that its hash is the hash of its body and link,
 * that it links to the record before it, and that no sequence number is
 * missing; then that each signed checkpoint verifies and that the chain
 * still hashes to the head it signed (which catches a deleted or replaced
 * tail). Every finding names the record.
 */
export async function verifyLog(backend: AuditBackend, keys: KeyRing): Promise<VerifyResult> {
  const result: VerifyResult = {
    writers: 0,
    records: 0,
    archived: 0,
    checkpoints: 0,
    unattested: 0,
    findings: [],
  };
  // Records already named: the link of the record after one is no news.
  const flagged = new Set<number>();
  const add = (f: Finding) => {
    result.findings.push(f);
    flagged.add(f.seq);
  };
  for (const writer of await backend.writers()) {
    result.writers++;
    const cps = await backend.checkpoints(writer);
    result.checkpoints += cps.length;
    flagged.clear();
    const heads = new Map<number, string>();
    for (const cp of cps) {
      const why = checkpointProblem(keys, cp);
      if (why)
        add({
          kind: 'checkpoint',
          writer,
          seq: cp.seq,
          message: `checkpoint at seq ${cp.seq}: ${why}`,
        });
      else heads.set(cp.seq, cp.head);
    }
    const lastCp = cps.at(-1);
    const final = cps.find((c) => c.final);

    let expected = 1;
    let prevRow: AuditRow | undefined;
    let lastSeq = 0;
    let after = 0;
    for (;;) {
      const page = await backend.chain(writer, after, PAGE);
      if (!page.length) break;
      for (const row of page) {
        result.records++;
        const name = `record ${writer}/${row.seq}`;
        const body = row.archive ? undefined : readBody(row);
        if (row.archive) {
          // A stub of an archived record: only its link is left to check, and that it was due.
          result.archived++;
          if (row.keepUntil > (row.archivedAt ?? 0))
            add({
              kind: 'edited',
              writer,
              seq: row.seq,
              message: `${name}: archived (${row.archive}) before its retention ended`,
            });
        } else if (!body) {
          add({
            kind: 'edited',
            writer,
            seq: row.seq,
            id: row.id,
            message: `${name}: its body is not a sharing-log record`,
          });
        } else if (body.writer !== writer || body.seq !== row.seq) {
          add({
            kind: 'reordered',
            writer,
            seq: row.seq,
            id: body.id,
            message: `${name}: it was written as ${body.writer}/${body.seq} (moved: records reordered, or one inserted or deleted before it and the rest renumbered)`,
          });
        } else {
          const expect = rowOf(body, row.body, row.prev, row.hash);
          const differs = COLUMNS.filter((c) => expect[c] !== row[c]);
          if (differs.length)
            add({
              kind: 'edited',
              writer,
              seq: row.seq,
              id: body.id,
              message: `${name}: column ${differs.join(', ')} differs from the hashed record`,
            });
          if (chainHash(row.prev, row.body) !== row.hash)
            add({
              kind: 'edited',
              writer,
              seq: row.seq,
              id: body.id,
              message: `${name}: its hash is not the hash of its content (edited)`,
            });
        }
        if (row.seq > expected) {
          const gap = expected === row.seq - 1 ? `${expected}` : `${expected}–${row.seq - 1}`;
          add({
            kind: 'deleted',
            writer,
            seq: expected,
            message: `record ${writer}/${gap} missing before seq ${row.seq} (deleted)`,
          });
        } else if ((prevRow?.hash ?? GENESIS) !== row.prev && !flagged.has(prevRow?.seq ?? 0)) {
          // A forged record that links to its predecessor, followed by one
          // that links to the same predecessor: the forged one was inserted.
          if (prevRow && row.prev === prevRow.prev)
            add({
              kind: 'inserted',
              writer,
              seq: prevRow.seq,
              id: prevRow.id,
              message: `record ${writer}/${prevRow.seq}: inserted (the record after it links past it)`,
            });
          else
            add({
              kind: 'reordered',
              writer,
              seq: row.seq,
              id: row.id,
              message: `${name}: does not link to the record before it (reordered, or the record before it replaced)`,
            });
        }
        const head = heads.get(row.seq);
        if (head !== undefined && head !== row.hash)
          add({
            kind: 'checkpoint',
            writer,
            seq: row.seq,
            id: row.id,
            message: `${name}: differs from what the signed checkpoint at seq ${row.seq} attests (edited or replaced)`,
          });
        if (final && row.seq > final.seq)
          add({
            kind: 'inserted',
            writer,
            seq: row.seq,
            id: row.id,
            message: `${name}: after its writer's final checkpoint at seq ${final.seq} (inserted)`,
          });
        expected = row.seq + 1;
        prevRow = row;
        lastSeq = row.seq;
      }
      after = page[page.length - 1].seq;
    }
    if (lastCp && lastCp.seq > lastSeq)
      add({
        kind: 'deleted',
        writer,
        seq: lastSeq + 1,
        message: `record ${writer}/${lastSeq + 1}${lastCp.seq > lastSeq + 1 ? `–${lastCp.seq}` : ''} missing: the signed checkpoint at seq ${lastCp.seq} attests them (deleted)`,
      });
    result.unattested += Math.max(0, lastSeq - (lastCp?.seq ?? 0));
  }
  return result;
}
