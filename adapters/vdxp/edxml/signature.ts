import {
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  X509Certificate,
  type KeyLike,
} from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import { GatewayError, type ErrorCode } from '../../../src/message/errors.js';
import { child, parseXml, type XmlElement } from '../../../src/xml/index.js';
import { firstDifference, fromDom, parseDom } from './dom.js';
import { edxmlLimits, type EdxmlLimits } from './limits.js';
import { DSIG_NS, EDXML_NS } from './model.js';
import { parseEdxml, type ParsedEdxml } from './parse.js';

/**
 * XML signatures on edXML: enveloped XML-DSig, exclusive c14n, RSA-SHA256 or
 * ECDSA-SHA256, the signer's certificate in KeyInfo/X509Data. Signing and the
 * cryptography of verifying are xml-crypto's (≥ 6.0.1: CVE-2025-29774/29775);
 * what is accepted as signed, and what the gateway then reads, is decided
 * here, so that the two are provably the same document. The design, and the
 * attack families each rule stops, are in docs/adapters/vdxp.md.
 */

export const ALG = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  sha512: 'http://www.w3.org/2001/04/xmlenc#sha512',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  rsaSha512: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  ecdsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
} as const;

const SIGNATURE_METHODS: readonly string[] = [ALG.rsaSha256, ALG.rsaSha512, ALG.ecdsaSha256];
const DIGEST_METHODS: readonly string[] = [ALG.sha256, ALG.sha512];
/** The only Transform list accepted, in this order. */
const TRANSFORMS: readonly string[] = [ALG.enveloped, ALG.excC14n];
const EXC_C14N_NS = ALG.excC14n;
/** Attribute names treated as element ids anywhere (XML-DSig, WS-Security, SAML habits). */
const ID_ATTRIBUTES = new Set(['Id', 'ID', 'id']);

/** ECDSA in XML-DSig: the signature value is r‖s (RFC 4050 / RFC 6931), not DER. */
class EcdsaSha256 {
  getSignature(signedInfo: string | Buffer, key: KeyLike): string {
    return cryptoSign('sha256', Buffer.from(signedInfo), {
      key: createPrivateKey(key as string),
      dsaEncoding: 'ieee-p1363',
    }).toString('base64');
  }
  verifySignature(material: string, key: KeyLike, value: string): boolean {
    return cryptoVerify(
      'sha256',
      Buffer.from(material),
      { key: createPublicKey(key as string), dsaEncoding: 'ieee-p1363' },
      Buffer.from(value, 'base64'),
    );
  }
  getAlgorithmName(): string {
    return ALG.ecdsaSha256;
  }
}

function withEcdsa(sx: SignedXml): SignedXml {
  (sx.SignatureAlgorithms as Record<string, unknown>)[ALG.ecdsaSha256] = EcdsaSha256;
  return sx;
}

export interface SignOptions {
  /** PEM or KeyObject: an RSA or P-256 EC private key. */
  privateKey: KeyLike;
  /** The signer's certificate (PEM), written in KeyInfo. */
  certificate: string;
}

const HEADER_XPATH =
  "/*[local-name()='edXML']/*[local-name()='edXMLEnvelope']/*[local-name()='edXMLHeader']";

/**
 * Signs an edXML file: one ds:Signature appended to edXMLHeader, its one
 * Reference URI="" covering the whole file (attachments included) minus the
 * signature itself.
 */
export function signEdxml(
  input: Buffer,
  opts: SignOptions,
  limits: Partial<EdxmlLimits> = {},
): Buffer {
  const parsed = parseEdxml(input, limits);
  if (parsed.signatures.dsig || parsed.signatures.foreign)
    throw new GatewayError('LT_EDXML_INVALID', 'the document already carries a Signature');
  const cert = new X509Certificate(opts.certificate);
  const alg = cert.publicKey.asymmetricKeyType === 'ec' ? ALG.ecdsaSha256 : ALG.rsaSha256;
  const sx = withEcdsa(
    new SignedXml({
      privateKey: opts.privateKey,
      publicCert: opts.certificate,
      signatureAlgorithm: alg,
      canonicalizationAlgorithm: ALG.excC14n,
    }),
  );
  sx.addReference({
    xpath: '/*',
    transforms: [...TRANSFORMS],
    digestAlgorithm: ALG.sha256,
    isEmptyUri: true,
  });
  sx.computeSignature(input.toString('utf8'), {
    prefix: 'ds',
    location: { reference: HEADER_XPATH, action: 'append' },
  });
  return Buffer.from(sx.getSignedXml());
}

export interface Signer {
  subject: string;
  issuer: string;
  serialNumber: string;
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

export type EdxmlVerification =
  | {
      /** The signature verifies and covers exactly the document read. */
      valid: true;
      /** The signer's certificate chains to a configured trust anchor and is in its validity period. */
      trusted: boolean;
      signer: Signer;
      /** The document, read from the tree that was proved to be the signed one. */
      parsed: ParsedEdxml;
    }
  | { valid: false; code: ErrorCode; reason: string; signer?: Signer };

class Refusal extends Error {}
function refuse(reason: string): never {
  throw new Refusal(reason);
}

function dsChildren(el: XmlElement, allowed: readonly string[], where: string): XmlElement[] {
  for (const k of el.children) {
    if (k.ns !== DSIG_NS || !allowed.includes(k.name))
      refuse(`${where} holds {${k.ns}}${k.name}, which is not accepted there`);
  }
  return el.children;
}

function exactlyOne(el: XmlElement, name: string, where: string): XmlElement {
  const found = el.children.filter((k) => k.ns === DSIG_NS && k.name === name);
  if (found.length !== 1)
    refuse(`${where} has ${found.length} ${name} elements, exactly 1 is accepted`);
  return found[0];
}

function algorithm(el: XmlElement, allowed: readonly string[], what: string): string {
  const a = el.attrs.Algorithm ?? '';
  if (!allowed.includes(a)) refuse(`${what} ${a || '(none)'} is not accepted`);
  return a;
}

/** c14n methods may carry only an InclusiveNamespaces PrefixList. */
function onlyPrefixList(el: XmlElement, where: string): void {
  for (const k of el.children)
    if (k.ns !== EXC_C14N_NS || k.name !== 'InclusiveNamespaces')
      refuse(`${where} holds {${k.ns}}${k.name}`);
}

/** Every element of the tree, depth first. */
function* walk(el: XmlElement): Generator<XmlElement> {
  const stack = [el];
  while (stack.length) {
    const e = stack.pop()!;
    yield e;
    for (let i = e.children.length - 1; i >= 0; i--) stack.push(e.children[i]);
  }
}

/**
 * The rules on the tree the gateway reads: one XML-DSig Signature, in
 * edXMLHeader, nothing of XML-DSig elsewhere, no id used twice, one
 * SignedInfo with one Reference to the whole document, the transforms and
 * algorithms above, one X509 certificate. Returns the Signature and the cert.
 */
function checkStructure(parsed: ParsedEdxml): { sig: XmlElement; cert: X509Certificate } {
  const root = parsed.tree;
  const header = child(child(root, 'edXMLEnvelope', EDXML_NS)!, 'edXMLHeader', EDXML_NS)!;
  const ids = new Set<string>();
  const dsig: XmlElement[] = [];
  let inSignature = 0;
  for (const el of walk(root)) {
    for (const [k, v] of Object.entries(el.attrs)) {
      const local = k.startsWith('{') ? k.slice(k.indexOf('}') + 1) : k;
      if (!ID_ATTRIBUTES.has(local)) continue;
      if (ids.has(v)) refuse(`the id "${v}" is used more than once`);
      ids.add(v);
    }
    if (el.ns === DSIG_NS) {
      if (el.name === 'Signature') dsig.push(el);
      inSignature++;
    }
  }
  if (parsed.signatures.foreign && !dsig.length)
    refuse('the Signature is in the edXML namespace, not XML-DSig: it cannot be verified');
  if (dsig.length !== 1)
    refuse(`${dsig.length} XML-DSig Signature elements, exactly 1 is accepted`);
  const sig = dsig[0];
  if (!header.children.includes(sig)) refuse('the Signature is not a child of edXMLHeader');
  if (parsed.signatures.foreign) refuse('a second, non-XML-DSig Signature sits beside it');
  const inside = [...walk(sig)].length;
  if (inside !== inSignature) refuse('XML-DSig elements outside the Signature');

  dsChildren(sig, ['SignedInfo', 'SignatureValue', 'KeyInfo'], 'Signature');
  const si = exactlyOne(sig, 'SignedInfo', 'Signature');
  exactlyOne(sig, 'SignatureValue', 'Signature');
  const keyInfo = exactlyOne(sig, 'KeyInfo', 'Signature');
  dsChildren(si, ['CanonicalizationMethod', 'SignatureMethod', 'Reference'], 'SignedInfo');
  const cm = exactlyOne(si, 'CanonicalizationMethod', 'SignedInfo');
  algorithm(cm, [ALG.excC14n], 'canonicalization');
  onlyPrefixList(cm, 'CanonicalizationMethod');
  algorithm(exactlyOne(si, 'SignatureMethod', 'SignedInfo'), SIGNATURE_METHODS, 'signature method');
  const ref = exactlyOne(si, 'Reference', 'SignedInfo');
  const uri = ref.attrs.URI;
  const rootId = [...ID_ATTRIBUTES].map((n) => root.attrs[n]).find((v) => v !== undefined);
  if (uri !== '' && !(rootId !== undefined && uri === `#${rootId}`))
    refuse(
      `the Reference URI ${uri === undefined ? '(absent)' : `"${uri}"`} does not name the whole document`,
    );
  dsChildren(ref, ['Transforms', 'DigestMethod', 'DigestValue'], 'Reference');
  const transforms = dsChildren(
    exactlyOne(ref, 'Transforms', 'Reference'),
    ['Transform'],
    'Transforms',
  );
  if (
    transforms.length !== TRANSFORMS.length ||
    transforms.some((t, i) => t.attrs.Algorithm !== TRANSFORMS[i])
  ) {
    refuse(
      `the transforms must be exactly enveloped-signature then exclusive c14n, not ${transforms.map((t) => t.attrs.Algorithm).join(', ')}`,
    );
  }
  onlyPrefixList(transforms[0], 'the enveloped-signature Transform');
  onlyPrefixList(transforms[1], 'the c14n Transform');
  algorithm(exactlyOne(ref, 'DigestMethod', 'Reference'), DIGEST_METHODS, 'digest');
  exactlyOne(ref, 'DigestValue', 'Reference');
  const x509 = exactlyOne(keyInfo, 'X509Data', 'KeyInfo');
  const certEl = exactlyOne(x509, 'X509Certificate', 'X509Data');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(Buffer.from(parsed.text(certEl).replace(/\s+/g, ''), 'base64'));
  } catch {
    refuse('the X509Certificate is not a certificate');
  }
  return { sig, cert };
}

function signerOf(cert: X509Certificate): Signer {
  const { subject, issuer, serialNumber, validFrom, validTo, fingerprint256 } = cert;
  const oneLine = (dn: string) => dn.split('\n').join(', ');
  return {
    subject: oneLine(subject),
    issuer: oneLine(issuer),
    serialNumber,
    validFrom,
    validTo,
    fingerprint256,
  };
}

/** Does the certificate chain to one of the anchors (through the anchors given), and is it current? */
export function chainsTo(
  cert: X509Certificate,
  anchors: readonly X509Certificate[],
  now = new Date(),
): boolean {
  const current = (c: X509Certificate) =>
    new Date(c.validFrom) <= now && now <= new Date(c.validTo);
  let at = cert;
  for (let hops = 0; hops <= anchors.length; hops++) {
    if (!current(at)) return false;
    if (anchors.some((a) => a.fingerprint256 === at.fingerprint256)) return true;
    const issuer = anchors.find((a) => at.checkIssued(a) && at.verify(a.publicKey));
    if (!issuer) return false;
    at = issuer;
  }
  return false;
}

export interface VerifyOptions {
  /** Trust anchors (PEM or X509Certificate); none: `trusted` is false. */
  trustAnchors?: readonly (string | X509Certificate)[];
  limits?: Partial<EdxmlLimits>;
  now?: Date;
}

/**
 * Verifies the one signature of an edXML file and returns the document read
 * from the tree proved equal to what was signed. Every problem is a
 * `valid: false` answer with its code and reason, never an exception: a file
 * that is not XML or not edXML keeps the parser's code (LT_XML_MALFORMED,
 * LT_EDXML_INVALID…), any signature problem is LT_EDXML_SIGNATURE_INVALID.
 */
export function verifyEdxml(input: Buffer, opts: VerifyOptions = {}): EdxmlVerification {
  const limits = edxmlLimits(opts.limits);
  let signer: Signer | undefined;
  try {
    const parsed = parseEdxml(input, limits);
    const { sig, cert } = checkStructure(parsed);
    signer = signerOf(cert);
    const xml = input.toString('utf8').replace(/^\uFEFF/, '');
    // The same bytes through xml-crypto's parser: its Signature must be ours, with
    // no comment or processing instruction inside that one of the two readers skips.
    const dom = parseDom(xml);
    const domSigs = dom.getElementsByTagNameNS(DSIG_NS, 'Signature');
    if (domSigs.length !== 1) refuse('xmldom finds a different number of signatures');
    let domSig: XmlElement;
    try {
      domSig = fromDom(domSigs[0], true);
    } catch (err) {
      refuse((err as Error).message);
    }
    const sigDiff = firstDifference(sig, domSig, parsed.text);
    if (sigDiff) refuse(`the two parsers read the Signature differently (${sigDiff})`);
    const sx = withEcdsa(new SignedXml({ publicCert: cert.toString() }));
    sx.loadSignature(domSigs[0] as Parameters<SignedXml['loadSignature']>[0]);
    let ok = false;
    try {
      ok = sx.checkSignature(xml);
    } catch (err) {
      refuse(`xml-crypto: ${(err as Error).message}`);
    }
    if (!ok) refuse('the signature does not verify');
    // What was digested, parsed by our parser, must be the tree the message was read from.
    const signed = sx.getSignedReferences();
    if (signed.length !== 1) refuse(`${signed.length} signed references, exactly 1 is accepted`);
    const digested = parseXml(signed[0], {
      maxBytes: limits.maxBytes * 2 + (1 << 20),
      maxDepth: limits.maxDepth,
      maxNodes: limits.maxNodes,
    });
    const diff = firstDifference(parsed.tree, digested, parsed.text, sig);
    if (diff) refuse(`what was signed is not the document read (${diff})`);
    const anchors = (opts.trustAnchors ?? []).map((a) =>
      typeof a === 'string' ? new X509Certificate(a) : a,
    );
    return { valid: true, trusted: chainsTo(cert, anchors, opts.now), signer, parsed };
  } catch (err) {
    // A file that is not XML or not edXML keeps its own code (LT_XML_MALFORMED…).
    const code = err instanceof GatewayError && !signer ? err.code : 'LT_EDXML_SIGNATURE_INVALID';
    const reason =
      err instanceof Refusal
        ? err.message
        : err instanceof GatewayError
          ? `${err.code}: ${err.detail ?? err.spec.en}`
          : `unexpected: ${(err as Error).message}`;
    return { valid: false, code, reason, ...(signer && { signer }) };
  }
}

/**
 * For consumers: the document, only when its signature verifies and (with
 * anchors) chains to one of them; otherwise LT_EDXML_SIGNATURE_INVALID or
 * LT_EDXML_SIGNATURE_UNTRUSTED.
 */
export function readSignedEdxml(
  input: Buffer,
  opts: VerifyOptions & { trustAnchors: readonly (string | X509Certificate)[] },
): { parsed: ParsedEdxml; signer: Signer } {
  const v = verifyEdxml(input, opts);
  if (!v.valid) throw new GatewayError(v.code, v.reason, v.signer && { signer: v.signer.subject });
  if (!v.trusted)
    throw new GatewayError('LT_EDXML_SIGNATURE_UNTRUSTED', v.signer.subject, {
      signer: v.signer.subject,
    });
  return { parsed: v.parsed, signer: v.signer };
}
