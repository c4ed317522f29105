import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEdxml, signEdxml } from '../../adapters/vdxp/edxml/index.js';
import { ROOT } from '../helpers/paths.js';
import { testPki } from '../unit/vdxp/certs.js';

function cli(args: string[], input?: Buffer) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
    input,
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status, out: r.stdout, err: r.stderr.toString('utf8') };
}

const FIX = join(ROOT, 'test/fixtures/edxml');
const tmp = () => mkdtempSync(join(tmpdir(), 'lt-edxml-cli-'));

describe('lienthong edxml', () => {
  it('unpack writes the header as JSON and each attachment under its own name', () => {
    const out = join(tmp(), 'out');
    const r = cli(['edxml', 'unpack', join(FIX, 'field-document.edxml'), '--out', out]);
    expect(r.err).toContain('document: edxml.json and 1 attachment(s)');
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['Công văn thử nghiệm số 123.pdf', 'edxml.json']);
    expect(readFileSync(join(out, 'Công văn thử nghiệm số 123.pdf'))).toEqual(
      readFileSync(join(FIX, 'field-attachment.bin')),
    );
    const json = JSON.parse(readFileSync(join(out, 'edxml.json'), 'utf8'));
    expect(json.message.header.From.OrganId).toBe('000.00.00.G99');
    expect(json.warnings.map((w: { code: string }) => w.code)).toContain('impossible-date');
  });

  it('unpack keeps attachment names inside the output directory', () => {
    const dir = tmp();
    const evil = buildEdxml({ header: { Subject: 'x' } }, [
      {
        info: { ContentId: 'cid:1', AttachmentName: '../../escape.txt' },
        content: Buffer.from('a'),
      },
      {
        info: { ContentId: 'cid:2', AttachmentName: '/etc/escape.txt' },
        content: Buffer.from('b'),
      },
      { info: { ContentId: 'cid:3', AttachmentName: 'edxml.json' }, content: Buffer.from('c') },
    ]);
    writeFileSync(join(dir, 'evil.edxml'), evil);
    const r = cli(['edxml', 'unpack', join(dir, 'evil.edxml'), '--out', join(dir, 'out')]);
    expect(r.code).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual([
      'edxml (2).json',
      'edxml.json',
      'escape (2).txt',
      'escape.txt',
    ]);
    expect(readdirSync(dir).sort()).toEqual(['evil.edxml', 'out']);
  });

  it('unpack of a file that is not well-formed reports line and column and writes nothing', () => {
    const out = join(tmp(), 'out');
    const r = cli(['edxml', 'unpack', join(FIX, 'not-well-formed.edxml'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('LT_XML_MALFORMED: line 6, column 32');
    expect(existsSync(out)).toBe(false);
  });

  it('unpack refuses an attachment over --max-attachment-bytes with its code, writing nothing', () => {
    const out = join(tmp(), 'out');
    const r = cli([
      'edxml',
      'unpack',
      join(FIX, 'field-document.edxml'),
      '--out',
      out,
      '--max-attachment-bytes',
      '10',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('LT_EDXML_ATTACHMENT_TOO_LARGE');
    expect(existsSync(out)).toBe(false);
  });

  it('pack builds from the JSON unpack wrote; unpack of that gives the same message and bytes', () => {
    const dir = tmp();
    cli(['edxml', 'unpack', join(FIX, 'field-document.edxml'), '--out', join(dir, 'a')]);
    const packed = cli([
      'edxml',
      'pack',
      '--header',
      join(dir, 'a', 'edxml.json'),
      '--attach',
      join(dir, 'a', 'Công văn thử nghiệm số 123.pdf'),
    ]);
    expect(packed.err).toBe('');
    expect(packed.code).toBe(0);
    writeFileSync(join(dir, 'again.edxml'), packed.out);
    expect(cli(['edxml', 'validate', join(dir, 'again.edxml')]).code).toBe(0);
    cli(['edxml', 'unpack', join(dir, 'again.edxml'), '--out', join(dir, 'b')]);
    const a = JSON.parse(readFileSync(join(dir, 'a', 'edxml.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(dir, 'b', 'edxml.json'), 'utf8'));
    expect(b.message).toEqual(a.message);
    expect(readFileSync(join(dir, 'b', 'Công văn thử nghiệm số 123.pdf'))).toEqual(
      readFileSync(join(FIX, 'field-attachment.bin')),
    );
  });

  it('pack refuses a header the model does not describe', () => {
    const r = cli(['edxml', 'pack', '--header', '{"header":{"Subjct":"typo"}}']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('LT_EDXML_INVALID');
  });

  it('verify exits 0 only for a signature that verifies (and chains to --trust)', () => {
    const pki = testPki();
    const dir = tmp();
    const doc = buildEdxml({
      header: { From: { OrganId: '000.00.00.G99' }, To: [{ OrganId: '000.00.01.H99' }] },
    });
    writeFileSync(
      join(dir, 'ok.edxml'),
      signEdxml(doc, { privateKey: pki.signerKey, certificate: pki.signerCert }),
    );
    writeFileSync(
      join(dir, 'stranger.edxml'),
      signEdxml(doc, { privateKey: pki.strangerKey, certificate: pki.strangerCert }),
    );
    writeFileSync(join(dir, 'ca.pem'), pki.caCert);
    const ok = cli(['edxml', 'verify', join(dir, 'ok.edxml'), '--trust', join(dir, 'ca.pem')]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out.toString())).toEqual(
      expect.objectContaining({
        valid: true,
        trusted: true,
        signer: expect.objectContaining({ subject: expect.stringContaining('Test signer rsa') }),
      }),
    );
    expect(
      cli(['edxml', 'verify', join(dir, 'stranger.edxml'), '--trust', join(dir, 'ca.pem')]).code,
    ).toBe(2);
    const field = cli(['edxml', 'verify', join(FIX, 'field-document.edxml')]);
    expect(field.code).toBe(1);
    expect(JSON.parse(field.out.toString()).code).toBe('LT_EDXML_SIGNATURE_INVALID');
  });

  it('pack --sign-key/--sign-cert writes a file verify accepts', () => {
    const pki = testPki();
    const dir = tmp();
    writeFileSync(join(dir, 'key.pem'), pki.ecKey);
    writeFileSync(join(dir, 'cert.pem'), pki.ecCert);
    writeFileSync(join(dir, 'ca.pem'), pki.caCert);
    const header = JSON.stringify({
      header: { From: { OrganId: '000.00.00.G99' }, To: [{ OrganId: '000.00.01.H99' }] },
    });
    const r = cli([
      'edxml',
      'pack',
      '--header',
      header,
      '--sign-key',
      join(dir, 'key.pem'),
      '--sign-cert',
      join(dir, 'cert.pem'),
    ]);
    expect(r.code).toBe(0);
    writeFileSync(join(dir, 's.edxml'), r.out);
    expect(
      cli(['edxml', 'verify', join(dir, 's.edxml'), '--trust', join(dir, 'ca.pem')]).code,
    ).toBe(0);
  });

  it('validate exits non-zero on an error and lists the issues; unpack names a status', () => {
    const bad = cli(['edxml', 'validate', join(FIX, 'recall-without-reference.edxml')]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out.toString()).issues[0].code).toBe('missing-reference');
    const out = join(tmp(), 'status');
    expect(cli(['edxml', 'unpack', join(FIX, 'status-accepted.edxml'), '--out', out]).code).toBe(0);
    const status = JSON.parse(readFileSync(join(out, 'edxml.json'), 'utf8'));
    expect(status.statusMeaning).toEqual({ vi: 'Đã tiếp nhận', en: 'accepted' });
    const ok = cli(['edxml', 'validate', join(FIX, 'status-accepted.edxml')]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out.toString())).toEqual(
      expect.objectContaining({ valid: true, kind: 'status' }),
    );
  });
});
