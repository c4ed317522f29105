/**
 * Hardened XML for the gateway: parsing (size, depth, DTD and well-formedness
 * checks, namespace-aware tree), SOAP 1.1 envelopes and faults, escaped
 * writing of known shapes, and XSD validation compiled once.
 */
export {
  elementSource,
  parseXml,
  lineColumn,
  type ElementSource,
  type ParseOptions,
  type XmlLimits,
} from './parse.js';
export {
  child,
  children,
  childText,
  clark,
  isXmlElement,
  toPlain,
  XML_NS,
  XMLNS_NS,
  XSI_NS,
  type PlainXml,
  type XmlElement,
} from './tree.js';
export {
  LT_ERROR_NS,
  forwardedSoapReply,
  gatewayEnvelope,
  KEEP_OPERATION_SOURCE,
  parseSoapEnvelope,
  readGatewayFault,
  readSoapEnvelope,
  SOAP11_NS,
  SOAP12_NS,
  soapEnvelope,
  soapFault,
  soapFaultFor,
  type GatewayFaultDetail,
  type SoapEnvelope,
  type SoapFault,
  type SoapFaultInit,
} from './soap.js';
export {
  compileShape,
  escapeAttr,
  escapeXml,
  escapeXmlLossy,
  leaf,
  type CompileOptions,
  type GroupShape,
  type LeafShape,
  type RepeatShape,
  type Shape,
  type When,
} from './write.js';
export { serializeElement } from './serialize.js';
export { compileXsd, type CompiledXsd, type XsdIssue, type XsdSource } from './xsd.js';
