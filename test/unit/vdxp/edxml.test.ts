import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  buildEdxml,
  checkEdxml,
  EDXML_NS,
  organIdForm,
  parseEdxml,
  safeFileName,
  STATUS_CODES,
  statusMeaning,
  validateEdxml,
  writeEdxml,
  type EdxmlMessage,
} from '../../../adapters/vdxp/edxml/index.js';
import { countBase64, countBase64Range } from '../../../adapters/vdxp/edxml/slices.js';
import { GatewayError } from '../../../src/message/errors.js';
import { ROOT } from '../../helpers/paths.js';
import { mutationsOf } from './mutations.js';

const FIX = join(ROOT, 'test/fixtures/edxml');
const fixture = (name: string) => readFileSync(join(FIX, name));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err.code;
    throw err;
  }
  return undefined;
}

/** A document using every field of the model, values with Vietnamese letters and markup characters. */
export const FULL: EdxmlMessage = {
  header: {
    From: {
      OrganId: '000.00.00.G99',
      OrganizationInCharge: 'Bộ Thử nghiệm',
      OrganName: 'Văn phòng <Thử> & nghiệm',
      OrganAdd: 'Số 1, Hà Nội',
      Email: 'a@example.invalid',
      Telephone: '000',
      Fax: '',
      Website: 'https://example.invalid',
    },
    To: [{ OrganId: '000.00.01.H99', OrganName: 'UBND tỉnh Thử' }, { OrganId: '28.22.H17' }],
    Code: { CodeNumber: '0123', CodeNotation: 'VPTN-TTĐT' },
    PromulgationInfo: { Place: 'Hà Nội', PromulgationDate: '2024/05/06' },
    DocumentType: { Type: '01', TypeName: 'Công văn' },
    Subject: '  khoảng trắng giữ nguyên  ',
    Content: 'Dòng 1\nDòng 2',
    SignerInfo: { Competence: 'KT. CVP', Position: 'Phó CVP', FullName: 'Nguyễn Văn Thử' },
    DueDate: '2024/05/20',
    ToPlaces: ['Như trên', 'Lưu: VT'],
    OtherInfo: {
      Priority: '0',
      SphereOfPromulgation: 'x',
      TyperNotation: 'TT',
      PromulgationAmount: '2',
      PageAmount: '1',
      Appendixes: ['Phụ lục I', 'Phụ lục II'],
    },
    ResponseFor: [
      {
        OrganId: '000.00.01.H99',
        Code: '45/UBND',
        PromulgationDate: '2024/01/02',
        DocumentId: 'a,b',
      },
      {},
    ],
    SteeringType: '1',
    DocumentId: '000.00.00.G99,2024/05/06,0123/VPTN-TTĐT',
  },
  traceHeaderList: {
    TraceHeader: [
      { OrganId: '000.00.00.G99', Timestamp: '2024/05/06 09:00:00' },
      { Timestamp: '2024/05/06 09:00:01' },
    ],
    Bussiness: {
      BussinessDocType: '3',
      BussinessDocReason: 'Thay thế',
      BussinessDocumentInfo: {
        DocumentInfo: '1',
        DocumentReceiver: '0',
        ReceiverList: [{ OrganId: '000.00.01.H99', ReceiverType: '1' }],
      },
      DocumentId: '000.00.00.G99,2024/05/01,0100/VPTN',
      StaffInfo: {
        Department: 'VT',
        Staff: 'Trần Thị Thử',
        Mobile: '0',
        Email: 's@example.invalid',
      },
      Paper: '0',
      ReplacementInfoList: [
        { DocumentId: '000.00.00.G99,2024/05/01,0100/VPTN', OrganIdList: ['000.00.01.H99'] },
      ],
    },
  },
  manifest: {
    version: '1.0',
    Reference: [
      {
        ContentId: 'cid:1',
        ContentType: 'application/pdf',
        AttachmentName: 'Tệp số 1.pdf',
        Description: 'Chính',
      },
    ],
  },
  attachments: [
    { ContentId: 'cid:1', AttachmentName: 'Tệp số 1.pdf', ContentType: 'application/pdf' },
  ],
};

describe('edXML build → parse', () => {
  it('keeps every field of the model, as the strings given (R1.2)', () => {
    const content = Buffer.from([0, 1, 2, 250, 255]);
    const xml = buildEdxml(FULL, [{ info: FULL.attachments![0], content }]);
    const p = parseEdxml(xml);
    expect(p.kind).toBe('document');
    expect(p.message).toEqual(FULL);
    expect(p.warnings).toEqual([]);
    expect(p.attachments[0].bytes()).toEqual(content);
    expect(p.attachments[0].size).toBe(5);
  });

  it('keeps a status message, each status code a two-character string', () => {
    for (const code of Object.keys(STATUS_CODES)) {
      const msg: EdxmlMessage = {
        status: {
          ResponseFor: { OrganId: '000.00.00.G99', DocumentId: 'x' },
          From: { OrganId: '000.00.01.H99' },
          StatusCode: code,
          Description: STATUS_CODES[code as keyof typeof STATUS_CODES].vi,
          Timestamp: '2024/05/06 10:00:00',
          StaffInfo: { Staff: 'Lê' },
        },
      };
      const p = parseEdxml(buildEdxml(msg));
      expect(p.kind).toBe('status');
      expect(p.message).toEqual(msg);
    }
    expect(statusMeaning('03')).toEqual({ vi: 'Đã tiếp nhận', en: 'accepted' });
    expect(statusMeaning('3')).toBeUndefined();
    expect(statusMeaning('toString')).toBeUndefined();
    expect(Object.keys(STATUS_CODES).sort()).toEqual([
      '01',
      '02',
      '03',
      '04',
      '05',
      '06',
      '13',
      '15',
      '16',
    ]);
  });

  it('what we produce passes our XSD and the rules', () => {
    const xml = buildEdxml(FULL, [{ info: FULL.attachments![0], content: Buffer.from('abc') }]);
    const v = validateEdxml(xml);
    expect(v.issues.filter((i) => i.level === 'error')).toEqual([]);
    expect(v.valid).toBe(true);
  });

  it('streams the same bytes as the in-memory build', async () => {
    const content = Buffer.alloc(200_001, 7);
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c);
        cb();
      },
    });
    await writeEdxml(
      FULL,
      [{ info: FULL.attachments![0], content: { stream: () => chunksOf(content) } }],
      sink,
    );
    expect(Buffer.concat(chunks)).toEqual(
      buildEdxml(FULL, [{ info: FULL.attachments![0], content }]),
    );
  });
});

function chunksOf(b: Buffer) {
  // Odd chunk sizes: the encoder must carry bytes between chunks.
  return (async function* () {
    for (let i = 0; i < b.length; i += 1001) yield b.subarray(i, i + 1001);
  })();
}

describe('edXML parse of field documents (DOMAIN.md §3)', () => {
  const p = parseEdxml(fixture('field-document.edxml'));

  it('matches on namespace and local name: prefixed, unprefixed and re-declared alike', () => {
    expect(p.message.header?.To?.map((t) => t.OrganId)).toEqual(['000.00.01.H99', '28.22.H17']);
    expect(p.message.header?.From?.OrganName).toBe('Văn phòng Bộ Thử nghiệm');
    expect(p.message.attachments?.[0].AttachmentName).toBe('Công văn thử nghiệm số 123.pdf');
  });

  it('reads any order, keeps empty elements as empty strings and an empty ResponseFor', () => {
    expect(p.message.header?.DocumentId).toBe('000.00.00.G99,2024/05/06,123/VPTN-TTĐT');
    expect(p.message.header?.Code?.CodeNumber).toBe('123');
    expect(p.message.header?.From?.Fax).toBe('');
    expect(p.message.header?.ResponseFor?.[0]).toEqual({});
    expect(p.message.traceHeaderList?.Bussiness?.BussinessDocType).toBe('0');
    expect(p.message.traceHeaderList?.TraceHeader).toHaveLength(3);
    expect(p.message.traceHeaderList?.TraceHeader?.[2]).toEqual({
      Timestamp: '2024/05/06 09:15:03',
    });
  });

  it('reports impossible dates, unknown elements and the edXML-namespace Signature as warnings', () => {
    const codes = p.warnings.map((w) => `${w.code} ${w.path.split('/').slice(-2).join('/')}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'impossible-date ResponseFor[2]/DocumentId',
        'impossible-date ResponseFor[2]/PromulgationDate',
        'unknown-element MessageHeader/Extension',
        'signature-not-xmldsig edXMLHeader/Signature',
      ]),
    );
    expect(p.signatures).toEqual({ dsig: 0, foreign: 1 });
  });

  it('decodes the attachment (a zip although the manifest says PDF) to exactly its bytes', () => {
    expect(p.attachments[0].bytes()).toEqual(fixture('field-attachment.bin'));
    const v = validateEdxml(fixture('field-document.edxml'));
    expect(v.valid).toBe(true);
    expect(v.issues.find((i) => i.code === 'content-type')?.level).toBe('warning');
  });

  it('parse → build → parse of a field document keeps its meaning', () => {
    const again = parseEdxml(
      buildEdxml(
        p.message,
        p.attachments.map((a) => ({ info: a.info, content: a.bytes() })),
      ),
    );
    expect(again.message).toEqual(p.message);
    expect(again.attachments[0].bytes()).toEqual(p.attachments[0].bytes());
  });

  it('refuses a file that is not well-formed with line and column', () => {
    try {
      parseEdxml(fixture('not-well-formed.edxml'));
      throw new Error('parsed');
    } catch (err) {
      expect((err as GatewayError).code).toBe('LT_XML_MALFORMED');
      expect((err as GatewayError).data).toEqual({ line: 6, column: 32 });
    }
  });

  it('reports the exact line and column even after a large attachment was sliced out', () => {
    const big = 'QUJD'.repeat(10_000).replace(/(.{76})/g, '$1\n');
    const xml = Buffer.from(
      `<edXML xmlns="${EDXML_NS}"><edXMLEnvelope/>\n<AttachmentEncoded><Attachment><ContentTransferEncoded>${big}</ContentTransferEncoded></Attachment></AttachmentEncoded>\n<oops></edXML>`,
    );
    const lines = xml.toString().split('\n');
    try {
      parseEdxml(xml);
      throw new Error('parsed');
    } catch (err) {
      expect((err as GatewayError).code).toBe('LT_XML_MALFORMED');
      expect((err as GatewayError).data?.line).toBe(lines.length);
    }
  });

  it('refuses an undeclared prefix, as the field sometimes sends, with line and column', () => {
    const xml = Buffer.from(`<edXML xmlns="${EDXML_NS}">\n  <edXML:edXMLEnvelope/>\n</edXML>`);
    try {
      parseEdxml(xml);
      throw new Error('parsed');
    } catch (err) {
      expect((err as GatewayError).code).toBe('LT_XML_MALFORMED');
      expect((err as GatewayError).data).toEqual({ line: 2, column: 3 });
    }
  });

  it('refuses more elements than maxNodes with the parser code', () => {
    const many: EdxmlMessage = {
      header: { ToPlaces: Array.from({ length: 200 }, (_, i) => `Nơi ${i}`) },
    };
    expect(codeOf(() => parseEdxml(buildEdxml(many), { maxNodes: 100 }))).toBe(
      'LT_XML_TOO_MANY_NODES',
    );
    expect(parseEdxml(buildEdxml(many)).message.header?.ToPlaces).toHaveLength(200);
  });

  it('refuses a template placeholder instead of base64, and what is not an edXML envelope', () => {
    expect(codeOf(() => parseEdxml(fixture('template-placeholder.edxml')))).toBe(
      'LT_EDXML_INVALID',
    );
    expect(codeOf(() => parseEdxml(Buffer.from('<edXML xmlns="urn:other"/>')))).toBe(
      'LT_EDXML_INVALID',
    );
    expect(codeOf(() => parseEdxml(Buffer.from(`<edXML xmlns="${EDXML_NS}"/>`)))).toBe(
      'LT_EDXML_INVALID',
    );
    expect(
      codeOf(() =>
        parseEdxml(Buffer.from(`<!DOCTYPE x [<!ENTITY a "b">]><edXML xmlns="${EDXML_NS}"/>`)),
      ),
    ).toBe('LT_XML_DTD_FORBIDDEN');
  });

  it('a text that looks like a slice marker is just text (markers are random per parse)', () => {
    const run = 'A'.repeat(20_000);
    const msg: EdxmlMessage = {
      header: { Subject: 'LTX000000000000000000000000N0Z', Content: run },
    };
    const p2 = parseEdxml(buildEdxml(msg));
    expect(p2.message.header?.Subject).toBe('LTX000000000000000000000000N0Z');
    expect(p2.message.header?.Content).toBe(run);
  });
});

describe('edXML parse of hostile bytes', () => {
  it('any mutation of a field document is parsed or refused with a code, never thrown otherwise', () => {
    fc.assert(
      fc.property(mutationsOf(fixture('field-document.edxml'), 4), (b) => {
        try {
          const p = parseEdxml(b);
          checkEdxml(p);
          for (const a of p.attachments) a.head();
        } catch (err) {
          expect(err).toBeInstanceOf(GatewayError);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('edXML attachments', () => {
  const content = Buffer.alloc(300_000, 0xab);
  const xml = buildEdxml(FULL, [{ info: FULL.attachments![0], content }]);

  it('are decoded in chunks into a Writable, never as one buffer', async () => {
    const sizes: number[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, cb) {
        sizes.push(c.length);
        cb();
      },
    });
    await parseEdxml(xml).attachments[0].writeTo(sink);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(content.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(48 * 1024);
    expect(sizes.length).toBeGreaterThan(1);
  });

  it('a destination that fails rejects the write instead of hanging or crashing', async () => {
    const failing = new Writable({
      highWaterMark: 1,
      write(_c, _e, cb) {
        cb(new Error('disk full'));
      },
    });
    await expect(parseEdxml(xml).attachments[0].writeTo(failing)).rejects.toThrow('disk full');
    const slow = new Writable({
      highWaterMark: 1,
      write(_c, _e, cb) {
        setImmediate(() => cb(new Error('later')));
      },
    });
    await expect(writeEdxml(FULL, [{ info: FULL.attachments![0], content }], slow)).rejects.toThrow(
      'later',
    );
  });

  it('over the configured limit are refused with their own code, before anything is written', () => {
    expect(codeOf(() => parseEdxml(xml, { maxAttachmentBytes: content.length - 1 }))).toBe(
      'LT_EDXML_ATTACHMENT_TOO_LARGE',
    );
    expect(parseEdxml(xml, { maxAttachmentBytes: content.length }).attachments[0].size).toBe(
      content.length,
    );
  });

  it('content that is not base64 is refused, whatever the letter looks like in Latin-1', () => {
    const doc = (b64: string) =>
      Buffer.from(
        buildEdxml(FULL, [{ info: FULL.attachments![0], content: Buffer.from('abc') }])
          .toString()
          .replace('YWJj', b64),
      );
    expect(parseEdxml(doc('YW Jj\n')).attachments[0].bytes().toString()).toBe('abc');
    // U+0141 is 0x41 ('A') in its low byte.
    expect(codeOf(() => parseEdxml(doc('\u0141\u0141\u0141\u0141')))).toBe('LT_EDXML_INVALID');
    expect(codeOf(() => parseEdxml(doc('YW=j')))).toBe('LT_EDXML_INVALID');
    expect(codeOf(() => parseEdxml(doc('YWJ')))).toBe('LT_EDXML_INVALID');
    expect(parseEdxml(doc('YQ==')).attachments[0].size).toBe(1);
  });

  it('a long run of base64 is sliced out only where it is whole text content', () => {
    const run = 'QUJD'.repeat(5000);
    // The same run in a comment and in a CDATA section: both read as the parser reads them.
    const xml = buildEdxml({ header: { Subject: 's' } }, [
      { info: { ContentId: 'cid:1' }, content: Buffer.from('ABC'.repeat(5000)) },
    ])
      .toString()
      .replace('<Subject>s</Subject>', `<!--x>${run}<x--><Subject><![CDATA[>${run}<]]></Subject>`);
    const p = parseEdxml(Buffer.from(xml));
    expect(p.message.header?.Subject).toBe(`>${run}<`);
    expect(p.attachments[0].bytes().toString()).toBe('ABC'.repeat(5000));
  });

  it('the native count of a long run equals the byte loop, on any text', () => {
    const ch = fc.constantFrom(...'AZaz09+/=  \n\r\t=<&é'.split(''));
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 300 }), fc.nat(3), (chars, pad) => {
        const b = Buffer.from(chars.join('') + '='.repeat(pad) + ' \n', 'latin1');
        expect(countBase64Range(b, 0, b.length)).toEqual(countBase64(b, 0, b.length));
      }),
      { numRuns: 500 },
    );
  });

  it('file names keep spaces and Vietnamese letters but never a path', () => {
    expect(safeFileName('Công văn số 1.pdf', 'x')).toBe('Công văn số 1.pdf');
    expect(safeFileName('../../etc/passwd', 'x')).toBe('passwd');
    expect(safeFileName('/abs/path/a.pdf', 'x')).toBe('a.pdf');
    expect(safeFileName('C:\\Users\\a\\b.doc', 'x')).toBe('b.doc');
    expect(safeFileName('..', 'x')).toBe('x');
    expect(safeFileName('a\u0000b\n.pdf', 'x')).toBe('ab.pdf');
    expect(Buffer.byteLength(safeFileName('đ'.repeat(300) + '.pdf', 'x'))).toBeLessThanOrEqual(255);
    expect(safeFileName('đ'.repeat(300) + '.pdf', 'x').endsWith('.pdf')).toBe(true);
  });
});

describe('edXML validation beyond the schema (DOMAIN.md §4)', () => {
  it('organisation ids: the national form; 3-part and system ids are warnings, others errors', () => {
    expect(organIdForm('000.00.00.G22')).toBe('national');
    expect(organIdForm('28.22.H17')).toBe('three-part');
    expect(organIdForm('01.02.G22')).toBe('three-part');
    expect(organIdForm('vxp.saas.03')).toBe('system');
    expect(organIdForm('hello world')).toBe('invalid');
    const msg = (id: string): EdxmlMessage => ({
      header: { From: { OrganId: id }, To: [{ OrganId: '000.00.01.H99' }] },
    });
    const levels = (id: string) =>
      checkEdxml(parseEdxml(buildEdxml(msg(id)))).map((i) => `${i.level} ${i.code}`);
    expect(levels('000.00.00.G99')).toEqual([]);
    expect(levels('28.22.H17')).toEqual(['warning organ-id-form']);
    expect(levels('not an id')).toEqual(['error organ-id']);
  });

  it('a recall, update or replace must name the document it concerns', () => {
    expect(validateEdxml(fixture('recall-without-reference.edxml')).issues).toEqual([
      expect.objectContaining({ level: 'error', code: 'missing-reference' }),
    ]);
    const base = parseEdxml(fixture('recall-without-reference.edxml')).message;
    for (const type of ['1', '2', '3']) {
      const m = structuredClone(base);
      m.traceHeaderList!.Bussiness!.BussinessDocType = type;
      expect(validateEdxml(buildEdxml(m)).valid).toBe(false);
      m.traceHeaderList!.Bussiness!.DocumentId = '000.00.00.G99,2024/05/01,1/VPTN';
      expect(validateEdxml(buildEdxml(m)).valid).toBe(true);
    }
  });

  it('manifest and attachments must agree on content ids (cid: prefix or not)', () => {
    const info = { ContentId: 'cid:a', AttachmentName: 'a.txt' };
    const ok = buildEdxml({ ...FULL, manifest: { Reference: [{ ContentId: 'a' }] } }, [
      { info, content: Buffer.from('x') },
    ]);
    expect(validateEdxml(ok).valid).toBe(true);
    const missing = buildEdxml({ ...FULL, manifest: { Reference: [{ ContentId: 'cid:b' }] } }, [
      { info, content: Buffer.from('x') },
    ]);
    const issues = validateEdxml(missing).issues.filter((i) => i.level === 'error');
    expect(issues.map((i) => i.code)).toEqual(['content-id', 'content-id']);
  });

  it('a status message needs a known code and the document it answers', () => {
    const v = validateEdxml(fixture('status-accepted.edxml'));
    expect(v.valid).toBe(true);
    const bad = buildEdxml({ status: { From: { OrganId: '000.00.01.H99' }, StatusCode: '07' } });
    expect(
      validateEdxml(bad)
        .issues.filter((i) => i.level === 'error')
        .map((i) => i.code),
    ).toEqual(['status-code', 'missing-reference']);
  });

  it('the XSD refuses an element edXML does not define in its namespace', () => {
    const typo = Buffer.from(
      fixture('status-accepted.edxml')
        .toString()
        .replace('<Description>', '<Descripton/><Description>'),
    );
    expect(validateEdxml(typo).issues[0]).toEqual(
      expect.objectContaining({ level: 'error', code: 'schema' }),
    );
  });
});
