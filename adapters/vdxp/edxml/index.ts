/**
 * edXML (QCVN 102:2016), the document format of the national document
 * interchange axis (VDXP): object model, parse and build, attachments
 * streamed, validation, XML signatures. A library and a CLI (`lienthong
 * edxml …`) for now: the VDXP adapter (axis client, poller, facade) builds on it.
 */
export * from './model.js';
export { type EdxmlWarning } from './fields.js';
export { edxmlLimits, EdxmlLimitsSchema, type EdxmlLimits } from './limits.js';
export { parseEdxml, type ParsedEdxml } from './parse.js';
export { type EdxmlAttachment } from './attachments.js';
export {
  buildEdxml,
  checkMessage,
  writeEdxml,
  type AttachmentInput,
  type AttachmentSource,
} from './build.js';
export {
  checkEdxml,
  normaliseContentId,
  organIdForm,
  readValidEdxml,
  validateEdxml,
  NATIONAL_ORGAN_ID,
  type EdxmlIssue,
  type EdxmlValidation,
  type OrganIdForm,
} from './validate.js';
export {
  ALG,
  chainsTo,
  readSignedEdxml,
  signEdxml,
  verifyEdxml,
  type EdxmlVerification,
  type Signer,
  type SignOptions,
  type VerifyOptions,
} from './signature.js';
export { safeFileName } from './names.js';
