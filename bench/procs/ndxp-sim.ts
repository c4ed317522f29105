// The X-Road security-server simulator in its own process, routing to the NPD simulator
// (TARGET_URL): the gateway's NDXP path and its bare baseline go through this same one.
import { startNdxpSimulator } from '../../adapters/ndxp/index.js';
import { NPD_OPERATIONS } from '../../adapters/npd/index.js';

const sim = await startNdxpSimulator({
  port: 0,
  options: {
    clients: ['VN/GOV/000.00.00.H57/LIENTHONG'],
    services: [
      {
        provider: 'VN/GOV/000.00.00.G10/NPD',
        url: process.env.TARGET_URL!,
        path: '/npd',
        copyHeaders: true,
        codes: [...NPD_OPERATIONS],
        allowed: ['VN/GOV/000.00.00.H57/LIENTHONG'],
      },
    ],
  },
});
process.stdout.write(`READY ${sim.url}\n`);
process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
