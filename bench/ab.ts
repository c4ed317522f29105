/**
 * `npm run bench:ab`: is a change faster? Two or more gateways (other
 * checkouts, or the same one with other settings) behind ONE NPD simulator
 * and one test provider, loaded in turns, so this machine's drift (±15%
 * between minutes here) lands on every variant alike. A change worth a few
 * percent cannot be seen in two separate `npm run bench` runs; it can here.
 *
 *   AB_VARIANTS='[{"name":"before","root":"/path/to/other/checkout"},
 *                 {"name":"after","root":"."},
 *                 {"name":"no-worker","root":".","overrides":{"xml":{"xsdWorker":false}}},
 *                 {"name":"soap","root":"soap-package"}]' npm run bench:ab
 *
 * A variant: `root` (a checkout with node_modules, or "soap-package" for the
 * `soap`-package baseline), optional `overrides` (gateway config), `env`,
 * `nodeArgs`. Knobs: AB_PATH=soap|connection-test (default soap: POST /npd),
 * AB_ROUNDS (8), AB_SECONDS per turn (4), AB_CONNECTIONS (50). Everything
 * listens on 127.0.0.1 and is stopped by PID at the end.
 *
 * Prints requests/s per variant (all rounds summed, and each round), the
 * ratio to the first variant, and CPU µs per request of the gateway, the
 * simulator and the load generator.
 */
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { TRACUU } from './fixtures.js';
import { cpuMicros, demoToken, launch } from './launch.js';
import { farSideOverrides } from './example-overrides.js';

interface Variant {
  name: string;
  root: string;
  overrides?: Record<string, unknown>;
  env?: Record<string, string>;
  nodeArgs?: string[];
}

const HERE = join(import.meta.dirname, '..');
const ROUNDS = Number(process.env.AB_ROUNDS ?? 8);
const SECONDS = Number(process.env.AB_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.AB_CONNECTIONS ?? 50);
const CONNECTION_TEST = process.env.AB_PATH === 'connection-test';
const children: ChildProcess[] = [];

/** Starts a bench process of checkout `root`; resolves its READY url and pid. */
async function start(
  root: string,
  script: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ url: string; pid: number }> {
  const { url, child } = await launch(children, root, script, env, nodeArgs);
  return { url, pid: child.pid! };
}

/** `over` merged into `base`, objects key by key (so a variant can set endpoints.npd.options.x). */
function merge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    const plain = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] =
      plain(b) && plain(v) ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

interface Target {
  name: string;
  url: string;
  pid: number;
  headers: Record<string, string>;
}

async function main(): Promise<void> {
  const variants = JSON.parse(
    process.env.AB_VARIANTS ?? '[{"name":"this checkout","root":"."}]',
  ) as Variant[];
  const npd = await start(HERE, 'bench/procs/npd-sim.ts');
  const provider = await start(HERE, 'bench/procs/provider.ts');
  const citizens = (await (await fetch(`${npd.url}/__sim/citizens?limit=1&status=1`)).json()) as {
    items: { idNumber: string }[];
  };
  const id = citizens.items[0].idNumber;
  const body = CONNECTION_TEST
    ? Buffer.from(JSON.stringify({ message: 'x'.repeat(980), reference: 'bench-0001' }))
    : Buffer.from(TRACUU(id));
  const expected = CONNECTION_TEST ? '"ok":true' : id;
  const xml = { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' };

  const targets: Target[] = [];
  for (const v of variants) {
    if (v.root === 'soap-package') {
      if (CONNECTION_TEST) throw new Error('the soap-package baseline serves the SOAP path only');
      const s = await start(HERE, 'bench/procs/soap-package-server.ts', {
        TARGET_URL: `${npd.url}/npd`,
      });
      targets.push({ name: v.name, url: s.url, pid: s.pid, headers: xml });
      continue;
    }
    const root = resolve(v.root);
    const overrides = merge(
      // Each checkout's own example endpoints, taken off the simulators it has.
      farSideOverrides({ provider: provider.url, npd: npd.url }, root),
      v.overrides ?? {},
    );
    const gw = await start(
      root,
      'bench/procs/gateway.ts',
      { GATEWAY_OVERRIDES: JSON.stringify(overrides), ...v.env },
      v.nodeArgs,
    );
    const auth = { authorization: `Bearer ${await demoToken(gw.url)}` };
    targets.push({
      name: v.name,
      url: CONNECTION_TEST ? `${gw.url}/v1/connection-test` : `${gw.url}/npd`,
      pid: gw.pid,
      headers: CONNECTION_TEST
        ? { 'content-type': 'application/json', ...auth }
        : { ...xml, ...auth },
    });
  }

  // A wrong answer fast is not a result: check each target once, then warm it up.
  for (const t of targets) {
    const res = await fetch(t.url, { method: 'POST', headers: t.headers, body });
    const text = await res.text();
    if (res.status !== 200 || !text.includes(expected))
      throw new Error(`${t.name}: unexpected answer ${res.status} ${text.slice(0, 300)}`);
    await autocannon({
      url: t.url,
      method: 'POST',
      headers: t.headers,
      body,
      connections: CONNECTIONS,
      duration: 2,
    });
  }

  const totals = new Map<
    string,
    { n: number; s: number; gw: number; sim: number; ac: number; rounds: number[] }
  >();
  for (let i = 0; i < ROUNDS; i++) {
    for (const t of targets) {
      const gw0 = cpuMicros(t.pid);
      const sim0 = cpuMicros(npd.pid);
      const ac0 = process.cpuUsage();
      const r = await autocannon({
        url: t.url,
        method: 'POST',
        headers: t.headers,
        body,
        connections: CONNECTIONS,
        duration: SECONDS,
      });
      const ac = process.cpuUsage(ac0);
      if (r.errors || r.non2xx)
        process.stdout.write(`${t.name}: errors ${r.errors}, non-2xx ${r.non2xx}\n`);
      const e = totals.get(t.name) ?? { n: 0, s: 0, gw: 0, sim: 0, ac: 0, rounds: [] };
      e.n += r.requests.total;
      e.s += r.duration;
      e.gw += cpuMicros(t.pid) - gw0;
      e.sim += cpuMicros(npd.pid) - sim0;
      e.ac += ac.user + ac.system;
      e.rounds.push(Math.round(r.requests.total / r.duration));
      totals.set(t.name, e);
    }
  }
  const first = totals.get(targets[0].name)!;
  for (const [name, e] of totals) {
    const rps = e.n / e.s;
    process.stdout.write(
      `${name.padEnd(16)} ${rps.toFixed(0).padStart(6)} req/s  ×${(rps / (first.n / first.s)).toFixed(3)}` +
        `  CPU µs/req: gateway ${(e.gw / e.n).toFixed(0)}, npd-sim ${(e.sim / e.n).toFixed(0)}, autocannon ${(e.ac / e.n).toFixed(0)}` +
        `  rounds ${e.rounds.join(' ')}\n`,
    );
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) if (c.pid && c.exitCode === null) c.kill('SIGTERM');
  });
