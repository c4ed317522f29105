// The connection test's provider in its own process, shared by the gateway and the bare proxy.
import { startTestProvider } from '../../adapters/http/simulator.js';

const p = await startTestProvider({ port: 0 });
process.stdout.write(`READY ${p.url}\n`);
process.on('SIGTERM', () => void p.close().then(() => process.exit(0)));
