import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileXsd, type CompiledXsd } from '../../../src/xml/index.js';
import { xsdValidationStats } from '../../../src/xml/xsd.js';
import { gatewayError } from './helpers.js';

const TYPES = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">
  <xs:element name="Item"><xs:complexType><xs:sequence>
    <xs:element name="Code"><xs:simpleType><xs:restriction base="xs:token"><xs:pattern value="\\d{5}"/></xs:restriction></xs:simpleType></xs:element>
  </xs:sequence></xs:complexType></xs:element>
</xs:schema>`;
const MAIN = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:m" elementFormDefault="qualified">
  <xs:import namespace="urn:t" schemaLocation="types/t.xsd"/>
  <xs:element name="Wrap"><xs:complexType><xs:sequence><xs:element ref="t:Item"/></xs:sequence></xs:complexType></xs:element>
</xs:schema>`;

const compiled: CompiledXsd[] = [];
const keep = (c: CompiledXsd) => (compiled.push(c), c);
afterAll(() => compiled.forEach((c) => c.dispose()));

describe('compileXsd', () => {
  it('compiles an in-memory set with an import and validates against it', () => {
    const xsd = keep(
      compileXsd({ main: 'main.xsd', files: { 'main.xsd': MAIN, 'types/t.xsd': TYPES } }),
    );
    expect(xsd.files).toEqual(['main.xsd', 'types/t.xsd']);
    xsd.validate(
      '<m:Wrap xmlns:m="urn:m"><t:Item xmlns:t="urn:t"><t:Code>09106</t:Code></t:Item></m:Wrap>',
      'LT_CONTRACT_REQUEST',
    );
  });

  it('reads imports relative to the main file on disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-xsd-'));
    writeFileSync(join(dir, 'main.xsd'), MAIN);
    mkdirSync(join(dir, 'types'));
    writeFileSync(join(dir, 'types', 't.xsd'), TYPES);
    const xsd = keep(compileXsd(join(dir, 'main.xsd')));
    const err = gatewayError(() =>
      xsd.validate(
        Buffer.from(
          '<m:Wrap xmlns:m="urn:m">\n<t:Item xmlns:t="urn:t">\n<t:Code>9106</t:Code></t:Item></m:Wrap>',
        ),
        'LT_CONTRACT_RESPONSE',
      ),
    );
    expect(err.code).toBe('LT_CONTRACT_RESPONSE');
    // Names the element, the line and the rule.
    expect(err.detail).toContain('{urn:t}Code');
    expect(err.detail).toContain('line 3');
    expect(err.detail).toContain("[facet 'pattern']");
    expect(err.data?.issues).toEqual([expect.objectContaining({ line: 3 })]);
  });

  it('refuses schemaLocations that would fetch or leave the directory', () => {
    for (const loc of [
      '/etc/passwd',
      'http://example.invalid/x.xsd',
      'file:///etc/x.xsd',
      '../outside.xsd',
    ]) {
      const main = MAIN.replace('types/t.xsd', loc);
      expect(
        gatewayError(() => compileXsd({ main: 'main.xsd', files: { 'main.xsd': main } })).code,
      ).toBe('LT_CONFIG_INVALID');
    }
  });

  it('reports a schema that does not compile as a configuration error', () => {
    const broken = MAIN.replace('ref="t:Item"', 'ref="t:Missing"');
    expect(
      gatewayError(() =>
        compileXsd({ main: 'm.xsd', files: { 'm.xsd': broken, 'types/t.xsd': TYPES } }),
      ).code,
    ).toBe('LT_CONFIG_INVALID');
  });

  it('refuses DTDs and malformed documents with the XML codes', () => {
    const xsd = keep(
      compileXsd({ main: 'main.xsd', files: { 'main.xsd': MAIN, 'types/t.xsd': TYPES } }),
    );
    const xxe =
      '<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><m:Wrap xmlns:m="urn:m">&x;</m:Wrap>';
    expect(gatewayError(() => xsd.validate(xxe, 'LT_CONTRACT_REQUEST')).code).toBe(
      'LT_XML_DTD_FORBIDDEN',
    );
    const err = gatewayError(() =>
      xsd.validate('<m:Wrap xmlns:m="urn:m">\n<a></b></m:Wrap>', 'LT_CONTRACT_REQUEST'),
    );
    expect(err.code).toBe('LT_XML_MALFORMED');
    expect(err.data).toMatchObject({ line: 2 });
  });

  it('finds a DTD or entity declaration in bytes after comments and CDATA, and not in a truncated "<!DOC"', () => {
    const xsd = keep(
      compileXsd({ main: 'main.xsd', files: { 'main.xsd': MAIN, 'types/t.xsd': TYPES } }),
    );
    const code = (text: string) =>
      gatewayError(() => xsd.validate(Buffer.from(text), 'LT_CONTRACT_REQUEST')).code;
    expect(code('<!-- c --><![CDATA[x]]><!DOCTYPE m><m:Wrap xmlns:m="urn:m"/>')).toBe(
      'LT_XML_DTD_FORBIDDEN',
    );
    expect(code('<!-- c --><m:Wrap xmlns:m="urn:m"/><!ENTITY x "y">')).toBe('LT_XML_DTD_FORBIDDEN');
    expect(code('<m:Wrap xmlns:m="urn:m"/><!DOC')).toBe('LT_XML_MALFORMED');
  });

  it('answers a valid document through the reused contexts, and anything else through the detailed path', () => {
    const xsd = keep(
      compileXsd({ main: 'main.xsd', files: { 'main.xsd': MAIN, 'types/t.xsd': TYPES } }),
    );
    const item = (code: string) =>
      Buffer.from(
        `<m:Wrap xmlns:m="urn:m"><t:Item xmlns:t="urn:t"><t:Code>${code}</t:Code></t:Item></m:Wrap>`,
      );
    const before = xsdValidationStats();
    for (let i = 0; i < 3; i++) xsd.validate(item('09106'), 'LT_CONTRACT_REQUEST');
    const afterValid = xsdValidationStats();
    expect(afterValid.fast - before.fast).toBe(3);
    expect(afterValid.detailed - before.detailed).toBe(0);

    // Invalid and malformed documents are not "valid" on the fast path: the detailed path names the rule.
    expect(gatewayError(() => xsd.validate(item('9106'), 'LT_CONTRACT_REQUEST')).code).toBe(
      'LT_CONTRACT_REQUEST',
    );
    expect(
      gatewayError(() => xsd.validate(Buffer.from('<m:Wrap'), 'LT_CONTRACT_REQUEST')).code,
    ).toBe('LT_XML_MALFORMED');
    const after = xsdValidationStats();
    expect(after.fast - afterValid.fast).toBe(0);
    expect(after.detailed - afterValid.detailed).toBe(2);
  });

  it('refuses validations after dispose as the shutdown they belong to', () => {
    const xsd = compileXsd({ main: 'main.xsd', files: { 'main.xsd': MAIN, 'types/t.xsd': TYPES } });
    xsd.dispose();
    expect(gatewayError(() => xsd.validate(Buffer.from('<x/>'), 'LT_CONTRACT_REQUEST')).code).toBe(
      'LT_SHUTTING_DOWN',
    );
  });
});
