import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { XmlDocument, XmlElement as LibxmlElement } from 'libxml2-wasm';
import { GatewayError } from '../message/errors.js';
import { compileXsd, parseXml, SOAP11_NS, type CompiledXsd } from '../xml/index.js';
import type { XmlOperationChecks, XmlValidator } from './contracts.js';

/** The XSD that describes a whole SOAP envelope of a system: `contracts/<system>/envelope.xsd`. */
export const ENVELOPE_XSD = 'envelope.xsd';

const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';

interface QName {
  ns: string;
  name: string;
}

function configError(detail: string): never {
  throw new GatewayError('LT_CONFIG_INVALID', detail);
}

/**
 * Operation → the elements of its input and output, from the system's WSDL
 * (document/literal: a message's one part names the Body element). Read once,
 * at start-up; QName prefixes resolve against the WSDL's own declarations.
 */
export function wsdlOperations(systemDir: string): Map<string, { input: QName; output: QName }> {
  const ops = new Map<string, { input: QName; output: QName }>();
  for (const f of readdirSync(systemDir).filter((n) => n.endsWith('.wsdl'))) {
    const doc = XmlDocument.fromBuffer(readFileSync(join(systemDir, f)));
    try {
      const ns = { wsdl: WSDL_NS };
      const elementOf = (message: string | undefined): QName | undefined => {
        if (!message) return undefined;
        const local = message.slice(message.indexOf(':') + 1);
        const part = doc.get(`/wsdl:definitions/wsdl:message[@name='${local}']/wsdl:part`, ns);
        const qname = part instanceof LibxmlElement ? part.attr('element')?.value : undefined;
        if (!qname || !(part instanceof LibxmlElement)) return undefined;
        const colon = qname.indexOf(':');
        const uri = part.namespaceForPrefix(colon < 0 ? '' : qname.slice(0, colon));
        return uri === null ? undefined : { ns: uri, name: qname.slice(colon + 1) };
      };
      for (const op of doc.find('/wsdl:definitions/wsdl:portType/wsdl:operation', ns)) {
        if (!(op instanceof LibxmlElement)) continue;
        const name = op.attr('name')?.value;
        const message = (dir: string) => {
          const el = op.get(`wsdl:${dir}`, ns);
          return el instanceof LibxmlElement ? el.attr('message')?.value : undefined;
        };
        const input = elementOf(message('input'));
        const output = elementOf(message('output'));
        if (!name || !input || !output)
          configError(`${f}: operation "${name ?? '?'}" names no input or output element`);
        ops.set(name, { input, output });
      }
    } finally {
      doc.dispose();
    }
  }
  return ops;
}

const escapeAttr = (v: string) =>
  v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * A SOAP 1.1 envelope schema whose Body admits exactly one element: the
 * structure of envelope.xsd (Envelope (Header?, Body), Header blocks lax),
 * with the system's schemas imported as envelope.xsd imports them.
 */
function envelopeAdmitting(el: QName, imports: string): string {
  const any = '<xs:anyAttribute namespace="##other" processContents="lax"/>';
  return `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="${XSD_NS}" xmlns:soapenv="${SOAP11_NS}" xmlns:op="${escapeAttr(el.ns)}"
           targetNamespace="${SOAP11_NS}" elementFormDefault="qualified">
  ${imports}
  <xs:element name="Envelope"><xs:complexType><xs:sequence>
    <xs:element ref="soapenv:Header" minOccurs="0"/><xs:element ref="soapenv:Body"/>
  </xs:sequence>${any}</xs:complexType></xs:element>
  <xs:element name="Header"><xs:complexType><xs:sequence>
    <xs:any namespace="##any" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence>${any}</xs:complexType></xs:element>
  <xs:element name="Body"><xs:complexType><xs:sequence>
    <xs:element ref="op:${el.name}"/>
  </xs:sequence>${any}</xs:complexType></xs:element>
</xs:schema>`;
}

/** envelope.xsd's xs:import elements, written again for a generated envelope. */
function importsOf(envelopeFile: string): string {
  const doc = parseXml(readFileSync(envelopeFile), { maxBytes: 1 << 20, maxDepth: 64 });
  return doc.children
    .filter((k) => k.ns === XSD_NS && k.name === 'import')
    .map(
      (k) =>
        `<xs:import namespace="${escapeAttr(k.attrs.namespace ?? '')}" schemaLocation="${escapeAttr(k.attrs.schemaLocation ?? '')}"/>`,
    )
    .join('\n  ');
}

/**
 * XML contracts, one per operation (R2: a grant for one operation reaches
 * that one): a system that ships `envelope.xsd` and a WSDL gets, for each
 * operation the WSDL names, an envelope schema admitting only that
 * operation's request element in the Body, and one admitting only its reply
 * element. A household request validated for the lookup fails, whatever the
 * route. Each set is compiled once, when the contract is first asked for (at
 * start-up); a message is still one validation (libxml2 in WebAssembly).
 */
export function xmlContractLoader(opts: {
  /** Validate on the XSD worker thread (src/xml/xsd-offload.ts); `lienthong check` does not. */
  xsdWorker?: boolean;
}): (systemDir: string) => XmlValidator | undefined {
  return (systemDir) => {
    const envelope = join(systemDir, ENVELOPE_XSD);
    if (!existsSync(envelope)) return undefined;
    const ops = wsdlOperations(systemDir);
    const imports = importsOf(envelope);
    const files: Record<string, Uint8Array> = {};
    for (const f of readdirSync(systemDir).filter((n) => n.endsWith('.xsd')))
      files[f] = readFileSync(join(systemDir, f));
    const compiled: CompiledXsd[] = [];
    const compile = (op: string, dir: string, el: QName): CompiledXsd => {
      const main = `lienthong-envelope.${op}.${dir}.xsd`;
      const set = compileXsd(
        { main, files: { ...files, [main]: envelopeAdmitting(el, imports) } },
        { offload: opts.xsdWorker },
      );
      compiled.push(set);
      return set;
    };
    const byOperation = new Map<string, XmlOperationChecks>();
    return {
      operation(op): XmlOperationChecks | undefined {
        const o = ops.get(op);
        if (!o) return undefined;
        let checks = byOperation.get(op);
        if (!checks) {
          const request = compile(op, 'request', o.input);
          const response = compile(op, 'response', o.output);
          checks = {
            checkRequest: (xml, code) => request.validateAsync(xml, code),
            checkResponse: (xml, code) => response.validateAsync(xml, code),
          };
          byOperation.set(op, checks);
        }
        return checks;
      },
      dispose: () => {
        for (const c of compiled) c.dispose();
        compiled.length = 0;
        byOperation.clear();
      },
    };
  };
}
