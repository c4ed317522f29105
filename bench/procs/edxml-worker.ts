/**
 * One edXML bench case in a process of its own, so that its peak memory is
 * its own (bench/edxml.ts starts one per case and reads the JSON line it
 * prints). Usage: edxml-worker.ts <case> <dir> <seconds>; <dir> holds
 * doc.edxml, and for the build case message.json and attachment.bin.
 *
 * Peak memory is the process's high-water RSS (getrusage maxRSS) minus the
 * RSS after start-up, warm-up and a GC, before the input is read: it counts
 * the input buffer and everything the operation adds. An earlier peak (from
 * loading modules) can only make the figure larger, never smaller.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import {
  buildEdxml,
  parseEdxml,
  writeEdxml,
  type EdxmlMessage,
} from '../../adapters/vdxp/edxml/index.js';

const [kind, dir, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg);

/** Discards what it is given, as fast as a destination can be. */
function sink(): Writable {
  return new Writable({
    highWaterMark: 64 * 1024,
    write(_c, _e, cb) {
      cb();
    },
  });
}

/** The base64 text of the (first) attachment, found the bare way. */
function attachmentText(input: Buffer): Buffer {
  const open = input.indexOf('<ContentTransferEncoded>') + '<ContentTransferEncoded>'.length;
  return input.subarray(open, input.indexOf('</ContentTransferEncoded>', open));
}

const cases: Record<string, (input: Buffer) => () => Promise<void> | void> = {
  'edxml parse': (input) => async () => {
    const p = parseEdxml(input);
    for (const a of p.attachments) await a.writeTo(sink());
  },
  // The input of a build is the message and the attachment's bytes, not an edXML file.
  'edxml build': (content) => {
    const msg = JSON.parse(readFileSync(join(dir, 'message.json'), 'utf8')) as EdxmlMessage;
    const infos = msg.attachments ?? [];
    const bare = { ...msg, attachments: undefined };
    return async () => {
      await writeEdxml(
        bare,
        infos.map((info) => ({ info, content })),
        sink(),
      );
    };
  },
  'baseline byte copy': (input) => () => {
    Buffer.from(input);
  },
  'baseline base64 decode': (input) => () => {
    const t = attachmentText(input);
    Buffer.from(t.toString('latin1'), 'base64');
  },
  'baseline base64 encode': (input) => {
    const raw = Buffer.from(attachmentText(input).toString('latin1'), 'base64');
    return () => {
      raw.toString('base64');
    };
  },
  'baseline zlib deflate (level 1)': (input) => () => {
    deflateRawSync(input, { level: 1 });
  },
};

async function main(): Promise<void> {
  const make = cases[kind];
  if (!make) throw new Error(`unknown case ${kind}`);
  // Warm-up on a small document, so JIT and module state are in the baseline.
  const small = buildEdxml({ status: { StatusCode: '01', ResponseFor: { DocumentId: 'x' } } });
  for (let i = 0; i < 200; i++) parseEdxml(small);
  (globalThis as { gc?: () => void }).gc?.();
  const rss0 = process.memoryUsage().rss;
  const att = join(dir, 'attachment.bin');
  const input =
    kind === 'edxml build'
      ? existsSync(att)
        ? readFileSync(att)
        : Buffer.alloc(0)
      : readFileSync(join(dir, 'doc.edxml'));
  const op = make(input);
  await op();
  const peakBytes = process.resourceUsage().maxRSS * 1024 - rss0;
  let n = 1;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await op();
    n++;
  }
  const elapsed = (performance.now() - t0) / 1000;
  process.stdout.write(
    JSON.stringify({
      case: kind,
      bytes: input.length,
      opsPerSecond: (n - 1) / elapsed,
      peakBytes,
    }) + '\n',
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
