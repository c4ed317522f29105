import { GatewayError, isErrorCode, shownDetail, type ErrorCode } from '../message/errors.js';
import { withLazyBody } from '../message/lazy-body.js';
import type { Message } from '../message/message.js';
import { elementSource, parseXml, type ParseOptions, type XmlLimits } from './parse.js';
import { child, clark, type XmlElement } from './tree.js';
import { serializeElement } from './serialize.js';
import { escapeXmlLossy } from './write.js';

/** SOAP 1.1 envelope namespace, the only SOAP version the platforms of DOMAIN.md use. */
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
/** Namespace of the gateway's own fault detail (see soapFault). */
export const LT_ERROR_NS = 'urn:lienthong:error';

export interface SoapFault {
  /** As written, e.g. `soap:Client`, `soapenv:Server.Timeout` (a QName; prefixes vary). */
  faultcode: string;
  faultstring: string;
  faultactor?: string;
  /** The `<detail>` element, when present. */
  detail?: XmlElement;
}

export interface SoapEnvelope {
  envelopeNs: string;
  header?: XmlElement;
  /** Namespace URI and local name of the Body's first child: the operation (or Fault). */
  operation: { ns: string; name: string };
  /** The Body's first child element itself (the operation element, or the Fault). */
  body: XmlElement;
  fault?: SoapFault;
}

function notEnvelope(detail: string): never {
  throw new GatewayError('LT_SOAP_NOT_ENVELOPE', detail);
}

/**
 * Parses a SOAP 1.1 envelope with the hardened parser (same limits and
 * errors as parseXml) and finds the operation element by namespace URI and
 * local name, whatever prefixes the sender chose.
 */
export function parseSoapEnvelope(
  input: Buffer | Uint8Array | string,
  limits: XmlLimits,
  opts?: ParseOptions,
): SoapEnvelope {
  const root = parseXml(input, limits, opts);
  return readSoapEnvelope(root);
}

/**
 * Parse options that keep the source of the Body's children (Envelope 1,
 * Body 2, operation 3): what an inbound passes when its operation element may
 * be forwarded in a gateway envelope (gatewayEnvelope).
 */
export const KEEP_OPERATION_SOURCE: Readonly<ParseOptions> = Object.freeze({ sourceDepth: 3 });

/**
 * False only for a reply that cannot carry a SOAP fault: HTTP 2xx, UTF-8 or
 * ASCII (it starts with "<" or a UTF-8 BOM, so a byte search means what it
 * says), and no "Fault" anywhere in its bytes.
 */
function mayBeFault(status: number, body: Buffer): boolean {
  const utf8 = body[0] === 0x3c || (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf);
  return status < 200 || status >= 300 || !utf8 || body.includes('Fault');
}

/**
 * A provider's SOAP reply forwarded as its bytes (`reply.raw`). `read` parses
 * them into the body, or throws the coded error of a fault, an HTTP error or
 * unreadable bytes. A reply that may be a fault is read at once, so those
 * errors keep their codes; any other is read only if a stage asks for its
 * body: a pass-through that nothing reads is never parsed (our tree of a
 * 2.3 KB NPD reply cost ~15–20 µs and ~16 KB of garbage per exchange).
 */
export function forwardedSoapReply(
  status: number,
  reply: Omit<Message, 'body'> & { raw: Buffer },
  read: () => unknown,
): Message {
  if (mayBeFault(status, reply.raw)) return { ...reply, body: read() };
  return withLazyBody(reply, read);
}

/** The envelope structure of an already parsed document. */
export function readSoapEnvelope(root: XmlElement): SoapEnvelope {
  if (root.name !== 'Envelope' || root.ns !== SOAP11_NS) {
    if (root.name === 'Envelope' && root.ns === SOAP12_NS) {
      notEnvelope(
        'SOAP 1.2 envelopes are not accepted; use SOAP 1.1 (http://schemas.xmlsoap.org/soap/envelope/)',
      );
    }
    notEnvelope(`root element is ${clark(root)}, expected {${SOAP11_NS}}Envelope`);
  }
  let header: XmlElement | undefined;
  let body: XmlElement | undefined;
  for (const k of root.children) {
    if (k.ns !== SOAP11_NS) notEnvelope(`unexpected ${clark(k)} in the Envelope`);
    if (k.name === 'Header') {
      if (header || body) notEnvelope('Header must come once, before the Body');
      header = k;
    } else if (k.name === 'Body') {
      if (body) notEnvelope('more than one Body');
      body = k;
    } else {
      notEnvelope(`unexpected ${clark(k)} in the Envelope`);
    }
  }
  if (!body) notEnvelope('the Envelope has no Body');
  if (root.text.trim() !== '') notEnvelope('text directly inside the Envelope');
  const op = body.children[0];
  if (!op) notEnvelope('the Body is empty');
  const env: SoapEnvelope = {
    envelopeNs: SOAP11_NS,
    operation: { ns: op.ns, name: op.name },
    body: op,
  };
  if (header) env.header = header;
  if (op.ns === SOAP11_NS && op.name === 'Fault') env.fault = readFault(op);
  return env;
}

// SOAP 1.1 §4.4: faultcode, faultstring, faultactor and detail are unqualified.
function readFault(el: XmlElement): SoapFault {
  const fault: SoapFault = {
    faultcode: (child(el, 'faultcode', '')?.text ?? '').trim(),
    faultstring: (child(el, 'faultstring', '')?.text ?? '').trim(),
  };
  const actor = child(el, 'faultactor', '');
  if (actor) fault.faultactor = actor.text.trim();
  const detail = child(el, 'detail', '');
  if (detail) fault.detail = detail;
  return fault;
}

export interface GatewayFaultDetail {
  code: string;
  vi: string;
  en: string;
  detail?: string;
}

/**
 * The gateway error carried in a fault's detail (written by soapFault), when
 * there is one: lets a gateway behind another gateway keep the original code.
 */
export function readGatewayFault(
  fault: SoapFault,
): (GatewayFaultDetail & { known: boolean }) | undefined {
  const err = fault.detail && child(fault.detail, 'error', LT_ERROR_NS);
  if (!err) return undefined;
  const text = (name: string) => child(err, name, LT_ERROR_NS)?.text.trim();
  const code = text('code') ?? '';
  const out: GatewayFaultDetail & { known: boolean } = {
    code,
    vi: text('vi') ?? '',
    en: text('en') ?? '',
    known: isErrorCode(code),
  };
  const detail = text('detail');
  if (detail !== undefined) out.detail = detail;
  return out;
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>';
const ENV_OPEN = `<soapenv:Envelope xmlns:soapenv="${SOAP11_NS}">`;

/**
 * A SOAP 1.1 envelope around already-written XML (prefix `soapenv`, as the
 * field writes it). `headerXml` undefined: no Header; '' : an empty
 * `<soapenv:Header/>` (what SoapUI-style clients and the NPD samples send).
 * The body and header must declare their own namespaces.
 */
export function soapEnvelope(bodyXml: string, headerXml?: string): string {
  const header =
    headerXml === undefined
      ? ''
      : headerXml === ''
        ? '<soapenv:Header/>'
        : `<soapenv:Header>${headerXml}</soapenv:Header>`;
  return `${XML_DECL}${ENV_OPEN}${header}<soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`;
}

/**
 * The envelope the gateway sends a provider for a caller's SOAP request: its
 * own, with an empty Header, and the caller's operation element in the Body.
 * The caller's Header (an `xrd:client` naming another organisation, a
 * `wsa:Action` naming another operation, WS-Security of the caller's) is
 * never forwarded: who calls is what the endpoint's own headers say.
 *
 * An element parsed with KEEP_OPERATION_SOURCE goes as the caller wrote it
 * (its text sliced from the document, which the parser accepted and the
 * route's XSD validated), with the namespace declarations it inherited from
 * the caller's Envelope and Body re-declared on it, unless its text holds
 * more than the tree (callerElementText); any other element is serialised
 * from the tree. Slicing spares the serialiser's walk.
 */
export function gatewayEnvelope(operation: XmlElement): Buffer {
  return Buffer.from(soapEnvelope(callerElementText(operation), ''), 'utf8');
}

/**
 * The caller's text of an element with its source kept, when that text is
 * only the element's information: no comment, processing instruction or CDATA
 * section (`<!`, `<?`). Those the tree drops, and a provider that reads XML
 * with string searches (DOMAIN.md §2: the field's clients are concatenated
 * strings) could take a `<SoDinhDanh>` inside a comment for the one the
 * gateway checked; such an element is serialised from the tree instead.
 */
function callerElementText(el: XmlElement): string {
  const src = elementSource(el);
  if (src) {
    const text = src.doc.slice(src.start, src.end);
    if (text.indexOf('<!') < 0 && text.indexOf('<?') < 0) {
      const at = src.nameEnd - src.start;
      return text.slice(0, at) + src.inherited + text.slice(at);
    }
  }
  return serializeElement(el);
}

export interface SoapFaultInit {
  faultcode: 'soap:Client' | 'soap:Server';
  faultstring: string;
  detail: {
    code: ErrorCode | string;
    vi: string;
    en: string;
    detail?: string;
    /** Seconds until a retry can succeed (rate limits, quotas): the HTTP Retry-After, in the fault. */
    retryAfter?: number;
  };
}

/**
 * A whole SOAP 1.1 fault envelope. The envelope prefix is `soap` so that the
 * faultcode QName (`soap:Client`) resolves. The detail carries the gateway's
 * error in `urn:lienthong:error`:
 *
 * ```xml
 * <detail>
 *   <lt:error xmlns:lt="urn:lienthong:error">
 *     <lt:code>LT_XML_MALFORMED</lt:code>
 *     <lt:vi>Tài liệu XML không đúng cú pháp</lt:vi>
 *     <lt:en>XML is not well-formed</lt:en>
 *     <lt:detail>line 3, column 9: …</lt:detail>   (optional)
 *     <lt:retryAfter>30</lt:retryAfter>             (optional: seconds, as Retry-After)
 *   </lt:error>
 * </detail>
 * ```
 *
 * It never throws: a character XML cannot carry becomes U+FFFD (a fault
 * quoting the caller's bad input must still be a fault, R8).
 */
export function soapFault(init: SoapFaultInit): string {
  const d = init.detail;
  const extra =
    d.detail === undefined || d.detail === ''
      ? ''
      : `<lt:detail>${escapeXmlLossy(d.detail)}</lt:detail>`;
  const after =
    d.retryAfter !== undefined && Number.isInteger(d.retryAfter) && d.retryAfter > 0
      ? `<lt:retryAfter>${d.retryAfter}</lt:retryAfter>`
      : '';
  return (
    `${XML_DECL}<soap:Envelope xmlns:soap="${SOAP11_NS}"><soap:Body><soap:Fault>` +
    `<faultcode>${init.faultcode}</faultcode><faultstring>${escapeXmlLossy(init.faultstring)}</faultstring>` +
    `<detail><lt:error xmlns:lt="${LT_ERROR_NS}"><lt:code>${escapeXmlLossy(d.code)}</lt:code>` +
    `<lt:vi>${escapeXmlLossy(d.vi)}</lt:vi><lt:en>${escapeXmlLossy(d.en)}</lt:en>${extra}${after}</lt:error></detail>` +
    `</soap:Fault></soap:Body></soap:Envelope>`
  );
}

/** A fault envelope for a GatewayError, with the code's texts from the error table. */
export function soapFaultFor(err: GatewayError): string {
  const spec = err.spec;
  const detail = shownDetail(err);
  return soapFault({
    faultcode: spec.soap === 'Client' ? 'soap:Client' : 'soap:Server',
    faultstring: detail ? `${err.code}: ${detail}` : `${err.code}: ${spec.en}`,
    detail: {
      code: err.code,
      vi: spec.vi,
      en: spec.en,
      detail,
      retryAfter: err.data?.retryAfterSeconds as number | undefined,
    },
  });
}
