import { defineAdapter } from '../../src/adapter/spec.js';
import { bindNdxp, NdxpInboundSchema } from './inbound.js';
import { NdxpEndpointSchema, ndxpOutbound } from './outbound.js';
import { NdxpSimulatorSchema, startNdxpSimulator } from './simulator.js';

export { NdxpEndpointSchema, ndxpOutbound, type NdxpEndpoint } from './outbound.js';
export {
  NdxpSimulatorSchema,
  startNdxpSimulator,
  type NdxpSimulator,
  type NdxpSimulatorOptions,
} from './simulator.js';

/**
 * NDXP, the national data-sharing platform, which speaks X-Road (DOMAIN.md
 * §1): call any NDXP service through the organisation's security server
 * (SOAP or REST profile), and a security-server simulator that routes
 * between members on this machine. See docs/adapters/ndxp.md.
 */
export default defineAdapter({
  name: 'ndxp',
  description:
    'NDXP over the X-Road message protocol (SOAP 4.0 and REST) through the organisation\u2019s security server; security-server simulator',
  endpointSchema: NdxpEndpointSchema,
  inboundSchema: NdxpInboundSchema,
  inbound: {
    kind: 'http',
    assertsCaller: true,
    // SOAP services share their path (one table per path); a REST service is a route of its own.
    group: (b) =>
      b.profile === 'rest' ? `rest ${b.method} ${b.path} ${b.service}` : `soap ${b.path}`,
    create: bindNdxp,
  },
  bindingKey: (b) =>
    b.profile === 'rest' ? `${b.method} ${b.path}` : `NDXP SOAP ${b.path} ${b.service}`,
  simulatorSchema: NdxpSimulatorSchema,
  checkSimulator: (options, { startedBefore }) =>
    options.services.flatMap((s, i) =>
      !s.url && !s.simulator
        ? [{ path: ['services', i], message: 'needs url or simulator' }]
        : s.simulator && !startedBefore.includes(s.simulator)
          ? [
              {
                path: ['services', i, 'simulator'],
                message: `no simulator named "${s.simulator}" starts before this one (${startedBefore.join(', ') || 'none'})`,
              },
            ]
          : [],
    ),
  outbound: ndxpOutbound,
  simulator: (options, ctx) =>
    startNdxpSimulator({ ...ctx.listen, options, log: ctx.log, simulatorUrl: ctx.simulatorUrl }),
});
