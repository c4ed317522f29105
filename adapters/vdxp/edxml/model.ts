import {
  Type,
  type ObjectOptions,
  type Static,
  type TProperties,
  type TSchema,
} from '@sinclair/typebox';

/**
 * The edXML object model (QCVN 102:2016/BTTTT, DOMAIN.md §3), as TypeBox
 * schemas: one definition is the TypeScript type, the JSON boundary of
 * `lienthong edxml pack --header` / `unpack`, and — read by fields.ts — the
 * element order the codec writes and the element names it reads.
 *
 * Conventions of the mapping, so a reader of the JSON knows what the XML was:
 * - every value is the string the document carried (codes such as `01`,
 *   dates `yyyy/MM/dd`, numbers of pages): nothing is trimmed or converted;
 * - a property is absent when its element was absent, and `''` when the
 *   element was empty (`<Subject/>`);
 * - an array property without `xmlItem` is a repeated element (`To`,
 *   `ResponseFor`, `TraceHeader`); with `xmlItem` it is a wrapper holding
 *   repeated items (`ToPlaces` holds `Place`s, `Appendixes` holds `Appendix`es);
 * - element names keep the standard's spelling, `Bussiness*` included: those
 *   are the real names on the wire.
 */

/** The edXML namespace; element names are matched on it and the local name, never on a prefix. */
export const EDXML_NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';
/** XML-DSig. */
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** Objects refuse unknown keys: a misspelt field in a JSON header is an error, not silence. */
const obj = <P extends TProperties>(props: P, opts: ObjectOptions) =>
  Type.Object(props, { additionalProperties: false, ...opts });
const text = (description: string) => Type.Optional(Type.String({ description }));
const list = <T extends TSchema>(item: T, description: string, xmlItem?: string) =>
  Type.Optional(Type.Array(item, { description, ...(xmlItem && { xmlItem }) }));

export const Organization = obj(
  {
    OrganId: text('Organisation id (mã định danh), national form 000.00.00.G22'),
    OrganizationInCharge: text('Governing body'),
    OrganName: text('Name'),
    OrganAdd: text('Address'),
    Email: text('E-mail'),
    Telephone: text('Telephone'),
    Fax: text('Fax'),
    Website: text('Website'),
  },
  { description: 'An agency: sender (From) or receiver (To)' },
);
export type Organization = Static<typeof Organization>;

export const Code = obj(
  {
    CodeNumber: text('Số văn bản, e.g. 123'),
    CodeNotation: text('Ký hiệu, e.g. UBND-VP'),
  },
  { description: 'Document number and notation (số, ký hiệu)' },
);
export type Code = Static<typeof Code>;

export const PromulgationInfo = obj(
  {
    Place: text('Place of promulgation'),
    PromulgationDate: text('Date of promulgation, yyyy/MM/dd'),
  },
  { description: 'Where and when the document was issued' },
);

export const DocumentType = obj(
  {
    Type: text('Numeric document type (its code list is not published: kept as sent)'),
    TypeName: text('Document type name, e.g. Công văn'),
  },
  { description: 'Kind of document' },
);

export const SignerInfo = obj(
  {
    Competence: text('Authority (thẩm quyền), e.g. TM. UBND'),
    Position: text('Position of the signer'),
    FullName: text('Full name of the signer'),
  },
  { description: 'Who signed the paper document' },
);

export const OtherInfo = obj(
  {
    Priority: text('Urgency (độ khẩn); numeric values unverified, kept as sent'),
    SphereOfPromulgation: text('Sphere of promulgation'),
    TyperNotation: text('Typist notation'),
    PromulgationAmount: text('Number of copies'),
    PageAmount: text('Number of pages'),
    Appendixes: list(Type.String(), 'Appendix titles', 'Appendix'),
  },
  { description: 'Further information' },
);

export const ResponseFor = obj(
  {
    OrganId: text('Organisation that issued the document answered'),
    Code: text('Its number and notation'),
    PromulgationDate: text('Its promulgation date, yyyy/MM/dd'),
    DocumentId: text('Its id, "OrganId,yyyy/MM/dd,CodeNumber/CodeNotation" or a UUID'),
  },
  { description: 'The document this one answers (may be empty in the field: <ResponseFor/>)' },
);
export type ResponseFor = Static<typeof ResponseFor>;

export const MessageHeader = obj(
  {
    From: Type.Optional(Organization),
    To: list(Organization, 'Receivers'),
    Code: Type.Optional(Code),
    PromulgationInfo: Type.Optional(PromulgationInfo),
    DocumentType: Type.Optional(DocumentType),
    Subject: text('Trích yếu (subject)'),
    Content: text('Content summary'),
    SignerInfo: Type.Optional(SignerInfo),
    DueDate: text('Deadline for the answer, yyyy/MM/dd'),
    ToPlaces: list(Type.String(), 'Nơi nhận (places the document is sent to)', 'Place'),
    OtherInfo: Type.Optional(OtherInfo),
    ResponseFor: list(ResponseFor, 'Documents this one answers'),
    SteeringType: text('Steering type; numeric values unverified, kept as sent'),
    DocumentId: text('Id of this document'),
  },
  { description: 'Header of a document (edXMLHeader/MessageHeader)' },
);
export type MessageHeader = Static<typeof MessageHeader>;

export const TraceHeader = obj(
  {
    OrganId: text('Organisation the document passed through (may be absent in the field)'),
    Timestamp: text('When, yyyy/MM/dd HH:mm:ss'),
  },
  { description: 'One hop; the axis appends one as a document passes' },
);

export const Receiver = obj(
  {
    OrganId: text('Receiving organisation'),
    ReceiverType: text('Receiver type'),
  },
  { description: 'A receiver of a recall/update/replace' },
);

export const StaffInfo = obj(
  {
    Department: text('Department'),
    Staff: text('Staff member'),
    Mobile: text('Mobile phone'),
    Email: text('E-mail'),
  },
  { description: 'The clerk who handled it' },
);

export const ReplacementInfo = obj(
  {
    DocumentId: text('Document replaced'),
    OrganIdList: list(Type.String(), 'Organisations concerned', 'OrganId'),
  },
  { description: 'A document a replacement replaces' },
);

/** BussinessDocType values (public samples; Bkav enum NEW, REVOKE, UPDATE, REPLACE). */
export const BUSSINESS_DOC_TYPES = {
  '0': { en: 'new document', vi: 'văn bản mới' },
  '1': { en: 'recall', vi: 'thu hồi' },
  '2': { en: 'update', vi: 'cập nhật' },
  '3': { en: 'replace', vi: 'thay thế' },
} as const;
export type BussinessDocType = keyof typeof BUSSINESS_DOC_TYPES;

export const Bussiness = obj(
  {
    BussinessDocType: text('0 new, 1 recall (thu hồi), 2 update (cập nhật), 3 replace (thay thế)'),
    BussinessDocReason: text('Reason of the recall, update or replacement'),
    BussinessDocumentInfo: Type.Optional(
      obj(
        {
          DocumentInfo: text('Document information changed'),
          DocumentReceiver: text('Receivers changed'),
          ReceiverList: list(Receiver, 'Receivers concerned', 'Receiver'),
        },
        { description: 'What an update changes' },
      ),
    ),
    DocumentId: text('The document recalled, updated or replaced'),
    StaffInfo: Type.Optional(StaffInfo),
    Paper: text('Whether a paper copy follows'),
    ReplacementInfoList: list(ReplacementInfo, 'Documents replaced', 'ReplacementInfo'),
  },
  { description: 'Business information (the misspelling is the real element name)' },
);
export type Bussiness = Static<typeof Bussiness>;

export const TraceHeaderList = obj(
  {
    TraceHeader: list(TraceHeader, 'Hops, in order'),
    Bussiness: Type.Optional(Bussiness),
  },
  { description: 'Trace of the document and its business kind' },
);
export type TraceHeaderList = Static<typeof TraceHeaderList>;

export const MessageStatus = obj(
  {
    ResponseFor: Type.Optional(ResponseFor),
    From: Type.Optional(Organization),
    StatusCode: text('Two-character status code, see STATUS_CODES'),
    Description: text('Reason or note'),
    Timestamp: text('When, yyyy/MM/dd HH:mm:ss'),
    StaffInfo: Type.Optional(StaffInfo),
  },
  { description: 'A status message about a document (edXMLHeader/MessageStatus)' },
);
export type MessageStatus = Static<typeof MessageStatus>;

/** StatusCode values (DOMAIN.md §3; no codes 07–12 or 14 were found in the field). */
export const STATUS_CODES = {
  '01': { vi: 'Đã đến', en: 'arrived: received by the software, not yet handled by a clerk' },
  '02': { vi: 'Từ chối tiếp nhận', en: 'rejected, with a reason' },
  '03': { vi: 'Đã tiếp nhận', en: 'accepted' },
  '04': { vi: 'Phân công', en: 'assigned' },
  '05': { vi: 'Đang xử lý', en: 'being processed' },
  '06': { vi: 'Hoàn thành', en: 'finished' },
  '13': { vi: 'Lấy lại / thu hồi', en: 'recall requested' },
  '15': { vi: 'Đồng ý cập nhật/lấy lại', en: 'update/recall agreed' },
  '16': { vi: 'Từ chối cập nhật/lấy lại', en: 'update/recall refused' },
} as const;
export type StatusCode = keyof typeof STATUS_CODES;

/** The meaning of a status code, or undefined when the code is not one of them. */
export function statusMeaning(code: string): { vi: string; en: string } | undefined {
  return Object.prototype.hasOwnProperty.call(STATUS_CODES, code)
    ? STATUS_CODES[code as StatusCode]
    : undefined;
}

export const ManifestReference = obj(
  {
    ContentId: text('Content id, usually "cid:…"; matches an Attachment'),
    ContentType: text('MIME type as the manifest says (the bytes may be a zip anyway)'),
    AttachmentName: text('File name, spaces and Vietnamese letters allowed'),
    Description: text('Description'),
  },
  { description: 'One manifest entry (edXMLBody/edXMLManifest/Reference)' },
);
export type ManifestReference = Static<typeof ManifestReference>;

export const Manifest = obj(
  {
    version: Type.Optional(
      Type.String({ description: 'The version attribute ("1.0")', xmlAttribute: true }),
    ),
    Reference: list(ManifestReference, 'Entries'),
  },
  { description: 'The manifest' },
);
export type Manifest = Static<typeof Manifest>;

export const AttachmentInfo = obj(
  {
    ContentId: text('Content id, as the manifest names it'),
    AttachmentName: text('File name'),
    ContentType: text('MIME type as the attachment says'),
  },
  { description: 'An attachment, without its content (AttachmentEncoded/Attachment)' },
);
export type AttachmentInfo = Static<typeof AttachmentInfo>;

/**
 * A whole edXML message without attachment content: a document (header) or a
 * status message (status). This is the JSON `unpack` writes and `pack` reads.
 */
export const EdxmlMessage = obj(
  {
    header: Type.Optional(MessageHeader),
    status: Type.Optional(MessageStatus),
    traceHeaderList: Type.Optional(TraceHeaderList),
    manifest: Type.Optional(Manifest),
    attachments: Type.Optional(Type.Array(AttachmentInfo)),
  },
  { description: 'A document (header) or a status message (status)' },
);
export type EdxmlMessage = Static<typeof EdxmlMessage>;
