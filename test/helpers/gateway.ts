import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './paths.js';
import { pino, type Logger } from 'pino';
import { builtinAdapters } from '../../adapters/index.js';
import type { AdapterRegistry } from '../../src/adapter/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { startGateway, type Gateway } from '../../src/server/gateway.js';

export { ROOT };

export interface TestGateway extends Gateway {
  dir: string;
  stop(): Promise<void>;
}

/**
 * The real gateway from the repository's example config, on a free port, with
 * its key file and store in a temporary directory. `overrides` patch the
 * config the way an operator's file would; `adapters` replaces the built-in set (tests add their own);
 * `opts.log` takes the gateway's log lines (tests that read them).
 */
export async function startTestGateway(
  overrides: Record<string, unknown> = {},
  env: Record<string, string> = {},
  adapters: AdapterRegistry = builtinAdapters(),
  opts: { log?: Logger } = {},
): Promise<TestGateway> {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-test-'));
  const loaded = loadConfig({
    file: join(ROOT, 'lienthong.yaml'),
    env: { ...env },
    overrides: deepOverrides(dir, overrides),
  });
  const gw = await startGateway(loaded, {
    adapters,
    log: opts.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  return Object.assign(gw, {
    dir,
    stop: async () => {
      await gw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

function deepOverrides(dir: string, overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    server: { port: 0, ...(overrides.server as object) },
    store: { path: join(dir, 'store.db'), ...(overrides.store as object) },
    keys: { file: join(dir, 'keys.json'), ...(overrides.keys as object) },
    ...Object.fromEntries(
      Object.entries(overrides).filter(([k]) => !['server', 'store', 'keys'].includes(k)),
    ),
  };
}

/** Client-credentials token for the demo client. */
export async function demoToken(url: string, id = 'demo', secret = 'demo-secret'): Promise<string> {
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

/**
 * The protected header a caller signing a request for `path` (POST) puts on it
 * (docs/signatures.md): typ, the route's method and path, this gateway as
 * aud, a fresh iat and a new jti. `claims` change or remove (undefined) members.
 */
export function requestSignatureHeader(
  gw: Pick<Gateway, 'config'>,
  path: string,
  claims: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    typ: 'lt-req+jws',
    htm: 'POST',
    htu: path,
    aud: gw.config.tokens.audience,
    iat: Math.floor(Date.now() / 1000),
    jti: `jti-${randomUUID()}`,
    ...claims,
  };
}
