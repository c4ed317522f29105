import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
  inbound: { kind: 'http', group: (b) => b.path, create: bindSoap },
  bindingKey: (b) => `SOAP ${b.path} ${b.operation}`,
  checkBinding: (b, ctx) =>
    b.wsdl && !existsSync(join(ctx.contractsDir, b.wsdl))
      ? [`WSDL ${b.wsdl} not found under ${ctx.contractsDir}`]
      : [],
  outbound: soapOutbound,
});
