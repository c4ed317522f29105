// The real gateway from the example config, pointed at the bench's external providers.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinAdapters } from '../../adapters/index.js';
import { loadConfig } from '../../src/config/load.js';
import { startGateway } from '../../src/server/gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'lienthong-bench-'));
const overrides = JSON.parse(process.env.GATEWAY_OVERRIDES ?? '{}');
const loaded = loadConfig({
  file: join(import.meta.dirname, '..', '..', 'lienthong.yaml'),
  env: {},
  overrides: {
    ...overrides,
    server: { port: 0 },
    log: { level: process.env.BENCH_LOG_LEVEL ?? 'info' },
    store: { path: join(dir, 'store.db') },
    keys: { file: join(dir, 'keys.json') },
  },
});
const gw = await startGateway(loaded, { adapters: builtinAdapters() });
process.stderr.write(`READY ${gw.url}\n`);
process.on('SIGTERM', () => void gw.close().then(() => process.exit(0)));
