// Baseline for the SOAP facade: the `soap` npm package doing the same work —
// serve the NPD WSDL, take the SOAP request, call the NPD simulator through a
// `soap` client generated from the same WSDL, answer.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import soap from 'soap';
import { NPD_OPERATIONS } from '../../adapters/npd/constants.js';

const contracts = join(import.meta.dirname, '..', '..', 'contracts', 'npd');
const wsdlPath = join(contracts, 'npd.wsdl');
const target = process.env.TARGET_URL!;
const client = await soap.createClientAsync(wsdlPath, { endpoint: target });

const ops = NPD_OPERATIONS;
const port: Record<string, (args: unknown) => Promise<unknown>> = {};
for (const op of ops) {
  port[op] = async (args: unknown) => {
    const [result] = await (client as any)[`${op}Async`](args);
    return result;
  };
}

const server = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
soap.listen(server, {
  path: '/npd',
  services: { DanCuService: { DanCuPort: port } },
  xml: readFileSync(wsdlPath, 'utf8'),
  uri: wsdlPath,
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}/npd\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
