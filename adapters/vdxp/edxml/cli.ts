import type { Command } from 'commander';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { GatewayError } from '../../../src/message/errors.js';
import { buildEdxml, checkMessage, writeEdxml, type AttachmentInput } from './build.js';
import { edxmlLimits, type EdxmlLimits } from './limits.js';
import { statusMeaning, type AttachmentInfo, type EdxmlMessage } from './model.js';
import { safeFileName, uniqueName } from './names.js';
import { parseEdxml } from './parse.js';
import { signEdxml, verifyEdxml } from './signature.js';
import { validateEdxml } from './validate.js';

/**
 * `lienthong edxml unpack|pack|verify|validate`. Exit codes: 0 done (valid,
 * verified), 1 refused or failed (the code and reason on stderr), 2 a
 * signature that verifies but does not chain to the --trust anchors.
 */

/** The JSON file unpack writes beside the attachments. */
export const UNPACK_JSON = 'edxml.json';

const TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.zip': 'application/zip',
  '.txt': 'text/plain',
  '.xml': 'application/xml',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
};

function fail(err: unknown): never {
  if (err instanceof GatewayError)
    console.error(`lienthong: ${err.code}: ${err.detail ?? err.spec.en}`);
  else console.error('lienthong:', err);
  process.exit(1);
}

function limitsFrom(o: { maxAttachmentBytes?: string; maxBytes?: string }): EdxmlLimits {
  const n = (v: string | undefined, name: string) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isSafeInteger(x) || x < 0)
      fail(new GatewayError('LT_CONFIG_INVALID', `${name} must be a whole number of bytes`));
    return x;
  };
  return edxmlLimits({
    ...(o.maxBytes !== undefined && { maxBytes: n(o.maxBytes, '--max-bytes') }),
    ...(o.maxAttachmentBytes !== undefined && {
      maxAttachmentBytes: n(o.maxAttachmentBytes, '--max-attachment-bytes'),
    }),
  });
}

function readInput(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    fail(new GatewayError('LT_CONFIG_INVALID', `cannot read ${file}: ${(err as Error).message}`));
  }
}

async function unpack(
  file: string,
  o: { out: string; maxAttachmentBytes?: string; maxBytes?: string },
) {
  const parsed = parseEdxml(readInput(file), limitsFrom(o));
  // Everything is parsed and measured before the first byte is written.
  mkdirSync(o.out, { recursive: true });
  const taken = new Set([UNPACK_JSON]);
  const files = parsed.attachments.map((a, i) =>
    uniqueName(safeFileName(a.info.AttachmentName, `attachment-${i + 1}`), taken),
  );
  const written: string[] = [];
  for (let i = 0; i < parsed.attachments.length; i++) {
    // 'wx': never through an existing file or a planted symlink.
    await parsed.attachments[i].writeTo(createWriteStream(join(o.out, files[i]), { flags: 'wx' }));
    written.push(files[i]);
  }
  const code = parsed.message.status?.StatusCode;
  const json = {
    kind: parsed.kind,
    ...(code !== undefined && { statusMeaning: statusMeaning(code) ?? null }),
    message: parsed.message,
    attachments: parsed.attachments.map((a, i) => ({ ...a.info, size: a.size, file: files[i] })),
    signatures: parsed.signatures,
    warnings: parsed.warnings,
  };
  const out = createWriteStream(join(o.out, UNPACK_JSON), { flags: 'wx' });
  out.end(JSON.stringify(json, null, 2) + '\n');
  await new Promise<void>((res, rej) => out.on('finish', res).on('error', rej));
  console.error(`${parsed.kind}: ${UNPACK_JSON} and ${written.length} attachment(s) in ${o.out}`);
}

function readHeader(arg: string): EdxmlMessage {
  const text = arg.trimStart().startsWith('{') ? arg : readInput(arg).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    fail(new GatewayError('LT_BAD_JSON', `--header: ${(err as Error).message}`));
  }
  // unpack's JSON holds the message under `message`, beside what it wrote.
  if (value && typeof value === 'object' && 'message' in value) value = value.message;
  checkMessage(value);
  return value;
}

async function pack(o: { header: string; attach: string[]; signKey?: string; signCert?: string }) {
  const msg = readHeader(o.header);
  const given = msg.attachments ?? [];
  if (given.length && given.length !== o.attach.length)
    fail(
      new GatewayError(
        'LT_EDXML_INVALID',
        `the header describes ${given.length} attachment(s), --attach gives ${o.attach.length}`,
      ),
    );
  const atts: AttachmentInput[] = o.attach.map((path, i) => {
    const name = basename(path);
    const info: AttachmentInfo = given[i] ?? {
      ContentId: `cid:attachment-${i + 1}`,
      AttachmentName: name,
      ContentType: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
    };
    return { info, content: { path } };
  });
  const message = { ...msg, attachments: undefined };
  if (!o.signKey !== !o.signCert)
    fail(new GatewayError('LT_CONFIG_INVALID', '--sign-key and --sign-cert go together'));
  if (o.signKey && o.signCert) {
    // Signing needs the whole document (xml-crypto works on a string).
    const unsigned = buildEdxml(
      message,
      atts.map((a) => ({ info: a.info, content: readInput((a.content as { path: string }).path) })),
    );
    const signed = signEdxml(unsigned, {
      privateKey: readInput(o.signKey),
      certificate: readInput(o.signCert).toString('utf8'),
    });
    process.stdout.write(signed);
    return;
  }
  await writeEdxml(message, atts, process.stdout, { end: false });
}

function verify(file: string, o: { trust: string[]; maxBytes?: string }) {
  const anchors = o.trust.map((f) => readInput(f).toString('utf8'));
  const v = verifyEdxml(readInput(file), { trustAnchors: anchors, limits: limitsFrom(o) });
  const report = v.valid
    ? { valid: true, trusted: v.trusted, signer: v.signer, trustAnchors: anchors.length }
    : { valid: false, code: v.code, reason: v.reason, signer: v.signer };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  if (!v.valid) process.exit(1);
  if (anchors.length && !v.trusted) process.exit(2);
}

function validate(file: string, o: { maxAttachmentBytes?: string; maxBytes?: string }) {
  const v = validateEdxml(readInput(file), limitsFrom(o));
  process.stdout.write(
    JSON.stringify({ valid: v.valid, kind: v.parsed.kind, issues: v.issues }, null, 2) + '\n',
  );
  if (!v.valid) process.exit(1);
}

const collect = (v: string, all: string[]) => [...all, v];

export function edxmlCommands(program: Command): void {
  const edxml = program
    .command('edxml')
    .description('edXML documents of the document interchange axis (QCVN 102:2016)');
  const limitOptions = (c: Command) =>
    c
      .option('--max-bytes <n>', 'largest accepted file, in bytes')
      .option('--max-attachment-bytes <n>', 'largest decoded attachment, in bytes');
  limitOptions(
    edxml
      .command('unpack')
      .description(
        'write the header/status as JSON and the attachments as files, named as the document names them',
      )
      .argument('<file>', 'the edXML file')
      .requiredOption('--out <dir>', 'directory to write into (created if missing)'),
  ).action((file: string, o) => unpack(file, o).catch(fail));
  edxml
    .command('pack')
    .description(
      'build an edXML file from a JSON header (as unpack writes it) and attachments, to stdout',
    )
    .requiredOption('--header <json>', 'a JSON file, or the JSON itself')
    .option('--attach <file>', 'an attachment (repeatable)', collect, [] as string[])
    .option('--sign-key <pem>', 'sign with this private key (RSA or P-256)')
    .option('--sign-cert <pem>', "the signer's certificate, written in KeyInfo")
    .action((o) => pack(o).catch(fail));
  edxml
    .command('verify')
    .description(
      'verify the XML signature; exit 0 only if it verifies (and, with --trust, chains to an anchor)',
    )
    .argument('<file>', 'the edXML file')
    .option('--trust <pem>', 'a trust anchor certificate (repeatable)', collect, [] as string[])
    .option('--max-bytes <n>', 'largest accepted file, in bytes')
    .action((file: string, o) => {
      try {
        verify(file, o);
      } catch (err) {
        fail(err);
      }
    });
  limitOptions(
    edxml
      .command('validate')
      .description('check the schema and the rules beyond it; exit 0 only if there is no error')
      .argument('<file>', 'the edXML file'),
  ).action((file: string, o) => {
    try {
      validate(file, o);
    } catch (err) {
      fail(err);
    }
  });
}
