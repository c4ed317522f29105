import { defineAdapter } from '../../src/adapter/spec.js';
import { NPD_OPERATIONS } from './constants.js';
import { NpdEndpointSchema, npdOutbound } from './outbound.js';
import { NpdSimulatorSchema, startNpdSimulator } from './simulator.js';

export { NpdEndpointSchema, npdOutbound, type NpdEndpoint } from './outbound.js';
export {
  NpdSimulatorSchema,
  startNpdSimulator,
  type NpdSimulator,
  type NpdSimulatorOptions,
} from './simulator.js';
export { generatePopulation, type Population, type SimCitizen } from './population.js';
export * from './constants.js';
export type { Citizen, NpdRequest, NpdReply } from './canonical.js';

/**
 * The National Population Database (CSDLQG về dân cư, C06): outbound only
 * (callers reach it through the soap or http facades), plus a simulator with
 * a seeded fake population. See docs/adapters/npd.md.
 */
export default defineAdapter({
  name: 'npd',
  description:
    'National Population Database over SOAP 1.1: direct C06 headers or an LGSP (OAuth2 / lgspaccesstoken); canonical JSON or pass-through XML; simulator with a fake population',
  endpointSchema: NpdEndpointSchema,
  simulatorSchema: NpdSimulatorSchema,
  outbound: (config, ctx) => npdOutbound(config, ctx),
  operations: () => NPD_OPERATIONS,
  simulator: (options, ctx) => startNpdSimulator({ ...ctx.listen, options, log: ctx.log }),
});
