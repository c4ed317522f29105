import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ParseOption, XmlDocument } from 'libxml2-wasm';
import { GatewayError } from '../../../src/message/errors.js';
import { child, parseXml, toPlain } from '../../../src/xml/index.js';
import { MAX_ATTRIBUTES, MAX_NAMESPACES } from '../../../src/xml/parse.js';
import { gatewayError, sampleReply } from './helpers.js';

const LIMITS = { maxBytes: 1 << 20, maxDepth: 64 };
const DANCU = 'http://www.mic.gov.vn/dancu/1.0';

describe('parseXml: values survive as written', () => {
  it('keeps leading zeros, codes and trailing spaces as strings (DOMAIN §2)', () => {
    const root = parseXml(Buffer.from(sampleReply()), LIMITS);
    const cd = child(child(child(root, 'Body')!, 'CongdanCollection', DANCU)!, 'CongDan', DANCU)!;
    expect(child(cd, 'SoDinhDanh', DANCU)!.text).toBe('026092017345');
    expect(child(cd, 'DanToc', DANCU)!.text).toBe('01');
    expect(child(child(cd, 'NoiDangKyKhaiSinh', DANCU)!, 'MaPhuongXa', DANCU)!.text).toBe('09106');
    expect(child(cd, 'SoSoHoKhau', DANCU)!.text).toBe('012345678');
    expect(child(cd, 'QuocTich', DANCU)!.text).toBe('');
    expect(parseXml('<a>NGUYEN VAN AN </a>', LIMITS).text).toBe('NGUYEN VAN AN ');
  });

  it('decodes only the five predefined entities and character references', () => {
    const root = parseXml(
      '<a t="x&amp;y&#10;z">&lt;&gt;&amp;&quot;&apos;&#233;&#x1F600;</a>',
      LIMITS,
    );
    expect(root.text).toBe('<>&"\'é😀');
    expect(root.attrs.t).toBe('x&y\nz');
  });

  it('resolves namespaces whatever the prefix, and ignores unused declarations', () => {
    const forms = [
      '<dan:A xmlns:dan="urn:x"><dan:B>1</dan:B></dan:A>',
      '<qldc:A xmlns:qldc="urn:x" xmlns:unused="urn:nothing"><qldc:B>1</qldc:B></qldc:A>',
      '<A xmlns="urn:x"><B>1</B></A>',
      '<p:A xmlns:p="urn:x"><B xmlns="urn:x">1</B></p:A>',
    ];
    for (const xml of forms) {
      const root = parseXml(xml, LIMITS);
      expect([root.ns, root.name]).toEqual(['urn:x', 'A']);
      expect(child(root, 'B', 'urn:x')?.text).toBe('1');
    }
  });

  it('normalises line ends, keeps CDATA, drops indentation between elements', () => {
    const root = parseXml(
      '<a>\r\n  <b>x\r\ny</b>\r\n  <c><![CDATA[<not> & markup]]></c>\n</a>',
      LIMITS,
    );
    expect(root.text).toBe('');
    expect(root.children.map((c) => c.text)).toEqual(['x\ny', '<not> & markup']);
  });

  it('gives attributes in a namespace Clark keys and a prototype-free object', () => {
    const root = parseXml('<a xmlns:x="urn:i" x:nil="true" __proto__="p" plain="1"/>', LIMITS);
    expect(root.attrs['{urn:i}nil']).toBe('true');
    expect(root.attrs.__proto__).toBe('p');
    expect(toPlain(root)).toEqual(
      Object.assign(Object.create(null), { '@nil': 'true', '@__proto__': 'p', '@plain': '1' }),
    );
  });
});

describe('parseXml: hostile and broken input (R14)', () => {
  it('refuses an external entity (XXE) before reading anything', () => {
    const xxe =
      '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<a>&x;</a>';
    expect(gatewayError(() => parseXml(xxe, LIMITS)).code).toBe('LT_XML_DTD_FORBIDDEN');
  });

  it('refuses an entity bomb (billion laughs)', () => {
    let decls = '<!ENTITY l0 "ha">';
    for (let i = 1; i < 10; i++) decls += `<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`;
    const bomb = `<!DOCTYPE lolz [${decls}]><lolz>&l9;</lolz>`;
    expect(gatewayError(() => parseXml(bomb, LIMITS)).code).toBe('LT_XML_DTD_FORBIDDEN');
  });

  it('refuses a markup declaration inside the document too', () => {
    expect(gatewayError(() => parseXml('<a><!ENTITY x "y"></a>', LIMITS)).code).toBe(
      'LT_XML_DTD_FORBIDDEN',
    );
  });

  it('refuses oversized documents, counting UTF-8 bytes', () => {
    const big = `<a>${'x'.repeat(2000)}</a>`;
    expect(gatewayError(() => parseXml(big, { maxBytes: 1024, maxDepth: 8 })).code).toBe(
      'LT_XML_TOO_LARGE',
    );
    expect(
      gatewayError(() => parseXml(Buffer.from(big), { maxBytes: 1024, maxDepth: 8 })).code,
    ).toBe('LT_XML_TOO_LARGE');
    // 400 characters of 3 UTF-8 bytes each exceed 1024 bytes.
    expect(
      gatewayError(() => parseXml(`<a>${'ệ'.repeat(400)}</a>`, { maxBytes: 1024, maxDepth: 8 }))
        .code,
    ).toBe('LT_XML_TOO_LARGE');
  });

  it('refuses nesting deeper than the limit without overflowing the stack', () => {
    expect(
      gatewayError(() => parseXml('<a><a><a><a/></a></a></a>', { maxBytes: 1024, maxDepth: 3 }))
        .code,
    ).toBe('LT_XML_TOO_DEEP');
    expect(parseXml('<a><a><a/></a></a>', { maxBytes: 1024, maxDepth: 3 }).name).toBe('a');
    const deep = '<a>'.repeat(200_000);
    expect(gatewayError(() => parseXml(deep, { maxBytes: 1 << 20, maxDepth: 64 })).code).toBe(
      'LT_XML_TOO_DEEP',
    );
  });

  it('refuses more elements plus attributes than maxNodes, at the element that goes over', () => {
    const limits = { maxBytes: 1 << 20, maxDepth: 8, maxNodes: 10 };
    // Root + 9 children = 10 nodes: accepted; one more element or attribute is not.
    expect(parseXml(`<r>${'<a/>'.repeat(9)}</r>`, limits).children).toHaveLength(9);
    const over = gatewayError(() => parseXml(`<r>${'<a/>'.repeat(10)}</r>`, limits));
    expect(over.code).toBe('LT_XML_TOO_MANY_NODES');
    expect(over.data).toMatchObject({ maxNodes: 10 });
    expect(gatewayError(() => parseXml(`<r x="1">${'<a/>'.repeat(9)}</r>`, limits)).code).toBe(
      'LT_XML_TOO_MANY_NODES',
    );
    expect(
      gatewayError(() => parseXml(`<r xmlns:p="u">${'<a/>'.repeat(9)}</r>`, limits)).code,
    ).toBe('LT_XML_TOO_MANY_NODES');
    // 1 MB of <b/> is 262,000 elements: stopped at the 10,001st of the SOAP inbound's default.
    const wide = `<a>${'<b/>'.repeat(262_000)}</a>`;
    expect(
      gatewayError(() => parseXml(wide, { maxBytes: 1 << 21, maxDepth: 64, maxNodes: 10_000 }))
        .code,
    ).toBe('LT_XML_TOO_MANY_NODES');
    // No maxNodes: the gateway's own files are not bounded.
    expect(parseXml(wide, { maxBytes: 1 << 21, maxDepth: 64 }).children).toHaveLength(262_000);
  });

  it('checks a long namespace name and XML declaration without regex backtracking on them', () => {
    const limits = { maxBytes: 1 << 21, maxDepth: 8 };
    const long = 'a'.repeat(500_000);
    expect(parseXml(`<a xmlns="urn:${long}%41"/>`, limits).ns).toBe(`urn:${long}%41`);
    expect(gatewayError(() => parseXml(`<a xmlns="urn:${long}%4"/>`, limits)).code).toBe(
      'LT_XML_MALFORMED',
    );
    const decl = `<?xml version="1.0"${' '.repeat(300)}?><a/>`;
    expect(gatewayError(() => parseXml(decl, limits)).code).toBe('LT_XML_MALFORMED');
    expect(
      parseXml('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><a/>', limits).name,
    ).toBe('a');
  });

  describe('attributes and namespace declarations are bounded, and their checks stay linear', () => {
    const attrs = (n: number, name = (i: number) => `a${i}`) =>
      Array.from({ length: n }, (_, i) => `${name(i)}="${i}"`).join(' ');
    const decls = (n: number) => attrs(n, (i) => `xmlns:p${i}`);

    it(`accepts ${MAX_ATTRIBUTES} attributes on an element and refuses one more`, () => {
      expect(Object.keys(parseXml(`<a ${attrs(MAX_ATTRIBUTES)}/>`, LIMITS).attrs)).toHaveLength(
        MAX_ATTRIBUTES,
      );
      const err = gatewayError(() => parseXml(`<a ${attrs(MAX_ATTRIBUTES + 1)}/>`, LIMITS));
      expect(err.code).toBe('LT_XML_TOO_MANY_ATTRIBUTES');
      expect(err.detail).toMatch(/^line 1, column \d+: more than 256 attributes on <a>/);
    });

    it('counts namespace declarations among the attributes of an element', () => {
      const mixed = `<a ${decls(100)} ${attrs(MAX_ATTRIBUTES - 100 + 1)}/>`;
      expect(gatewayError(() => parseXml(mixed, LIMITS)).code).toBe('LT_XML_TOO_MANY_ATTRIBUTES');
    });

    it(`accepts ${MAX_NAMESPACES} declarations in scope and refuses one more, over nested elements too`, () => {
      expect(parseXml(`<a ${decls(MAX_NAMESPACES)}/>`, LIMITS).name).toBe('a');
      const half = MAX_NAMESPACES / 2;
      const nested = (extra: number) =>
        `<a ${decls(half)}><b ${attrs(half + extra, (i) => `xmlns:q${i}`)}/></a>`;
      expect(parseXml(nested(0), LIMITS).children).toHaveLength(1);
      expect(gatewayError(() => parseXml(nested(1), LIMITS)).code).toBe(
        'LT_XML_TOO_MANY_ATTRIBUTES',
      );
      // Siblings do not add up: a closed element's declarations go out of scope.
      const siblings = `<r>${`<b ${decls(MAX_NAMESPACES)}/>`.repeat(3)}</r>`;
      expect(parseXml(siblings, LIMITS).children).toHaveLength(3);
    });

    it('finds a repeated attribute among many (past the scan, in the Set)', () => {
      for (const n of [3, 40, 200]) {
        const err = gatewayError(() => parseXml(`<a ${attrs(n)} a1="again"/>`, LIMITS));
        expect([n, err.code, err.detail]).toEqual([
          n,
          'LT_XML_MALFORMED',
          expect.stringContaining('attribute a1 is repeated'),
        ]);
      }
    });
  });

  it.each([
    ['raw &', '<a>\n  <b>Thôn 1 & 2</b>\n</a>', 2, 13],
    ['raw <', '<a>\n<b>1 < 2</b></a>', 2, 7],
    ['mismatched tags', '<a>\n<b>x</c></a>', 2, 5],
    ['undefined entity', '<a>&nbsp;</a>', 1, 4],
    ['unclosed root', '<a><b/>', 1, 8],
    ['two roots', '<a/><b/>', 1, 5],
    ['< in attribute', '<a x="<"/>', 1, 7],
    ['duplicate attribute', '<a x="1" x="2"/>', 1, 10],
    ['undeclared prefix', '<p:a/>', 1, 1],
    ['control character', '<a>\u0001</a>', 1, 4],
  ])('%s → LT_XML_MALFORMED with its line and column', (_name, xml, line, column) => {
    const err = gatewayError(() => parseXml(xml, LIMITS));
    expect(err.code).toBe('LT_XML_MALFORMED');
    expect(err.data).toMatchObject({ line, column });
    expect(err.detail).toContain(`line ${line}, column ${column}`);
  });

  it('refuses bytes that are not UTF-8 and encodings other than UTF-8', () => {
    expect(
      gatewayError(() =>
        parseXml(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]), LIMITS),
      ).code,
    ).toBe('LT_XML_MALFORMED');
    expect(
      gatewayError(() => parseXml('<?xml version="1.0" encoding="ISO-8859-1"?><a/>', LIMITS)).code,
    ).toBe('LT_XML_MALFORMED');
    expect(parseXml(Buffer.from('\ufeff<a>ok</a>'), LIMITS).text).toBe('ok');
  });

  it('throws only GatewayErrors for random strings and bytes', () => {
    const check = (input: string | Uint8Array) => {
      try {
        parseXml(input, { maxBytes: 4096, maxDepth: 16 });
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        expect(err.code).toMatch(/^LT_XML_/);
      }
    };
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), check), { numRuns: 1500 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 1500 });
    fc.assert(fc.property(xmlish, check), { numRuns: 1500 });
  });
});

// Random documents made of XML-looking pieces (mostly garbage: for the no-crash property).
const piece = fc.constantFrom(
  '<a>',
  '</a>',
  '<b>',
  '</b>',
  '<p:c>',
  '</p:c>',
  '<a/>',
  '<b x="1">',
  '<b x="1" x="2">',
  "<a y='&amp;'>",
  '<p:c xmlns:p="urn:p">',
  '<c xmlns="urn:d">',
  '<a xmlns:p="">',
  'text',
  ' ',
  '\n',
  '&amp;',
  '&lt;',
  '&#65;',
  '&#x1F600;',
  '&#0;',
  '&foo;',
  '&',
  '<',
  '>',
  ']]>',
  '<![CDATA[x<y]]>',
  '<!-- c -->',
  '<!-- a -- b -->',
  '<?pi data?>',
  '<?xml version="1.0"?>',
  'é',
  '\u0001',
  '"',
  "'",
  '<a b="<">',
  '<1a>',
  '<a:b:c>',
);
const xmlish = fc.array(piece, { maxLength: 25 }).map((parts) => parts.join(''));

// Well-formed trees, then sometimes one mutation: about half valid, half broken in one place.
const textPiece = fc.constantFrom(
  'text',
  ' ',
  '\n',
  '\r\n',
  '&amp;',
  '&lt;',
  '&#65;',
  '&#x1F600;',
  'é',
  ']]',
  '<![CDATA[x<y]]>',
  '<!-- c -->',
  '<?pi d?>',
  '&#13;',
  '"',
  "'",
  '>',
);
const attr = fc.constantFrom(
  '',
  ' x="1"',
  " y='a&amp;b'",
  ' p:z="2"',
  ' x="1" y="2"',
  ' xmlns:q="urn:q"',
  ' xmlns="urn:d"',
);
const { node } = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    textPiece,
    fc
      .tuple(
        fc.constantFrom('a', 'b', 'p:c', 'q:d', 'é'),
        attr,
        fc.array(tie('node'), { maxLength: 4 }),
      )
      .map(([name, at, kids]) =>
        kids.length ? `<${name}${at}>${kids.join('')}</${name}>` : `<${name}${at}/>`,
      ),
  ),
}));
const mutation = fc.constantFrom(
  '<',
  '&',
  '</a>',
  '<b>',
  '&foo;',
  ']]>',
  '\u0001',
  '"',
  '=',
  '<!DOC',
  '--',
);
const nearXml = fc
  .tuple(
    fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>', '<!-- head -->\n'),
    fc.array(node, { maxLength: 5 }),
    fc.option(fc.tuple(fc.nat(), mutation), { freq: 2 }),
  )
  .map(([prolog, kids, mut]) => {
    const doc = `${prolog}<r xmlns:p="urn:p">${kids.join('')}</r>`;
    if (!mut) return doc;
    const at = mut[0] % (doc.length + 1);
    return doc.slice(0, at) + mut[1] + doc.slice(at);
  });

describe('parseXml agrees with libxml2 on well-formedness', () => {
  it('accepts exactly the documents libxml2 accepts (random near-XML, no DTD)', () => {
    fc.assert(
      fc.property(nearXml, (doc) => {
        // By design we refuse what libxml2 would accept: DTDs, and encodings other than UTF-8.
        if (doc.includes('<!DOC') || /encoding="(?!UTF-8")/.test(doc)) return;
        let oracle = true;
        try {
          XmlDocument.fromString(doc, { option: ParseOption.XML_PARSE_NONET }).dispose();
        } catch {
          oracle = false;
        }
        let ours = true;
        try {
          parseXml(doc, { maxBytes: 1 << 16, maxDepth: 200 });
        } catch (err) {
          if (!(err instanceof GatewayError)) throw err;
          ours = false;
        }
        expect({ doc, ours }).toEqual({ doc, ours: oracle });
      }),
      { numRuns: 4000 },
    );
  });
});
