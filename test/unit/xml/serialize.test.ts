import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  elementSource,
  gatewayEnvelope,
  KEEP_OPERATION_SOURCE,
  parseSoapEnvelope,
  parseXml,
  serializeElement,
  SOAP11_NS,
} from '../../../src/xml/index.js';

const LIMITS = { maxBytes: 1 << 20, maxDepth: 200 };

describe('serializeElement', () => {
  it('writes a Body element standing alone: the prefix the Envelope bound is declared on it', () => {
    const env = parseSoapEnvelope(
      `<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:dan="http://dancuquocgia.bca"><s:Header><x:a xmlns:x="urn:x"/></s:Header><s:Body><dan:Op a="1"><dan:Id>0260 &amp; &lt;</dan:Id></dan:Op></s:Body></s:Envelope>`,
      LIMITS,
    );
    const xml = serializeElement(env.body);
    expect(xml).toBe(
      '<dan:Op xmlns:dan="http://dancuquocgia.bca" a="1"><dan:Id>0260 &amp; &lt;</dan:Id></dan:Op>',
    );
    expect(parseXml(xml, LIMITS)).toEqual(env.body);
  });

  it('keeps namespaced attributes, xml:lang, an undeclared default and carriage returns', () => {
    const doc = `<r xmlns="urn:d" xmlns:p="urn:p"><p:a p:x="1" xml:lang="vi"><b xmlns="">t&#13;\n&quot;</b></p:a></r>`;
    const tree = parseXml(doc, LIMITS);
    const el = tree.children[0];
    expect(parseXml(serializeElement(el), LIMITS)).toEqual(el);
    expect(parseXml(serializeElement(tree), LIMITS)).toEqual(tree);
  });

  it('gives an attribute whose namespace only the default binds a prefix of its own', () => {
    const tree = parseXml(
      '<a xmlns="urn:d" xmlns:p="urn:d" p:x="1"><b xmlns:p="urn:other"><c p:y="2"/></b></a>',
      LIMITS,
    );
    // In <c>, p means urn:other; the attribute p:y there is in urn:other, and the element in urn:d.
    const again = parseXml(serializeElement(tree.children[0]), LIMITS);
    expect(again).toEqual(tree.children[0]);
  });

  it('does not use a prefix bound to the namespace further up once it is rebound', () => {
    const tree = parseXml(
      '<p:a xmlns:p="urn:d"><p:b xmlns:p="urn:o"><c xmlns:z="urn:d" z:y="1"/></p:b></p:a>',
      LIMITS,
    );
    expect(parseXml(serializeElement(tree), LIMITS)).toEqual(tree);
  });

  it('picks a fresh nsN prefix that is not the element’s own', () => {
    const tree = parseXml('<ns0:a xmlns:ns0="urn:x" xmlns:d="urn:d" d:y="1"/>', LIMITS);
    const xml = serializeElement(tree);
    expect(xml).toBe('<ns0:a xmlns:ns0="urn:x" xmlns:ns1="urn:d" ns1:y="1"/>');
    expect(parseXml(xml, LIMITS)).toEqual(tree);
  });

  // Random well-formed trees with prefixes rebound, defaults set and unset: what is
  // written parses back to the same tree (names, namespaces, prefixes, attributes, text).
  const text = fc.constantFrom(
    '',
    'x',
    ' ',
    '&amp;',
    '&lt;b&gt;',
    '&#13;',
    'é',
    '"\'',
    '<![CDATA[<c>]]>',
  );
  const attrs = fc.constantFrom(
    '',
    ' x="1"',
    ' p:z="a&#9;b"',
    ' q:z="2" x="&lt;"',
    ' xmlns:q="urn:q2"',
    ' xmlns:p="urn:p2"',
    ' xmlns="urn:d"',
    ' xmlns=""',
    ' xml:lang="vi"',
  );
  const { node } = fc.letrec<{ node: string }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      text,
      fc
        .tuple(
          fc.constantFrom('a', 'p:b', 'q:c', 'd'),
          attrs,
          fc.array(tie('node'), { maxLength: 4 }),
        )
        .map(([name, at, kids]) =>
          kids.length ? `<${name}${at}>${kids.join('')}</${name}>` : `<${name}${at}/>`,
        ),
    ),
  }));
  it('round-trips random trees', () => {
    fc.assert(
      fc.property(fc.array(node, { maxLength: 5 }), (kids) => {
        const doc = `<r xmlns:p="urn:p" xmlns:q="urn:q">${kids.join('')}</r>`;
        const tree = parseXml(doc, LIMITS);
        for (const el of [tree, ...tree.children])
          expect(parseXml(serializeElement(el), LIMITS)).toEqual(el);
      }),
      { numRuns: 500 },
    );
  });

  // gatewayEnvelope with the operation's source kept (KEEP_OPERATION_SOURCE): the caller's
  // text is sliced and the bindings it inherited re-declared; it must mean exactly the tree.
  const bodyAttrs = fc.constantFrom('', ' xmlns:p="urn:p3"', ' xmlns="urn:d3"', ' xmlns=""');
  const envDefault = fc.constantFrom('', ' xmlns="urn:d0"');
  it('sliced from the caller’s text, it parses to the same operation element as the tree says', () => {
    fc.assert(
      fc.property(
        envDefault,
        bodyAttrs,
        fc.constantFrom('a', 'p:b', 'q:c', 'd'),
        attrs,
        fc.array(node, { maxLength: 4 }),
        (envAt, bodyAt, name, opAt, kids) => {
          const op = kids.length
            ? `<${name}${opAt}>${kids.join('')}<!-- c --></${name}>`
            : `<${name}${opAt}/>`;
          const doc = `<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:p="urn:p" xmlns:q="urn:q"${envAt}><s:Header><p:h/></s:Header><s:Body${bodyAt}>${op}</s:Body></s:Envelope>`;
          const env = parseSoapEnvelope(doc, LIMITS, KEEP_OPERATION_SOURCE);
          expect(elementSource(env.body)).toBeDefined();
          const sent = parseSoapEnvelope(gatewayEnvelope(env.body), LIMITS);
          expect(sent.body).toEqual(env.body);
          expect(sent.header?.children).toEqual([]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('sliced, it keeps the caller’s text and declares each inherited binding once', () => {
    const doc = `<soapenv:Envelope xmlns:soapenv="${SOAP11_NS}" xmlns:dan="http://dancuquocgia.bca" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>\n<dan:Op xmlns:dan="http://dancuquocgia.bca" xsi:nil="false">\n  <dan:Id>0260 &amp; &#60; </dan:Id></dan:Op></soapenv:Body></soapenv:Envelope>`;
    const env = parseSoapEnvelope(doc, LIMITS, KEEP_OPERATION_SOURCE);
    const sent = gatewayEnvelope(env.body).toString('utf8');
    expect(sent).toContain(
      `<dan:Op xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:soapenv="${SOAP11_NS}" xmlns:dan="http://dancuquocgia.bca" xsi:nil="false">\n  <dan:Id>0260 &amp; &#60; </dan:Id></dan:Op>`,
    );
    expect(sent.match(/xmlns:dan=/g)).toHaveLength(1);
    // Without the option (or for an element built in code) the tree is serialised.
    const plain = parseSoapEnvelope(doc, LIMITS);
    expect(elementSource(plain.body)).toBeUndefined();
    expect(gatewayEnvelope(plain.body).toString('utf8')).not.toContain('&#60;');
    expect(parseSoapEnvelope(gatewayEnvelope(plain.body), LIMITS).body).toEqual(
      parseSoapEnvelope(sent, LIMITS).body,
    );
  });

  it.each([
    ['a comment', '<!--<dan:Id>001099000000</dan:Id>-->'],
    ['a processing instruction', '<?pi <dan:Id>001099000000</dan:Id>?>'],
    ['a CDATA section', '<![CDATA[<dan:Id>001099000000</dan:Id>]]>'],
  ])(
    'is serialised from the tree when the caller’s text holds %s (what a string-searching provider could misread)',
    (_what, hidden) => {
      const doc = `<s:Envelope xmlns:s="${SOAP11_NS}" xmlns:dan="http://dancuquocgia.bca"><s:Body><dan:Op>${hidden}<dan:Id>026092008262</dan:Id></dan:Op></s:Body></s:Envelope>`;
      const env = parseSoapEnvelope(doc, LIMITS, KEEP_OPERATION_SOURCE);
      expect(elementSource(env.body)).toBeDefined();
      const sent = gatewayEnvelope(env.body).toString('utf8');
      expect(sent).not.toContain('<dan:Id>001099000000</dan:Id>');
      expect(parseSoapEnvelope(sent, LIMITS).body).toEqual(env.body);
    },
  );
});
