import { defineAdapter } from '../../src/adapter/spec.js';
import { bindSoap, SoapInboundSchema } from './inbound.js';
import { SoapEndpointSchema, soapOutbound } from './outbound.js';

/** Generic SOAP 1.1 document/literal: serve a service (WSDL at ?wsdl, faults with codes) and call one. */
export default defineAdapter({
  name: 'soap',
  description:
    'SOAP 1.1 document/literal in and out; hardened XML parsing; faults carry the error code',
  inboundSchema: SoapInboundSchema,
  endpointSchema: SoapEndpointSchema,
  inbound: bindSoap,
  bindingKey: (b) => `SOAP ${b.path} ${b.operation}`,
  outbound: soapOutbound,
});
