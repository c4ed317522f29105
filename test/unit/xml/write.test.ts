import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  compileShape,
  escapeAttr,
  escapeXml,
  escapeXmlLossy,
  leaf,
  parseXml,
  type Shape,
} from '../../../src/xml/index.js';
import { gatewayError } from './helpers.js';

const LIMITS = { maxBytes: 1 << 20, maxDepth: 64 };

describe('escaping', () => {
  it('escapes markup and leaves plain text untouched', () => {
    expect(escapeXml('Nguyễn Văn An')).toBe('Nguyễn Văn An');
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;');
    expect(escapeXml('a\r\nb')).toBe('a&#13;\nb');
    expect(escapeAttr('a\tb\nc')).toBe('a&#9;b&#10;c');
  });

  it('refuses characters XML 1.0 cannot carry instead of changing them', () => {
    expect(gatewayError(() => escapeXml('a\u0001b')).code).toBe('LT_XML_MALFORMED');
    expect(gatewayError(() => escapeXml('a\ud800b')).code).toBe('LT_XML_MALFORMED');
    expect(escapeXml('😀')).toBe('😀');
  });

  it('round-trips any representable text through a leaf and the parser', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        let xml: string;
        try {
          xml = leaf('v', text);
        } catch {
          return; // unrepresentable characters are refused (tested above)
        }
        expect(parseXml(xml, LIMITS).text).toBe(text);
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (text) => {
        let xml: string;
        try {
          xml = `<v a="${escapeAttr(text)}"/>`;
        } catch {
          return;
        }
        expect(parseXml(xml, LIMITS).attrs.a).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('compileShape', () => {
  interface D {
    id?: string;
    name?: string;
    birth?: { day?: string };
    items?: { code: string }[];
  }
  const shape: Shape<D> = {
    tag: 'Root',
    attrs: [['Count', (d: D) => (d.items ? String(d.items.length) : undefined)]],
    children: [
      { tag: 'Id', text: (d: D) => d.id },
      { tag: 'Name', text: (d: D) => d.name, when: 'nonEmpty' },
      {
        tag: 'Birth',
        get: (d: D) => d.birth,
        when: 'present',
        children: [{ tag: 'Day', text: (b: { day?: string }) => b.day }],
      },
      {
        tag: 'Item',
        each: (d: D) => d.items,
        children: [{ tag: 'Code', text: (i: { code: string }) => i.code }],
      },
    ],
  };
  const write = compileShape(shape, { prefix: 'p', rootAttributes: { 'xmlns:p': 'urn:p' } });

  it('writes elements in the shape order, escaped, with the prefix', () => {
    expect(
      write({
        id: '026092017345',
        name: 'A & B',
        birth: { day: '19921122' },
        items: [{ code: '01' }, { code: '09106' }],
      }),
    ).toBe(
      '<p:Root xmlns:p="urn:p" Count="2"><p:Id>026092017345</p:Id><p:Name>A &amp; B</p:Name>' +
        '<p:Birth><p:Day>19921122</p:Day></p:Birth><p:Item><p:Code>01</p:Code></p:Item><p:Item><p:Code>09106</p:Code></p:Item></p:Root>',
    );
  });

  it('writes empty elements for missing "always" values and skips the optional ones', () => {
    expect(write({})).toBe('<p:Root xmlns:p="urn:p"><p:Id/></p:Root>');
    expect(write({ id: '', name: '', birth: {} })).toBe(
      '<p:Root xmlns:p="urn:p"><p:Id/><p:Birth><p:Day/></p:Birth></p:Root>',
    );
  });
});

describe('escapeXmlLossy (error texts: never throws)', () => {
  it('replaces what XML 1.0 cannot carry with U+FFFD and escapes the rest like escapeXml', () => {
    expect(escapeXmlLossy('a\u0001b\uFFFEc\ud800d\uFFFF')).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFD');
    expect(escapeXmlLossy(`a<b>&"c'\r\n\t`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;&#13;\n\t');
    expect(escapeXmlLossy('Nguyễn 😀')).toBe('Nguyễn 😀');
  });

  it('gives text that parses back for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const doc = `<a>${escapeXmlLossy(s)}</a>`;
        expect(() => parseXml(doc, { maxBytes: 1 << 20, maxDepth: 4 })).not.toThrow();
      }),
    );
  });
});
