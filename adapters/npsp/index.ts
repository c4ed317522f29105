import { defineAdapter } from '../../src/adapter/spec.js';
import { PortalSimulatorSchema, startPortalSimulator } from './simulator.js';

/**
 * The National Public Service Portal (NPSP): a simulator only, the portal
 * that vouches for the citizen on citizen routes (R4). The gateway does not
 * call the portal; the portal calls the gateway.
 */
export default defineAdapter({
  name: 'npsp',
  description: 'National Public Service Portal: signs citizen assertions (simulator only)',
  simulatorSchema: PortalSimulatorSchema,
  simulator: (options, ctx) => startPortalSimulator({ ...ctx.listen, options }),
});
