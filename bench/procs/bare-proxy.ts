// The baseline: a bare Node HTTP proxy (node:http in, the same undici pool out), no pipeline at all.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const target = new URL(process.env.TARGET_URL!);
const path = process.env.TARGET_PATH ?? '/echo';
const contentType = process.env.TARGET_CONTENT_TYPE ?? 'application/json';
const pool = new Pool(target.origin, { connections: 64 });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    try {
      const up = await pool.request({
        method: 'POST',
        path,
        headers: { 'content-type': contentType },
        body: Buffer.concat(chunks),
      });
      const body = Buffer.from(await up.body.arrayBuffer());
      res.writeHead(up.statusCode, {
        'content-type': String(up.headers['content-type'] ?? contentType),
      });
      res.end(body);
    } catch {
      res.writeHead(502);
      res.end();
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
