import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleConfigIn } from '../helpers/cli.js';
import { demoToken } from '../helpers/gateway.js';
import { ROOT } from '../helpers/paths.js';
import { TRACUU } from '../../bench/fixtures.js';

/** The example config in a temp dir, port 0, with a test provider that takes `latencyMs` to answer. */
function slowProviderConfig(dir: string, latencyMs: number): string {
  // The shipped routes, the connection test given time to wait for the slow provider.
  mkdirSync(join(dir, 'routes'));
  for (const f of readdirSync(join(ROOT, 'routes'))) {
    const route = readFileSync(join(ROOT, 'routes', f), 'utf8');
    writeFileSync(
      join(dir, 'routes', f),
      // A route override of the endpoint's timeout (lienthong.yaml's test-provider: 3000 ms).
      f === 'connection-test.yaml' ? `${route}\nresilience: { timeoutMs: 20000 }\n` : route,
    );
  }
  let text = '';
  const file = exampleConfigIn(
    dir,
    {},
    {
      routesDir: join(dir, 'routes'),
      edit: (t) =>
        (text = t
          .replace(/^( +port:) 0$/m, '$1 0\n  shutdownDeadlineMs: 10000')
          .replace(
            /^( +- name: test-provider\n +adapter: http)$/m,
            `$1\n    options: { faults: { latencyMs: ${latencyMs} } }`,
          )),
    },
  );
  expect(text).toContain(`latencyMs: ${latencyMs}`);
  expect(text).toContain('shutdownDeadlineMs: 10000');
  return file;
}

type Outcome =
  { status: number; code?: string; connection: string | null; body: string } | { error: string };

async function outcome(res: Promise<Response>): Promise<Outcome> {
  try {
    const r = await res;
    const body = await r.text();
    const code = /"code":"(LT_\w+)"|<lt:code>(LT_\w+)</.exec(body);
    return {
      status: r.status,
      code: code?.[1] ?? code?.[2],
      connection: r.headers.get('connection'),
      body,
    };
  } catch (err) {
    return { error: String((err as { cause?: unknown }).cause ?? err) };
  }
}

describe('SIGTERM in the middle of a burst (rolling update)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lienthong-shutdown-'));
  let child: ChildProcess | undefined;

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every accepted request, refuses later ones with LT_SHUTTING_DOWN in the caller’s protocol, exits 0', async () => {
    const latencyMs = 3000;
    const started = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src/cli.ts'),
        'start',
        '-c',
        slowProviderConfig(dir, latencyMs),
      ],
      { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    child = started;
    let out = '';
    started.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    started.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => started.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner:\n${out}`)), 60_000);
      void exited.then((code) => reject(new Error(`exited ${code}:\n${out}`)));
      started.stdout!.on('data', () => {
        if (/lienthong is listening on \S+/.test(out) && /First request/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const url = /lienthong is listening on (\S+)/.exec(out)![1];
    const token = await demoToken(url);
    const call = () =>
      outcome(
        fetch(`${url}/v1/connection-test`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ message: 'xin chao' }),
        }),
      );

    // The burst: accepted, all 20 waiting on the slow provider (the route's in-flight gauge says so).
    const burst = Array.from({ length: 20 }, call);
    const inFlight = async () =>
      Number(
        /lienthong_route_in_flight\{route="connection-test"\} (\d+)/.exec(
          await (await fetch(`${url}/metrics`)).text(),
        )?.[1] ?? 0,
      );
    for (let n = 0; (await inFlight()) < 20; n++) {
      expect(n).toBeLessThan(200);
      await new Promise((r) => setTimeout(r, 20));
    }
    const sentAt = Date.now();
    started.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));

    // While the burst drains, new work is refused at once, in the caller's protocol.
    const later = await Promise.all(Array.from({ length: 5 }, call));
    const soap = await outcome(
      fetch(`${url}/npd`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/xml; charset=utf-8' },
        body: TRACUU('052180091442'),
      }),
    );
    const ready = await outcome(fetch(`${url}/readyz`));
    const refusedWithin = Date.now() - sentAt;

    const accepted = await Promise.all(burst);
    const code = await exited;

    for (const r of accepted) expect(r).toMatchObject({ status: 200 });
    for (const r of later)
      expect(r).toMatchObject({ status: 503, code: 'LT_SHUTTING_DOWN', connection: 'close' });
    // A SOAP caller gets a SOAP fault (HTTP 500, WS-I R1126) carrying the code.
    expect(soap).toMatchObject({ status: 500, code: 'LT_SHUTTING_DOWN' });
    expect((soap as { body: string }).body).toContain('Fault>');
    // The load balancer sees the instance leave.
    expect(ready).toMatchObject({ status: 503 });
    expect(refusedWithin).toBeLessThan(latencyMs);
    expect(code).toBe(0);
    // The log says it drained the burst, and it drained before closing.
    expect(out).toMatch(/"msg":"draining"/);
  }, 90_000);
});
