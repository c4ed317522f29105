import { createHash } from 'node:crypto';
import { GatewayError } from '../message/errors.js';
import { serializeElement } from '../xml/serialize.js';
import type { XmlElement } from '../xml/tree.js';
import { escapeAttr, escapeXml } from '../xml/write.js';
import { isIdPart, type XRoadClientId, type XRoadServiceId } from './ids.js';

/**
 * The X-Road SOAP profile's headers (message protocol 4.0, DOMAIN.md §1):
 * written by the consumer side, read and checked by the provider side and
 * the security-server simulator, and checked again on a response (the
 * provider copies them back; the provider's security server adds
 * `requestHash`).
 */
export const XROAD_NS = 'http://x-road.eu/xsd/xroad.xsd';
export const XROAD_ID_NS = 'http://x-road.eu/xsd/identifiers';
export const PROTOCOL_VERSION = '4.0';

/** Digest algorithms a `requestHash` may name (XML Encryption's URIs, as X-Road writes them). */
export const HASH_ALGORITHMS = {
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
} as const;
export const DEFAULT_HASH_ALGORITHM = 'http://www.w3.org/2001/04/xmlenc#sha512';

export interface XRoadHeader {
  readonly client: XRoadClientId;
  readonly service: XRoadServiceId;
  /** The message id: lienthong sends its exchange id, so both logs join on it. */
  readonly id: string;
  readonly protocolVersion: string;
  readonly userId?: string;
  readonly issue?: string;
  readonly requestHash?: { readonly algorithmId: string; readonly value: string };
}

/** A message id, user id or issue: printable, bounded (it lands in logs and headers). */
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const FREE_TEXT = /^[^\u0000-\u001f\u007f]{1,255}$/;

// ---- writing ---------------------------------------------------------------

const DECL = `xmlns:xrd="${XROAD_NS}" xmlns:id="${XROAD_ID_NS}"`;

function idParts(id: XRoadClientId): string {
  let out =
    `<id:xRoadInstance>${escapeXml(id.instance)}</id:xRoadInstance>` +
    `<id:memberClass>${escapeXml(id.memberClass)}</id:memberClass>` +
    `<id:memberCode>${escapeXml(id.memberCode)}</id:memberCode>`;
  if (id.subsystemCode !== undefined)
    out += `<id:subsystemCode>${escapeXml(id.subsystemCode)}</id:subsystemCode>`;
  return out;
}

/**
 * The header blocks of a request, in the order the specification's examples
 * use (client, service, id, userId, issue, protocolVersion). Each block
 * declares the namespaces it uses, so the blocks stand alone in any envelope.
 */
export function writeXRoadHeader(h: XRoadHeader): string {
  const clientType = h.client.subsystemCode === undefined ? 'MEMBER' : 'SUBSYSTEM';
  let out =
    `<xrd:client ${DECL} id:objectType="${clientType}">${idParts(h.client)}</xrd:client>` +
    `<xrd:service ${DECL} id:objectType="SERVICE">${idParts(h.service)}` +
    `<id:serviceCode>${escapeXml(h.service.serviceCode)}</id:serviceCode>` +
    (h.service.serviceVersion === undefined
      ? ''
      : `<id:serviceVersion>${escapeXml(h.service.serviceVersion)}</id:serviceVersion>`) +
    `</xrd:service>` +
    `<xrd:id xmlns:xrd="${XROAD_NS}">${escapeXml(h.id)}</xrd:id>`;
  if (h.userId !== undefined)
    out += `<xrd:userId xmlns:xrd="${XROAD_NS}">${escapeXml(h.userId)}</xrd:userId>`;
  if (h.issue !== undefined)
    out += `<xrd:issue xmlns:xrd="${XROAD_NS}">${escapeXml(h.issue)}</xrd:issue>`;
  out += `<xrd:protocolVersion xmlns:xrd="${XROAD_NS}">${escapeXml(h.protocolVersion)}</xrd:protocolVersion>`;
  if (h.requestHash)
    out += `<xrd:requestHash xmlns:xrd="${XROAD_NS}" algorithmId="${escapeAttr(h.requestHash.algorithmId)}">${escapeXml(h.requestHash.value)}</xrd:requestHash>`;
  return out;
}

/** The base64 digest of a SOAP message's bytes, as `requestHash` carries it. */
export function requestHashOf(
  message: Buffer | string,
  algorithmId = DEFAULT_HASH_ALGORITHM,
): string {
  const alg = HASH_ALGORITHMS[algorithmId as keyof typeof HASH_ALGORITHMS];
  if (!alg)
    throw new GatewayError(
      'LT_XROAD_HEADER_INVALID',
      `requestHash algorithm "${algorithmId.slice(0, 100)}" is not supported`,
    );
  return createHash(alg).update(message).digest('base64');
}

/**
 * The request's header blocks written again, in the order received, with
 * the namespaces each needs: a provider copies every request header into its
 * response in the same order (the specification's rule, which the security
 * server checks).
 */
export function copiedHeaders(header: XmlElement | undefined): string {
  if (!header) return '';
  let out = '';
  for (const k of header.children) out += serializeElement(k);
  return out;
}

/**
 * Inserts header blocks into an envelope the gateway wrote itself
 * (`soapEnvelope` in src/xml/soap.ts, which writes an empty
 * `<soapenv:Header/>`): never applied to bytes a caller or provider sent.
 */
export function withHeaderBlocks(envelope: Buffer, blocks: string): Buffer {
  const text = envelope.toString('utf8');
  const at = text.indexOf('<soapenv:Header/>');
  if (at < 0)
    throw new GatewayError('LT_INTERNAL', 'the envelope has no empty soapenv:Header to fill');
  return Buffer.from(
    `${text.slice(0, at)}<soapenv:Header>${blocks}</soapenv:Header>${text.slice(at + 17)}`,
    'utf8',
  );
}

// ---- reading ---------------------------------------------------------------

function missing(what: string): never {
  throw new GatewayError('LT_XROAD_HEADER_MISSING', `the X-Road header ${what} is missing`, {
    header: what,
  });
}

function bad(detail: string, header: string): never {
  throw new GatewayError('LT_XROAD_HEADER_INVALID', detail, { header });
}

const OBJECT_TYPE = `{${XROAD_ID_NS}}objectType`;

function idText(
  el: XmlElement,
  name: string,
  required: boolean,
  header: string,
): string | undefined {
  let found: XmlElement | undefined;
  for (const k of el.children) {
    if (k.ns !== XROAD_ID_NS) bad(`unexpected {${k.ns}}${k.name} in xrd:${header}`, header);
    if (k.name === name) {
      if (found) bad(`id:${name} repeated in xrd:${header}`, header);
      found = k;
    }
  }
  if (!found) {
    if (required) bad(`xrd:${header} has no id:${name}`, header);
    return undefined;
  }
  const v = found.text.trim();
  if (!isIdPart(v)) bad(`id:${name} in xrd:${header} is not an X-Road identifier part`, header);
  return v;
}

function readClient(el: XmlElement): XRoadClientId {
  const type = el.attrs[OBJECT_TYPE];
  if (type !== 'MEMBER' && type !== 'SUBSYSTEM')
    bad('xrd:client must have id:objectType MEMBER or SUBSYSTEM', 'client');
  const known = new Set(['xRoadInstance', 'memberClass', 'memberCode', 'subsystemCode']);
  for (const k of el.children)
    if (!known.has(k.name)) bad(`unexpected id:${k.name} in xrd:client`, 'client');
  const instance = idText(el, 'xRoadInstance', true, 'client')!;
  const memberClass = idText(el, 'memberClass', true, 'client')!;
  const memberCode = idText(el, 'memberCode', true, 'client')!;
  const subsystemCode = idText(el, 'subsystemCode', type === 'SUBSYSTEM', 'client');
  if (type === 'MEMBER' && subsystemCode !== undefined)
    bad('a MEMBER client has no id:subsystemCode', 'client');
  return subsystemCode === undefined
    ? { instance, memberClass, memberCode }
    : { instance, memberClass, memberCode, subsystemCode };
}

function readService(el: XmlElement): XRoadServiceId {
  if (el.attrs[OBJECT_TYPE] !== 'SERVICE')
    bad('xrd:service must have id:objectType SERVICE', 'service');
  const known = new Set([
    'xRoadInstance',
    'memberClass',
    'memberCode',
    'subsystemCode',
    'serviceCode',
    'serviceVersion',
  ]);
  for (const k of el.children)
    if (!known.has(k.name)) bad(`unexpected id:${k.name} in xrd:service`, 'service');
  const serviceVersion = idText(el, 'serviceVersion', false, 'service');
  return {
    instance: idText(el, 'xRoadInstance', true, 'service')!,
    memberClass: idText(el, 'memberClass', true, 'service')!,
    memberCode: idText(el, 'memberCode', true, 'service')!,
    // X-Road 6 services belong to subsystems; a service without one names no service here.
    subsystemCode: idText(el, 'subsystemCode', true, 'service')!,
    serviceCode: idText(el, 'serviceCode', true, 'service')!,
    ...(serviceVersion === undefined ? {} : { serviceVersion }),
  };
}

function freeText(el: XmlElement, name: string): string {
  const v = el.text.trim();
  if (!FREE_TEXT.test(v)) bad(`xrd:${name} must be 1–255 printable characters`, name);
  return v;
}

/**
 * Reads and checks the X-Road blocks of a SOAP Header: `client`, `service`,
 * `id` and `protocolVersion` 4.0 are mandatory, each block at most once;
 * blocks of other namespaces (WS-Addressing, a provider's own) are left to
 * whoever knows them. LT_XROAD_HEADER_MISSING / LT_XROAD_HEADER_INVALID with
 * the header's name in `data.header`.
 */
export function readXRoadHeader(header: XmlElement | undefined): XRoadHeader {
  if (!header) missing('client');
  const seen = new Map<string, XmlElement>();
  for (const k of header.children) {
    if (k.ns !== XROAD_NS) continue;
    if (seen.has(k.name)) bad(`xrd:${k.name} appears more than once`, k.name);
    seen.set(k.name, k);
  }
  const clientEl = seen.get('client') ?? missing('client');
  const serviceEl = seen.get('service') ?? missing('service');
  const idEl = seen.get('id') ?? missing('id');
  const pvEl = seen.get('protocolVersion') ?? missing('protocolVersion');
  const protocolVersion = pvEl.text.trim();
  if (protocolVersion !== PROTOCOL_VERSION)
    bad(
      `xrd:protocolVersion is "${protocolVersion.slice(0, 20)}", expected ${PROTOCOL_VERSION}`,
      'protocolVersion',
    );
  const userEl = seen.get('userId');
  const issueEl = seen.get('issue');
  const hashEl = seen.get('requestHash');
  return {
    client: readClient(clientEl),
    service: readService(serviceEl),
    id: freeText(idEl, 'id'),
    protocolVersion,
    ...(userEl ? { userId: freeText(userEl, 'userId') } : {}),
    ...(issueEl ? { issue: freeText(issueEl, 'issue') } : {}),
    ...(hashEl
      ? {
          requestHash: {
            algorithmId: hashEl.attrs.algorithmId ?? DEFAULT_HASH_ALGORITHM,
            value: hashEl.text.trim(),
          },
        }
      : {}),
  };
}
