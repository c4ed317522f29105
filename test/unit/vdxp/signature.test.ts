import { describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { SignedXml } from 'xml-crypto';
import {
  ALG,
  buildEdxml,
  readSignedEdxml,
  signEdxml,
  verifyEdxml,
  type EdxmlMessage,
  type EdxmlVerification,
} from '../../../adapters/vdxp/edxml/index.js';
import { firstDifference } from '../../../adapters/vdxp/edxml/dom.js';
import { GatewayError } from '../../../src/message/errors.js';
import { parseXml } from '../../../src/xml/index.js';
import { ROOT } from '../../helpers/paths.js';
import { testPki } from './certs.js';
import { mutationsOf } from './mutations.js';

const pki = testPki();
const MSG: EdxmlMessage = {
  header: {
    From: { OrganId: '000.00.00.G99', OrganName: 'Văn phòng Thử nghiệm' },
    To: [{ OrganId: '000.00.01.H99' }],
    Subject: 'Văn bản thật',
    DocumentId: '000.00.00.G99,2024/05/06,1/VPTN',
  },
};
const ATT = [
  { info: { ContentId: 'cid:1', AttachmentName: 'a.pdf' }, content: Buffer.alloc(30_000, 5) },
];
const unsigned = buildEdxml(MSG, ATT);
const signed = signEdxml(unsigned, { privateKey: pki.signerKey, certificate: pki.signerCert });
const S = signed.toString('utf8');
const anchors = { trustAnchors: [pki.caCert] };
const parsedOriginal = (verifyEdxml(signed, anchors) as Extract<EdxmlVerification, { valid: true }>)
  .parsed;

function refused(xml: string | Buffer): Extract<EdxmlVerification, { valid: false }> {
  const v = verifyEdxml(Buffer.isBuffer(xml) ? xml : Buffer.from(xml), anchors);
  expect(v.valid).toBe(false);
  if (process.env.SHOW_REASONS) console.log((v as { reason: string }).reason);
  return v as Extract<EdxmlVerification, { valid: false }>;
}

/** A signature made with xml-crypto directly, for the choices our signer never makes. */
function craft(
  xml: string,
  o: {
    canon?: string;
    transforms?: string[];
    digest?: string;
    alg?: string;
    refs?: { xpath: string; uri?: string; isEmptyUri?: boolean }[];
    at?: string;
  } = {},
): string {
  const sx = new SignedXml({
    privateKey: pki.signerKey,
    publicCert: pki.signerCert,
    signatureAlgorithm: o.alg ?? ALG.rsaSha256,
    canonicalizationAlgorithm: o.canon ?? ALG.excC14n,
  });
  for (const r of o.refs ?? [{ xpath: '/*', isEmptyUri: true }]) {
    sx.addReference({
      xpath: r.xpath,
      transforms: o.transforms ?? [ALG.enveloped, ALG.excC14n],
      digestAlgorithm: o.digest ?? ALG.sha256,
      ...(r.uri !== undefined && { uri: r.uri }),
      ...(r.isEmptyUri && { isEmptyUri: true }),
    });
  }
  sx.computeSignature(xml, {
    prefix: 'ds',
    location: {
      reference:
        o.at ??
        "/*[local-name()='edXML']/*[local-name()='edXMLEnvelope']/*[local-name()='edXMLHeader']",
      action: 'append',
    },
  });
  return sx.getSignedXml();
}

const withRootId = unsigned.toString().replace('<edXML xmlns=', '<edXML Id="doc" xmlns=');

describe('edXML signatures: sign and verify', () => {
  it('an RSA-SHA256 signature verifies, names its signer and chains to the CA', () => {
    const v = verifyEdxml(signed, anchors);
    expect(v.valid && v.trusted).toBe(true);
    if (!v.valid) return;
    expect(v.signer.subject).toContain('CN=Test signer rsa (not real)');
    expect(v.parsed.message.header?.Subject).toBe('Văn bản thật');
    expect(v.parsed.attachments[0].bytes()).toEqual(ATT[0].content);
  });

  it('an ECDSA-SHA256 signature verifies too', () => {
    const ec = signEdxml(unsigned, { privateKey: pki.ecKey, certificate: pki.ecCert });
    expect(ec.toString()).toContain(ALG.ecdsaSha256);
    const v = verifyEdxml(ec, anchors);
    expect(v.valid && v.trusted).toBe(true);
  });

  it('a signer outside the trust anchors verifies but is not trusted, and consumers refuse it', () => {
    const s = signEdxml(unsigned, { privateKey: pki.strangerKey, certificate: pki.strangerCert });
    const v = verifyEdxml(s, anchors);
    expect(v.valid).toBe(true);
    expect(v.valid && v.trusted).toBe(false);
    expect(() => readSignedEdxml(s, anchors)).toThrow(
      expect.objectContaining({ code: 'LT_EDXML_SIGNATURE_UNTRUSTED' }) as unknown as Error,
    );
    expect(readSignedEdxml(signed, anchors).signer.subject).toContain('Test signer rsa');
  });

  it('a changed field, a changed attachment or a swapped certificate does not verify', () => {
    expect(refused(S.replace('Văn bản thật', 'Văn bản giả')).code).toBe(
      'LT_EDXML_SIGNATURE_INVALID',
    );
    expect(refused(S.replace('BQUFBQUF', 'BQUFBQUE')).code).toBe('LT_EDXML_SIGNATURE_INVALID');
    const strangerDer = pki.strangerCert.replace(/-----[^-]+-----|\s/g, '');
    const ownDer = /<ds:X509Certificate>([^<]+)</.exec(S)![1];
    refused(S.replace(ownDer, strangerDer));
  });

  it('a Signature in the edXML namespace (the field habit) is invalid, never valid, never a crash', () => {
    const field = readFileSync(join(ROOT, 'test/fixtures/edxml/field-document.edxml'));
    expect(refused(field).code).toBe('LT_EDXML_SIGNATURE_INVALID');
    expect(refused(unsigned).code).toBe('LT_EDXML_SIGNATURE_INVALID');
  });

  it('what is not XML keeps the parser code; readSignedEdxml throws it coded', () => {
    expect(refused(S.slice(0, 500)).code).toBe('LT_XML_MALFORMED');
    expect(() => readSignedEdxml(Buffer.from(S.replace('Văn bản thật', 'x')), anchors)).toThrow(
      GatewayError,
    );
  });
});

/**
 * The wrapping families (docs/adapters/vdxp.md): each is a hostile input that
 * must be refused, whether or not its cryptography would pass.
 */
describe('edXML signatures: no signature wrapping', () => {
  it('moved signature: outside edXMLHeader', () => {
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(S)![0];
    const moved = S.replace(sig, '').replace('</MessageHeader>', `${sig}</MessageHeader>`);
    refused(moved);
    refused(craft(unsigned.toString(), { at: "/*[local-name()='edXML']" }));
  });

  it('wrapped signed element: the signed root moved inside a forged document (URI="#id")', () => {
    const byId = craft(withRootId, { refs: [{ xpath: '/*' }] });
    expect(byId).toContain('URI="#doc"');
    expect(verifyEdxml(Buffer.from(byId), anchors).valid).toBe(true);
    const inner = byId.replace(/^<\?xml[^>]*\?>/, '');
    const forged = buildEdxml({ header: { ...MSG.header, Subject: 'Văn bản giả' } })
      .toString()
      .replace('<edXML xmlns=', '<edXML Id="evil" xmlns=')
      .replace(
        '</MessageHeader>',
        `<Wrapper xmlns="urn:attacker">${inner}</Wrapper></MessageHeader>`,
      );
    refused(forged);
  });

  it('duplicated signed element: a second envelope, or the id used twice', () => {
    const env = /<edXMLEnvelope>[\s\S]*<\/edXMLEnvelope>/.exec(S)![0];
    const forgedEnv = env
      .replace('Văn bản thật', 'Văn bản giả')
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');
    expect(refused(S.replace(env, forgedEnv + env)).code).toBe('LT_EDXML_INVALID');
    const byId = craft(withRootId, { refs: [{ xpath: '/*' }] });
    refused(byId.replace('<Subject>', '<Subject Id="doc">'));
  });

  it('a reference to part of the document, or to nothing we read', () => {
    const header = craft(
      unsigned.toString().replace('<MessageHeader>', '<MessageHeader Id="hdr">'),
      { refs: [{ xpath: "//*[local-name()='MessageHeader']" }] },
    );
    expect(header).toContain('URI="#hdr"');
    refused(header);
  });

  it('multiple references, a second SignedInfo, a second Signature, an Object', () => {
    refused(craft(withRootId, { refs: [{ xpath: '/*', isEmptyUri: true }, { xpath: '/*' }] }));
    const si = /<ds:SignedInfo>[\s\S]*<\/ds:SignedInfo>/.exec(S)![0];
    refused(S.replace(si, si + si));
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(S)![0];
    refused(
      S.replace('</TraceHeaderList>', `${sig}</TraceHeaderList>`).replace(
        '</edXMLHeader>',
        `${sig}</edXMLHeader>`,
      ),
    );
    refused(S.replace('</ds:KeyInfo>', '</ds:KeyInfo><ds:Object><edXML/></ds:Object>'));
    refused(
      S.replace(
        '</edXMLHeader>',
        `<Signature xmlns="${'http://www.mic.gov.vn/TBT/QCVN_102_2016'}"/></edXMLHeader>`,
      ),
    );
  });

  it('comments inside the digest or the SignedInfo are refused (CVE-2025-29775)', () => {
    // Still cryptographically valid (c14n drops comments): only the rule refuses it.
    const digest = /<ds:DigestValue>([^<]+)</.exec(S)![1];
    refused(S.replace(digest, `${digest.slice(0, 10)}<!-- x -->${digest.slice(10)}`));
    refused(S.replace('<ds:SignatureMethod', '<!-- a note --><ds:SignatureMethod'));
  });

  it('a comment inside signed content changes neither the digest nor what is read', () => {
    const v = verifyEdxml(
      Buffer.from(S.replace('Văn bản thật', 'Văn bản<!-- ghi chú --> thật')),
      anchors,
    );
    expect(v.valid).toBe(true);
    expect(v.valid && v.parsed.message.header?.Subject).toBe('Văn bản thật');
    // A comment that splits a value keeps the whole value, as digested: no first-text-node reading.
    refused(S.replace('Văn bản thật', 'Văn bản<!-- -->giả'));
  });

  it('namespace variants: the DSig prefix rebound, re-prefixed, or a signed element moved to another namespace', () => {
    refused(
      S.replace(
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"',
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#x"',
      ),
    );
    refused(S.replace(/ds:/g, 'sig:').replace('xmlns:ds=', 'xmlns:sig='));
    refused(S.replace('<Subject>', '<Subject xmlns="urn:other">'));
    // A superfluous declaration is not part of the exclusive canonical form: still valid, same fields.
    const benign = verifyEdxml(
      Buffer.from(S.replace('<MessageHeader>', '<MessageHeader xmlns:unused="urn:x">')),
      anchors,
    );
    expect(benign.valid && benign.parsed.message.header?.Subject).toBe('Văn bản thật');
  });

  it('canonicalization and algorithm variants a signer could choose are refused', () => {
    const u = unsigned.toString();
    const c14n = 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315';
    refused(craft(u, { canon: `${ALG.excC14n}WithComments` }));
    refused(craft(u, { canon: c14n }));
    refused(craft(u, { transforms: [ALG.enveloped, c14n] }));
    refused(craft(u, { transforms: [ALG.excC14n, ALG.enveloped] }));
    refused(craft(u, { transforms: [ALG.enveloped] }));
    refused(craft(u, { digest: 'http://www.w3.org/2000/09/xmldsig#sha1' }));
    refused(craft(u, { alg: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' }));
    // The same crafting with our choices verifies: the refusals above are the rules' doing.
    expect(verifyEdxml(Buffer.from(craft(u)), anchors).valid).toBe(true);
  });
});

describe('edXML signatures: hostile bytes', () => {
  it('any mutation of a signed document never throws, and is never valid with other content', () => {
    fc.assert(
      fc.property(mutationsOf(signed, 3), (b) => {
        const v = verifyEdxml(b, anchors);
        if (v.valid) {
          // A mutation c14n and the parser do not see (whitespace inside a tag) may verify:
          // then what is read is still exactly what was signed.
          expect(v.parsed.message).toEqual(parsedOriginal.message);
          expect(v.parsed.attachments[0].bytes()).toEqual(ATT[0].content);
        } else expect(v.code).toMatch(/^LT_/);
      }),
      { numRuns: 60 },
    );
  });
});

describe('edXML signatures: the digested tree must be the tree read', () => {
  it('is refused when what xml-crypto digested is not the document our parser read', () => {
    // Stands for a parser differential: xml-crypto reports having digested another document.
    const forged = buildEdxml({ header: { ...MSG.header, Subject: 'Văn bản giả' } }).toString();
    const spy = jest.spyOn(SignedXml.prototype, 'getSignedReferences').mockReturnValue([forged]);
    try {
      const v = refused(S);
      expect(v.reason).toMatch(/^what was signed is not the document read/);
    } finally {
      spy.mockRestore();
    }
    expect(verifyEdxml(signed, anchors).valid).toBe(true);
  });

  it('compares namespaces, names, attributes, text and children, never prefixes', () => {
    const limits = { maxBytes: 1 << 20, maxDepth: 16 };
    const t = (x: string) => parseXml(x, limits);
    const same = (a: string, b: string) => firstDifference(t(a), t(b), (el) => el.text);
    expect(
      same('<a xmlns="urn:x"><b k="1">v</b></a>', '<p:a xmlns:p="urn:x"><p:b k="1">v</p:b></p:a>'),
    ).toBeUndefined();
    expect(same('<a xmlns="urn:x"/>', '<a xmlns="urn:y"/>')).toBeDefined();
    expect(same('<a><b/></a>', '<a><c/></a>')).toBeDefined();
    expect(same('<a k="1"/>', '<a k="2"/>')).toBeDefined();
    expect(same('<a>v</a>', '<a>w</a>')).toBeDefined();
    expect(same('<a><b/></a>', '<a><b/><b/></a>')).toBeDefined();
  });
});
