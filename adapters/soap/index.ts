import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineAdapter } from '../../src/adapter/spec.js';
import { didYouMean } from '../../src/config/nearest.js';
import { bindSoap, SoapInboundSchema } from './inbound.js';
import { wsdlOperations } from '../../src/xml/wsdl.js';
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
  checkBinding: (b, ctx) => {
    if (!b.wsdl) return [];
    const file = join(ctx.contractsDir, b.wsdl);
    if (!existsSync(file)) return [`WSDL ${b.wsdl} not found under ${ctx.contractsDir}`];
    const ops = wsdlOperations(file);
    return ops.includes(b.operation)
      ? []
      : [`operation "${b.operation}" is not in ${b.wsdl}${didYouMean(b.operation, ops)}`];
  },
  outbound: soapOutbound,
});
