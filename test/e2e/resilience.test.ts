import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, demoToken, startTestGateway, type TestGateway } from '../helpers/gateway.js';

/*
 * Issue 16: an endpoint's resilience applies to every route that does not
 * override it. A route schema that filled in its own defaults used to replace
 * the endpoint's timeout with 5000 ms on every route.
 */

async function connectionTest(gw: TestGateway): Promise<{ code?: string; ms: number }> {
  const token = await demoToken(gw.url);
  const t0 = performance.now();
  const res = await fetch(`${gw.url}/v1/connection-test`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'xin chao' }),
  });
  const body = (await res.json()) as { code?: string; ok?: boolean };
  return { code: body.ok ? 'OK' : body.code, ms: performance.now() - t0 };
}

async function slowProvider(gw: TestGateway, latencyMs: number): Promise<void> {
  const sim = gw.simulators.get('test-provider')!.url;
  await fetch(`${sim}/__sim/faults`, { method: 'POST', body: JSON.stringify({ latencyMs }) });
}

describe("an endpoint's resilience reaches a route that sets nothing", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      endpoints: { 'test-provider': { resilience: { timeoutMs: 50 } } },
    });
    await slowProvider(gw, 1500);
  });
  afterAll(() => gw.stop());

  it('the shipped connection-test route does not override the endpoint', () => {
    const route = parse(readFileSync(join(ROOT, 'routes/connection-test.yaml'), 'utf8'));
    expect(route.resilience).toBeUndefined();
    expect(gw.routes.get('connection-test')!.def.resilience).toBeUndefined();
  });

  it('times out after the endpoint’s 50 ms, not a route default', async () => {
    const r = await connectionTest(gw);
    expect(r.code).toBe('LT_UPSTREAM_TIMEOUT');
    // Long before the provider answers (1.5 s); generous for a loaded CI machine.
    expect(r.ms).toBeLessThan(1000);
  });
});

describe('a route override wins over its endpoint', () => {
  let gw: TestGateway;
  let routesDir: string;
  beforeAll(async () => {
    routesDir = mkdtempSync(join(tmpdir(), 'lienthong-routes-'));
    const file = join(routesDir, 'connection-test.yaml');
    copyFileSync(join(ROOT, 'routes/connection-test.yaml'), file);
    writeFileSync(file, readFileSync(file, 'utf8') + 'resilience: { timeoutMs: 2000 }\n');
    gw = await startTestGateway({
      routesDir,
      endpoints: { 'test-provider': { resilience: { timeoutMs: 50 } } },
    });
    await slowProvider(gw, 200);
  });
  afterAll(async () => {
    await gw.stop();
    rmSync(routesDir, { recursive: true, force: true });
  });

  it('the route’s 2000 ms lets a 200 ms provider answer', async () => {
    expect((await connectionTest(gw)).code).toBe('OK');
  });
});
