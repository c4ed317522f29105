/**
 * edXML parse and build rates with peak memory (issue 22), against bare
 * baselines on the same bytes in the same run: a byte copy, base64 decode and
 * encode of the attachment, zlib deflate of the file. Two documents: a small
 * status message, and a 1 MB envelope (Vietnamese text) with a 5 MB
 * attachment. Each case runs in its own process (procs/edxml-worker.ts) so
 * its peak memory is its own. Target: the large document's parse and build
 * peak below 3× its size.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEdxml, type EdxmlMessage } from '../adapters/vdxp/edxml/index.js';

export const PEAK_TARGET = 3;

export interface EdxmlBenchRow {
  document: string;
  case: string;
  bytes: number;
  opsPerSecond: number;
  megabytesPerSecond: number;
  peakBytes: number;
  /** Peak memory over the document's size. */
  peakOverSize: number;
}

/** Deterministic incompressible bytes (an attachment is usually a compressed zip or PDF). */
function noise(n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = 2463534242;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function documents(): { name: string; msg: EdxmlMessage; attachment?: Buffer }[] {
  const status: EdxmlMessage = {
    status: {
      ResponseFor: { OrganId: '000.00.00.G99', DocumentId: '000.00.00.G99,2024/05/06,1/VPTN' },
      From: { OrganId: '000.00.01.H99', OrganName: 'Ủy ban nhân dân tỉnh Thử' },
      StatusCode: '03',
      Description: 'Đã tiếp nhận',
      Timestamp: '2024/05/06 10:00:00',
    },
  };
  const sentence = 'Nội dung văn bản thử nghiệm, không có giá trị pháp lý. ';
  const content = sentence.repeat(Math.ceil((1 << 20) / Buffer.byteLength(sentence)));
  const large: EdxmlMessage = {
    header: {
      From: { OrganId: '000.00.00.G99', OrganName: 'Văn phòng Thử nghiệm' },
      To: [{ OrganId: '000.00.01.H99' }],
      Subject: 'Văn bản lớn',
      Content: content,
      DocumentId: '000.00.00.G99,2024/05/06,2/VPTN',
    },
    attachments: [
      { ContentId: 'cid:1', AttachmentName: 'Tệp lớn.pdf', ContentType: 'application/pdf' },
    ],
  };
  return [
    { name: 'status message', msg: status },
    { name: '1 MB + 5 MB attachment', msg: large, attachment: noise(5 << 20) },
  ];
}

const CASES = {
  small: ['edxml parse', 'edxml build', 'baseline byte copy', 'baseline zlib deflate (level 1)'],
  large: [
    'edxml parse',
    'edxml build',
    'baseline byte copy',
    'baseline base64 decode',
    'baseline base64 encode',
    'baseline zlib deflate (level 1)',
  ],
};

/** Runs every case for `seconds` each (after one measured for its peak memory). */
export function measureEdxml(root: string, seconds: number): EdxmlBenchRow[] {
  const rows: EdxmlBenchRow[] = [];
  const base = mkdtempSync(join(tmpdir(), 'lt-bench-edxml-'));
  try {
    for (const [i, d] of documents().entries()) {
      const dir = join(base, String(i));
      mkdirSync(dir);
      const atts = d.attachment ? [{ info: d.msg.attachments![0], content: d.attachment }] : [];
      const bare = { ...d.msg, attachments: undefined };
      const doc = buildEdxml(bare, atts);
      writeFileSync(join(dir, 'doc.edxml'), doc);
      writeFileSync(join(dir, 'message.json'), JSON.stringify(d.msg));
      if (d.attachment) writeFileSync(join(dir, 'attachment.bin'), d.attachment);
      for (const c of d.attachment ? CASES.large : CASES.small) {
        const r = spawnSync(
          process.execPath,
          [
            '--expose-gc',
            '--import',
            'tsx',
            join(root, 'bench/procs/edxml-worker.ts'),
            c,
            dir,
            String(seconds),
          ],
          {
            cwd: root,
            encoding: 'utf8',
            env: { ...process.env, NODE_OPTIONS: '' },
            timeout: 120_000,
          },
        );
        if (r.status !== 0) throw new Error(`edxml bench case ${c} failed: ${r.stderr}`);
        const m = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
          opsPerSecond: number;
          peakBytes: number;
        };
        rows.push({
          document: d.name,
          case: c,
          bytes: doc.length,
          opsPerSecond: Number(m.opsPerSecond.toFixed(1)),
          megabytesPerSecond: Number(((m.opsPerSecond * doc.length) / 2 ** 20).toFixed(1)),
          peakBytes: m.peakBytes,
          peakOverSize: Number((m.peakBytes / doc.length).toFixed(2)),
        });
      }
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return rows;
}

export function printEdxml(rows: EdxmlBenchRow[], write: (s: string) => void): void {
  write(
    '\n# edxml: parse (attachments decoded to a sink) and build, each case in its own process\n',
  );
  for (const r of rows) {
    const mib = (r.peakBytes / 2 ** 20).toFixed(1);
    // Over a document of a few hundred bytes the ratio says nothing: the process floor dominates.
    const over = r.bytes >= 1 << 20 ? ` (${r.peakOverSize}× size)` : '';
    write(
      `  ${r.document.padEnd(24)} ${r.case.padEnd(32)} ${String(r.opsPerSecond).padStart(9)} ops/s ${String(r.megabytesPerSecond).padStart(7)} MB/s   peak ${mib.padStart(6)} MiB${over}\n`,
    );
  }
  for (const doc of new Set(rows.map((r) => r.document))) {
    const mine = rows.filter((r) => r.document === doc);
    for (const subject of mine.filter((r) => r.case.startsWith('edxml')))
      for (const b of mine.filter((r) => r.case.startsWith('baseline')))
        write(
          `  ratio ${doc}: ${subject.case} / ${b.case}: ${(subject.opsPerSecond / b.opsPerSecond).toFixed(3)}\n`,
        );
  }
  const large = rows.filter((r) => r.document.includes('5 MB') && r.case.startsWith('edxml'));
  for (const r of large)
    write(`  ${r.case} peak ${r.peakOverSize}× the document (target < ${PEAK_TARGET}×)\n`);
}
