// The NPD simulator in its own process, shared by the gateway and the baselines.
import { startNpdSimulator } from '../../adapters/npd/index.js';

const sim = await startNpdSimulator({ port: 0, options: { seed: 2025, size: 1000 } });
process.stdout.write(`READY ${sim.url}\n`);
process.on('SIGTERM', () => void sim.close().then(() => process.exit(0)));
