import { defineAdapter } from '../../src/adapter/spec.js';
import { bindHttp, HttpInboundSchema } from './inbound.js';
import { HttpEndpointSchema, httpOutbound } from './outbound.js';
import { startTestProvider, TestProviderSchema } from './simulator.js';

/** Generic JSON/REST in and out; its simulator is the connection-test provider. */
export default defineAdapter({
  name: 'http',
  description:
    'JSON over HTTP: inbound on the gateway port, outbound with an undici keep-alive pool',
  inboundSchema: HttpInboundSchema,
  endpointSchema: HttpEndpointSchema,
  simulatorSchema: TestProviderSchema,
  inbound: { kind: 'http', create: bindHttp },
  bindingKey: (b) => `${b.method} ${b.path}`,
  outbound: httpOutbound,
  simulator: (options, ctx) =>
    startTestProvider({ ...ctx.listen, options, gatewayJwks: ctx.gatewayJwks }),
});
