import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../src/message/errors.js';
import {
  buildEdxml,
  checkMessage,
  statusMeaning,
  type AttachmentInfo,
  type EdxmlMessage,
  type EdxmlWarning,
  type MessageHeader,
  type MessageStatus,
  type ParsedEdxml,
  type Signer,
} from './edxml/index.js';
import { axisTime } from './sim-mailboxes.js';

/**
 * The JSON side of the axis for systems that do not speak edXML: a JSON
 * document (the edXML header model, contracts/vdxp) plus base64 attachments
 * becomes an edXML file; a received edXML file becomes the JSON delivered to
 * a local system (the same model, attachments as base64 or links).
 */

export interface JsonAttachment {
  name: string;
  contentType?: string;
  description?: string;
  /** base64 */
  content: string;
}

export interface JsonDocument {
  header: MessageHeader;
  attachments?: JsonAttachment[];
}

export interface JsonStatus {
  /** The document answered, as its DocumentId. */
  documentId: string;
  statusCode: string;
  description?: string;
  staff?: { Department?: string; Staff?: string; Mobile?: string; Email?: string };
}

export interface Self {
  organId: string;
  organName: string;
}

function invalid(why: string): never {
  throw new GatewayError('LT_EDXML_INVALID', why);
}

function today(now: Date): string {
  return axisTime(now).slice(0, 10);
}

/**
 * The edXML file of a JSON document. The sender is always this endpoint's
 * agency (a caller cannot send as another); the DocumentId is made here
 * unless given, and the trace starts with this agency.
 */
export function edxmlOfDocument(
  doc: JsonDocument,
  self: Self,
  now = new Date(),
): { file: Buffer; documentId: string; message: EdxmlMessage } {
  const atts = (doc.attachments ?? []).map((a, i) => {
    const content = Buffer.from(a.content, 'base64');
    if (content.toString('base64').replace(/=+$/, '') !== a.content.replace(/\s+|=+$/g, ''))
      invalid(`/attachments/${i}/content is not base64`);
    const info: AttachmentInfo = {
      ContentId: `cid:${i + 1}`,
      AttachmentName: a.name,
      ContentType: a.contentType ?? 'application/octet-stream',
    };
    return { info, content, description: a.description };
  });
  const documentId = doc.header.DocumentId || randomUUID();
  const message: EdxmlMessage = {
    header: {
      ...doc.header,
      From: { OrganId: self.organId, OrganName: self.organName },
      PromulgationInfo: doc.header.PromulgationInfo ?? { PromulgationDate: today(now) },
      DocumentId: documentId,
    },
    traceHeaderList: {
      TraceHeader: [{ OrganId: self.organId, Timestamp: axisTime(now) }],
      Bussiness: { BussinessDocType: '0' },
    },
    ...(atts.length && {
      manifest: {
        version: '1.0',
        Reference: atts.map(({ info, description }) => ({
          ContentId: info.ContentId,
          ContentType: info.ContentType,
          AttachmentName: info.AttachmentName,
          ...(description !== undefined && { Description: description }),
        })),
      },
      attachments: atts.map((a) => a.info),
    }),
  };
  checkMessage(message);
  return { file: buildEdxml(message, atts), documentId, message };
}

/** What this agency knows of a document it received, to answer it with a status. */
export interface ReceivedRecord {
  docId: string;
  from: string;
  fromName: string;
  code: string;
  promulgationDate: string;
  documentId: string;
}

/** The edXML status message answering a received document. */
export function edxmlOfStatus(
  status: JsonStatus,
  about: ReceivedRecord,
  self: Self,
  now = new Date(),
): Buffer {
  if (!statusMeaning(status.statusCode)) invalid(`/statusCode "${status.statusCode}" is unknown`);
  const message: EdxmlMessage = {
    status: {
      ResponseFor: {
        OrganId: about.from,
        Code: about.code,
        PromulgationDate: about.promulgationDate,
        DocumentId: about.documentId,
      },
      From: { OrganId: self.organId, OrganName: self.organName },
      StatusCode: status.statusCode,
      Description: status.description ?? statusMeaning(status.statusCode)!.vi,
      Timestamp: axisTime(now),
      ...(status.staff && { StaffInfo: status.staff }),
    },
    traceHeaderList: { TraceHeader: [{ OrganId: self.organId, Timestamp: axisTime(now) }] },
  };
  checkMessage(message);
  return buildEdxml(message);
}

export function receivedRecord(docId: string, parsed: ParsedEdxml): ReceivedRecord {
  const h = parsed.message.header!;
  const code = [h.Code?.CodeNumber, h.Code?.CodeNotation].filter(Boolean).join('/');
  return {
    docId,
    from: h.From?.OrganId ?? '',
    fromName: h.From?.OrganName ?? '',
    code,
    promulgationDate: h.PromulgationInfo?.PromulgationDate ?? '',
    documentId: h.DocumentId ?? docId,
  };
}

/** The JSON a local system receives for one axis message. */
export interface Delivery {
  kind: 'document' | 'status';
  /** The axis's id of this copy. */
  docId: string;
  header?: MessageHeader;
  status?: MessageStatus;
  traceHeaderList?: EdxmlMessage['traceHeaderList'];
  attachments: {
    contentId: string;
    name: string;
    contentType: string;
    size: number;
    /** base64, when attachments travel inline */
    content?: string;
    /** where to GET the bytes, when they travel as links */
    href?: string;
  }[];
  warnings: EdxmlWarning[];
  signer?: string;
}

/**
 * The JSON delivered for one axis message; `linkOf(i)` given, attachments are
 * links (the bytes kept for GET), otherwise inline base64.
 */
export function deliveryOf(
  docId: string,
  parsed: ParsedEdxml,
  signer?: Signer,
  linkOf?: (index: number) => string,
): Delivery {
  const m = parsed.message;
  return {
    kind: parsed.kind,
    docId,
    ...(m.header && { header: m.header }),
    ...(m.status && { status: m.status }),
    ...(m.traceHeaderList && { traceHeaderList: m.traceHeaderList }),
    attachments: parsed.attachments.map((a, i) => ({
      contentId: a.info.ContentId ?? '',
      name: a.info.AttachmentName ?? '',
      contentType: a.info.ContentType ?? '',
      size: a.size,
      ...(linkOf ? { href: linkOf(i) } : { content: a.bytes().toString('base64') }),
    })),
    warnings: [...parsed.warnings],
    ...(signer && { signer: signer.subject }),
  };
}
