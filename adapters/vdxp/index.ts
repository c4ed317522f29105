import { defineAdapter } from '../../src/adapter/spec.js';
import { bindFacade, facadeProblems, VdxpFacadeSchema } from './facade.js';
import { bindVdxpHttp, VdxpHttpSchema } from './http-inbound.js';
import { signatureOptionProblems } from './reading.js';
import { VDXP_OPERATIONS, VdxpEndpointSchema, vdxpOutbound } from './outbound.js';
import { bindPoller, VdxpPollSchema } from './poller.js';
import { startVdxpSimulator, VdxpSimulatorSchema } from './simulator.js';

export { startVdxpSimulator, type VdxpSimulator } from './simulator.js';

/**
 * The national document interchange axis (VDXP): an agency's mailbox as an
 * endpoint (the SDK's protocol, or the WSO2-fronted LGSP), the mailbox poller
 * as a background inbound, and the axis simulator. See docs/adapters/vdxp.md.
 */
export default defineAdapter({
  name: 'vdxp',
  description:
    'Document interchange axis (VDXP): SDK-signed axis client, mailbox poller, JSON document routes, axis simulator',
  endpointSchema: VdxpEndpointSchema,
  inboundSchema: VdxpPollSchema,
  simulatorSchema: VdxpSimulatorSchema,
  inbound: { kind: 'background', create: bindPoller },
  bindingKey: (b) => `vdxp poll ${b.endpoint} ${b.messageType}`,
  checkBinding: (b, ctx) => [
    ...signatureOptionProblems(b),
    ...(ctx.endpoints && ctx.endpoints[b.endpoint] !== 'vdxp'
      ? [`endpoint "${b.endpoint}" is not a vdxp endpoint (the mailbox the poller reads)`]
      : []),
  ],
  outbound: (config, ctx) => vdxpOutbound(config, ctx),
  operations: () => VDXP_OPERATIONS,
  simulator: (options, ctx) => startVdxpSimulator({ ...ctx.listen, options, log: ctx.log }),
});

/** The JSON read routes (path parameters as the body): a second inbound kind, so its own adapter name. */
export const vdxpHttp = defineAdapter({
  name: 'vdxp-http',
  description: 'GET routes of the document axis whose argument is in the path (document status)',
  inboundSchema: VdxpHttpSchema,
  inbound: { kind: 'http', create: bindVdxpHttp },
  bindingKey: (b) => `GET ${b.path}`,
});

/** The axis facade: local systems using the vendor SDK point it at the gateway unchanged. */
export const vdxpFacade = defineAdapter({
  name: 'vdxp-facade',
  description:
    'The document axis for local systems that use the vendor SDK: signed headers verified, pipeline run, relayed to the national axis',
  inboundSchema: VdxpFacadeSchema,
  inbound: { kind: 'http', create: bindFacade },
  bindingKey: (b) => `POST ${b.path}/*`,
  checkBinding: (b) => facadeProblems(b),
});
