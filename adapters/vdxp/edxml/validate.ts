import { fileURLToPath } from 'node:url';
import { GatewayError } from '../../../src/message/errors.js';
import { compileXsd, type CompiledXsd, type XsdIssue } from '../../../src/xml/index.js';
import { edxmlLimits, type EdxmlLimits } from './limits.js';
import {
  BUSSINESS_DOC_TYPES,
  statusMeaning,
  type BussinessDocType,
  type Organization,
} from './model.js';
import { parseEdxml, type ParsedEdxml } from './parse.js';

/**
 * Validation of an edXML message beyond its structure: our XSD
 * (contracts/edxml/edxml.xsd: element names, base64), then the rules of
 * DOMAIN.md §3–§4 the schema cannot say. Field habits are warnings, not
 * refusals: 3-part and system organisation ids, impossible dates inside ids,
 * a manifest type that disagrees with the bytes, unknown extra elements.
 */

export interface EdxmlIssue {
  level: 'error' | 'warning';
  /** schema, organ-id, missing-sender, missing-receiver, missing-reference, status-code, … */
  code: string;
  path: string;
  message: string;
}

const XSD_PATH = fileURLToPath(new URL('../../../contracts/edxml/edxml.xsd', import.meta.url));
let xsd: CompiledXsd | undefined;

/** `^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$` (DOMAIN.md §4). */
export const NATIONAL_ORGAN_ID = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;
/** Seen in the field: 3-part (28.22.H17, 01.02.G22) and system ids (vxp.saas.03). */
const THREE_PART = /^\d{2,3}\.\d{2}\.[A-Z]\d{2}$/;
const SYSTEM_ID = /^[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)+$/;

export type OrganIdForm = 'national' | 'three-part' | 'system' | 'invalid';

export function organIdForm(id: string): OrganIdForm {
  if (NATIONAL_ORGAN_ID.test(id)) return 'national';
  if (THREE_PART.test(id)) return 'three-part';
  if (SYSTEM_ID.test(id)) return 'system';
  return 'invalid';
}

/** `cid:abc`, `<abc>` and `abc` name the same content. */
export function normaliseContentId(id: string): string {
  return id
    .trim()
    .replace(/^cid:/i, '')
    .replace(/^<(.*)>$/, '$1');
}

const ZIP = Buffer.from('PK\x03\x04', 'latin1');

class Issues {
  readonly list: EdxmlIssue[] = [];
  error(code: string, path: string, message: string) {
    this.list.push({ level: 'error', code, path, message });
  }
  warn(code: string, path: string, message: string) {
    this.list.push({ level: 'warning', code, path, message });
  }
  organId(id: string | undefined, path: string, required: boolean): void {
    if (id === undefined || id === '') {
      if (required) this.error('organ-id', path, 'an organisation id is required here');
      return;
    }
    const form = organIdForm(id);
    if (form === 'invalid')
      this.error('organ-id', path, `"${id}" is not an organisation id (000.00.00.G22)`);
    else if (form !== 'national')
      this.warn('organ-id-form', path, `"${id}" is a ${form} id, not the national 4-part form`);
  }
}

function checkOrgs(orgs: readonly Organization[] | undefined, path: string, is: Issues) {
  orgs?.forEach((o, i) => is.organId(o.OrganId, `${path}[${i + 1}]/OrganId`, true));
}

/** The rules beyond the schema, on a parsed message. */
export function checkEdxml(parsed: ParsedEdxml): EdxmlIssue[] {
  const is = new Issues();
  for (const w of parsed.warnings) {
    if (w.code === 'duplicate-element') is.error(w.code, w.path, w.message);
    else is.warn(w.code, w.path, w.message);
  }
  const { header, status, traceHeaderList } = parsed.message;
  const H = '/edXML/edXMLEnvelope/edXMLHeader';
  if (header) {
    const p = `${H}/MessageHeader`;
    if (!header.From) is.error('missing-sender', `${p}/From`, 'a document needs its sender');
    else is.organId(header.From.OrganId, `${p}/From/OrganId`, true);
    if (!header.To?.length) is.error('missing-receiver', `${p}/To`, 'a document needs a receiver');
    checkOrgs(header.To, `${p}/To`, is);
    header.ResponseFor?.forEach((r, i) => {
      const here = `${p}/ResponseFor[${i + 1}]`;
      if (!r.OrganId && !r.Code && !r.DocumentId && !r.PromulgationDate)
        is.warn('empty-response-for', here, 'an empty ResponseFor answers nothing');
      is.organId(r.OrganId, `${here}/OrganId`, false);
    });
  }
  if (status) {
    const p = `${H}/MessageStatus`;
    const code = status.StatusCode ?? '';
    if (!statusMeaning(code))
      is.error(
        'status-code',
        `${p}/StatusCode`,
        `"${code}" is not a status code (01–06, 13, 15, 16)`,
      );
    if (!status.ResponseFor?.DocumentId && !status.ResponseFor?.Code)
      is.error('missing-reference', `${p}/ResponseFor`, 'a status message must name its document');
    is.organId(status.ResponseFor?.OrganId, `${p}/ResponseFor/OrganId`, false);
    is.organId(status.From?.OrganId, `${p}/From/OrganId`, true);
  }
  if (traceHeaderList) {
    const p = `${H}/TraceHeaderList`;
    traceHeaderList.TraceHeader?.forEach((t, i) =>
      is.organId(t.OrganId, `${p}/TraceHeader[${i + 1}]/OrganId`, false),
    );
    const b = traceHeaderList.Bussiness;
    const type = b?.BussinessDocType;
    if (b && type !== undefined) {
      const bp = `${p}/Bussiness`;
      if (!Object.prototype.hasOwnProperty.call(BUSSINESS_DOC_TYPES, type)) {
        is.error('bussiness-doc-type', `${bp}/BussinessDocType`, `"${type}" is not 0–3`);
      } else if (type !== '0') {
        const referenced = !!b.DocumentId || !!b.ReplacementInfoList?.some((r) => r.DocumentId);
        if (!referenced)
          is.error(
            'missing-reference',
            `${bp}/DocumentId`,
            `a ${BUSSINESS_DOC_TYPES[type as BussinessDocType].en} must name the document it concerns`,
          );
      }
      b.BussinessDocumentInfo?.ReceiverList?.forEach((r, i) =>
        is.organId(
          r.OrganId,
          `${bp}/BussinessDocumentInfo/ReceiverList/Receiver[${i + 1}]/OrganId`,
          false,
        ),
      );
      b.ReplacementInfoList?.forEach((r, i) =>
        r.OrganIdList?.forEach((id, j) =>
          is.organId(
            id,
            `${bp}/ReplacementInfoList/ReplacementInfo[${i + 1}]/OrganIdList/OrganId[${j + 1}]`,
            false,
          ),
        ),
      );
    }
  }
  checkContentIds(parsed, is);
  return is.list;
}

/** The manifest and the attachments name the same contents, each once. */
function checkContentIds(parsed: ParsedEdxml, is: Issues): void {
  const refs = parsed.message.manifest?.Reference ?? [];
  const M = '/edXML/edXMLEnvelope/edXMLBody/edXMLManifest/Reference';
  const A = '/edXML/AttachmentEncoded/Attachment';
  const inManifest = new Map<string, { type?: string; i: number }>();
  refs.forEach((r, i) => {
    const id = normaliseContentId(r.ContentId ?? '');
    if (!id)
      is.error('content-id', `${M}[${i + 1}]/ContentId`, 'a manifest entry needs a ContentId');
    else if (inManifest.has(id))
      is.error('content-id', `${M}[${i + 1}]/ContentId`, `"${r.ContentId}" is listed twice`);
    else inManifest.set(id, { type: r.ContentType, i });
  });
  const seen = new Set<string>();
  parsed.attachments.forEach((a, i) => {
    const here = `${A}[${i + 1}]`;
    const id = normaliseContentId(a.info.ContentId ?? '');
    if (!id) return is.error('content-id', `${here}/ContentId`, 'an attachment needs a ContentId');
    if (seen.has(id)) return is.error('content-id', `${here}/ContentId`, `"${id}" is used twice`);
    seen.add(id);
    const m = inManifest.get(id);
    if (!m)
      return is.error(
        'content-id',
        `${here}/ContentId`,
        `"${a.info.ContentId}" is not in the manifest`,
      );
    if (m.type && a.info.ContentType && m.type !== a.info.ContentType)
      is.warn(
        'content-type',
        `${here}/ContentType`,
        `the manifest says ${m.type}, the attachment ${a.info.ContentType}`,
      );
    const declared = a.info.ContentType ?? m.type ?? '';
    if (a.head().subarray(0, 4).equals(ZIP) && !/zip/i.test(declared))
      is.warn(
        'content-type',
        `${here}/ContentTransferEncoded`,
        `the content is a zip archive, declared ${declared || 'without a type'}`,
      );
  });
  for (const [id, m] of inManifest)
    if (!seen.has(id))
      is.error(
        'content-id',
        `${M}[${m.i + 1}]/ContentId`,
        `no attachment has the content id "${id}"`,
      );
}

function schemaIssues(input: Buffer): EdxmlIssue[] {
  xsd ??= compileXsd(XSD_PATH);
  try {
    xsd.validate(input, 'LT_EDXML_INVALID');
    return [];
  } catch (err) {
    if (!(err instanceof GatewayError) || err.code !== 'LT_EDXML_INVALID') throw err;
    const issues = (err.data?.issues as XsdIssue[] | undefined) ?? [];
    return issues.length
      ? issues.map((i) => ({
          level: 'error',
          code: 'schema',
          path: i.path ?? `line ${i.line}`,
          message: `line ${i.line}: ${i.message}`,
        }))
      : [{ level: 'error', code: 'schema', path: '/', message: err.detail ?? 'schema' }];
  }
}

export interface EdxmlValidation {
  valid: boolean;
  issues: EdxmlIssue[];
  parsed: ParsedEdxml;
}

/**
 * Parses (refusing what is not XML or not edXML with its code) and validates:
 * valid when no issue is an error.
 */
export function validateEdxml(input: Buffer, limits: Partial<EdxmlLimits> = {}): EdxmlValidation {
  const parsed = parseEdxml(input, edxmlLimits(limits));
  const issues = [...schemaIssues(input), ...checkEdxml(parsed)];
  return { valid: !issues.some((i) => i.level === 'error'), issues, parsed };
}

/** validateEdxml for consumers: the parsed message, or LT_EDXML_INVALID with the errors. */
export function readValidEdxml(input: Buffer, limits: Partial<EdxmlLimits> = {}): ParsedEdxml {
  const v = validateEdxml(input, limits);
  const errors = v.issues.filter((i) => i.level === 'error');
  if (errors.length)
    throw new GatewayError(
      'LT_EDXML_INVALID',
      errors
        .slice(0, 5)
        .map((e) => `${e.path}: ${e.message}`)
        .join('; '),
      {
        issues: errors.slice(0, 20),
        issueCount: errors.length,
      },
    );
  return v.parsed;
}
