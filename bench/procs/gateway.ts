// The real gateway from the example config, pointed at the bench's external providers.
// BENCH_AUDIT=off turns the sharing log off, =required makes the connection test wait for its
// record (audit: { mode: required }); BENCH_PG_URL puts the store (and the log) in PostgreSQL,
// in a schema of its own that is dropped at SIGTERM.
import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { builtinAdapters } from '../../adapters/index.js';
import { loadConfig } from '../../src/config/load.js';
import { startGateway } from '../../src/server/gateway.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'lienthong-bench-'));
const overrides = JSON.parse(process.env.GATEWAY_OVERRIDES ?? '{}');
const auditMode = process.env.BENCH_AUDIT;
const pgUrl = process.env.BENCH_PG_URL;
const pgSchema = `lt_bench_${process.pid}`;
let routesDir: string | undefined;
if (auditMode === 'required') {
  routesDir = join(dir, 'routes');
  cpSync(join(ROOT, 'routes'), routesDir, { recursive: true });
  appendFileSync(join(routesDir, 'connection-test.yaml'), '\naudit: { mode: required }\n');
}
const loaded = loadConfig({
  file: join(ROOT, 'lienthong.yaml'),
  env: {},
  overrides: {
    ...overrides,
    server: { port: 0 },
    log: { level: process.env.BENCH_LOG_LEVEL ?? 'info' },
    store: pgUrl
      ? { kind: 'postgres', url: pgUrl, schema: pgSchema }
      : { path: join(dir, 'store.db') },
    keys: { file: join(dir, 'keys.json') },
    ...(auditMode === 'off' && { audit: { enabled: false } }),
    ...(routesDir && { routesDir }),
  },
});
const gw = await startGateway(loaded, { adapters: builtinAdapters() });
process.stderr.write(`READY ${gw.url}\n`);
process.on(
  'SIGTERM',
  () =>
    void gw
      .close()
      .then(async () => {
        if (!pgUrl) return;
        const c = new pg.Client({ connectionString: pgUrl });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
        await c.end();
      })
      .finally(() => process.exit(0)),
);
