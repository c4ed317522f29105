import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { signDetached } from '../../src/security/index.js';
import { PG_START_HINT } from '../../src/store/postgres.js';
import {
  demoToken,
  requestSignatureHeader,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

/**
 * Two gateway instances on the REAL PostgreSQL, sharing the store and the key
 * file, as they run behind a load balancer: a token from one works on the
 * other, and a signed request replayed to the other instance is refused
 * (R14; the replay state lives in the shared store, not in a process).
 */
const PG_URL = process.env.LT_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `lt_gw_${process.pid}_${Date.now().toString(36)}`;
const keysDir = mkdtempSync(join(tmpdir(), 'lt-shared-keys-'));
let a: TestGateway;
let b: TestGateway;

beforeAll(async () => {
  const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await probe.connect();
    await probe.end();
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${PG_URL} (${(err as Error).message}): ${PG_START_HINT}`,
    );
  }
  const overrides = {
    store: { kind: 'postgres', url: PG_URL, schema: SCHEMA },
    keys: { file: join(keysDir, 'keys.json') },
  };
  a = await startTestGateway(overrides);
  b = await startTestGateway(overrides);
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await admin.end();
});

describe('gateway on PostgreSQL, two instances', () => {
  it('reports the PostgreSQL store as ready', async () => {
    const ready = (await (await fetch(`${a.url}/readyz`)).json()) as any;
    expect(ready.store).toEqual({ kind: 'postgres', ok: true });
  });

  it('accepts a token issued by the other instance', async () => {
    const token = await demoToken(a.url);
    const res = await fetch(`${b.url}/v1/connection-test`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"message":"from a to b"}',
    });
    expect(res.status).toBe(200);
  });

  it('refuses on one instance a signed request already accepted by the other', async () => {
    const token = await demoToken(a.url);
    const body = Buffer.from('{"message":"once"}');
    const sig = signDetached(
      body,
      requestSignatureHeader(a, '/v1/connection-test/signed'),
      a.keys.signer('envelope'),
    );
    const send = (url: string) =>
      fetch(`${url}/v1/connection-test/signed`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'x-jws-signature': sig,
        },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    expect((await send(a.url)).status).toBe(200);
    const replay = await send(b.url);
    expect(replay.body.code).toBe('LT_SIG_REPLAYED');
    expect(replay.status).toBe(409);
  });
});
