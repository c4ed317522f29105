/**
 * `npm run bench`: each measured path against a bare baseline in the same run,
 * reported as a ratio (never as an absolute threshold in a test). Everything
 * listens on 127.0.0.1, every load is bounded in time, and every process the
 * bench starts is stopped by PID at the end.
 *
 * Knobs (environment): BENCH_ONLY=<scenario,...> (edxml: the edXML codec,
 * bench/edxml.ts, BENCH_EDXML_SECONDS per case, default 3; queue: bench/queue.ts,
 * BENCH_QUEUE_MESSAGES per round, default 5000, BENCH_QUEUE_PREFETCH, 64), BENCH_SECONDS (per target,
 * default 10), BENCH_ROUNDS (turns, default 5), BENCH_WARMUP_SECONDS (3),
 * BENCH_CONNECTIONS (50), BENCH_GATEWAY_NODE_ARGS and BENCH_SIM_NODE_ARGS (e.g.
 * --cpu-prof), BENCH_LATENCY_SHARE (0.25) and BENCH_LATENCY_CONNECTIONS (20)
 * for the fixed-rate latency scenario.
 *
 * Results: printed, and written to bench/results/latest.json.
 */
import autocannon from 'autocannon';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { measureEdxml, printEdxml, type EdxmlBenchRow } from './edxml.js';
import { measureQueue, type QueueBenchRow } from './queue.js';
import { cpuMicros, launch } from './launch.js';
import { measureOperations } from './micro.js';
import { paced, quantile } from './paced.js';
import {
  scenarios,
  startEnvironment,
  type BenchContext,
  type Environment,
  type Target,
} from './scenarios.js';

const ROOT = join(import.meta.dirname, '..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const LATENCY_SHARE = Number(process.env.BENCH_LATENCY_SHARE ?? 0.25);
const LATENCY_CONNECTIONS = Number(process.env.BENCH_LATENCY_CONNECTIONS ?? 20);
/** The fixed-rate scenario: what the gateway adds to the bare proxy's latency, not how much it serves. */
const LATENCY_SCENARIO = 'connection-test-latency';
/** The issue's ceiling on the latency the gateway adds at a moderate rate (ms). */
const ADDED_LATENCY_TARGET = { p50: 2, p99: 10 };
const children: ChildProcess[] = [];
/** Label per child pid, for the CPU accounting. */
const labels = new Map<number, string>();

/** Starts a bench process (bench/launch.ts) and labels it for the CPU accounting. */
export async function startProcess(
  script: string,
  env: Record<string, string> = {},
): Promise<string> {
  // BENCH_GATEWAY_NODE_ARGS / BENCH_SIM_NODE_ARGS (e.g. --cpu-prof) profile the
  // gateway or the NPD simulator under load.
  const args = script.endsWith('gateway.ts')
    ? process.env.BENCH_GATEWAY_NODE_ARGS
    : script.endsWith('npd-sim.ts')
      ? process.env.BENCH_SIM_NODE_ARGS
      : undefined;
  const nodeArgs = args ? args.split(' ') : [];
  const { url, child } = await launch(children, ROOT, script, env, nodeArgs);
  if (child.pid) labels.set(child.pid, labelOf(script, env));
  return url;
}

function labelOf(script: string, env: Record<string, string>): string {
  const base = script.replace(/^.*\//, '').replace(/\.ts$/, '');
  return env.TARGET_PATH ? `${base}${env.TARGET_PATH}` : base;
}

/**
 * CPU time (µs) each process has used so far: every child from /proc (Linux),
 * and this process, which runs autocannon. On two cores every process competes
 * for the same CPU, so CPU per request says where the time goes better than
 * a profile of one process does.
 */
function cpuTimes(): Map<string, number> {
  const out = new Map<string, number>();
  const u = process.cpuUsage();
  out.set('bench (autocannon)', u.user + u.system);
  for (const c of children) {
    if (!c.pid || c.exitCode !== null) continue;
    try {
      out.set(labels.get(c.pid)!, cpuMicros(c.pid));
    } catch {
      return new Map(); // not Linux: no accounting
    }
  }
  return out;
}

interface Measured {
  rps: number;
  /** CPU µs per request by process, for the processes that did work. */
  cpuPerRequest: Record<string, number>;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** One autocannon run, with the CPU each process used during it. */
interface Round {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  cpu: Map<string, number>;
}

/** Runs `work`, with the CPU each process used meanwhile. */
async function withCpu<T>(
  work: () => Promise<T>,
): Promise<{ result: T; cpu: Map<string, number> }> {
  const before = cpuTimes();
  const result = await work();
  const after = cpuTimes();
  const cpu = new Map<string, number>();
  for (const [k, v] of after) cpu.set(k, v - (before.get(k) ?? v));
  return { result, cpu };
}

async function load(t: Target, seconds: number): Promise<Round> {
  const { result: r, cpu } = await withCpu(() =>
    autocannon({
      url: t.url,
      method: 'POST',
      headers: t.headers,
      body: t.body,
      connections: CONNECTIONS,
      duration: seconds,
      timeout: 10,
    }),
  );
  return {
    requests: r.requests.total,
    seconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    cpu,
  };
}

/** CPU µs per request by process, for the processes that did work. */
function cpuPer(cpu: Map<string, number>[], requests: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of cpu[0]?.keys() ?? []) {
    const used = cpu.reduce((n, c) => n + (c.get(k) ?? 0), 0) / Math.max(1, requests);
    if (used >= 1) out[k] = Math.round(used);
  }
  return out;
}

/**
 * The latency the gateway adds at a moderate, fixed rate: BENCH_LATENCY_SHARE
 * of the saturated throughput `saturatedRps` (measured by the connection-test
 * scenario of the same run, or here when that did not run), evenly paced over
 * BENCH_LATENCY_CONNECTIONS connections, the gateway and the bare proxy in
 * alternating rounds. Added = the gateway's percentile minus the proxy's.
 */
async function measureAddedLatency(
  env: Environment,
  saturatedRps: number | undefined,
): Promise<Record<string, unknown>> {
  const s = scenarios.find((x) => x.name === 'connection-test')!;
  const { subject, baselines } = await s.setup(env, { startProcess });
  const proxy = baselines[0];
  for (const t of [subject, proxy]) await t.check();
  let rps = saturatedRps;
  if (rps === undefined) {
    if (WARMUP > 0) await load(subject, WARMUP);
    const r = await load(subject, Math.max(2, DURATION / ROUNDS));
    rps = r.requests / r.seconds;
  }
  const rate = Math.max(1, Math.round(rps * LATENCY_SHARE));
  process.stdout.write(
    `  rate ${rate} req/s (${LATENCY_SHARE} × ${rps.toFixed(0)} req/s saturated), ${LATENCY_CONNECTIONS} connections\n`,
  );
  const targets = [proxy, subject];
  if (WARMUP > 0) for (const t of targets) await paced(t, rate, WARMUP, LATENCY_CONNECTIONS);
  const all = new Map(
    targets.map((t) => [
      t.name,
      {
        lat: [] as number[],
        /** p50 and p99 of each round, for the per-round differences. */
        rounds: [] as { p50: number; p99: number }[],
        cpu: [] as Map<string, number>[],
        sent: 0,
        failed: 0,
      },
    ]),
  );
  for (let i = 0; i < ROUNDS; i++) {
    for (const t of targets) {
      const { result, cpu } = await withCpu(() =>
        paced(t, rate, DURATION / ROUNDS, LATENCY_CONNECTIONS),
      );
      const a = all.get(t.name)!;
      a.lat.push(...result.latencies);
      a.rounds.push({
        p50: quantile(result.latencies, 0.5),
        p99: quantile(result.latencies, 0.99),
      });
      a.cpu.push(cpu);
      a.sent += result.sent;
      a.failed += result.failed;
    }
  }
  const stats = (name: string) => {
    const a = all.get(name)!;
    return {
      p50: Number(quantile(a.lat, 0.5).toFixed(2)),
      p99: Number(quantile(a.lat, 0.99).toFixed(2)),
      sent: a.sent,
      failed: a.failed,
      cpu: cpuPer(a.cpu, a.sent),
    };
  };
  const g = stats(subject.name);
  const b = stats(proxy.name);
  for (const [name, m] of [
    [proxy.name, b],
    [subject.name, g],
  ] as const) {
    process.stdout.write(
      `  ${name.padEnd(34)} p50 ${m.p50.toFixed(2).padStart(6)} ms   p99 ${m.p99.toFixed(2).padStart(6)} ms   sent ${m.sent}  failed ${m.failed}\n`,
    );
    const cpu = Object.entries(m.cpu).map(([k, v]) => `${k} ${v}`);
    if (cpu.length) process.stdout.write(`    CPU µs/request: ${cpu.join(', ')}\n`);
  }
  // Added latency as the median over rounds of (gateway − proxy) in the same turn: a
  // hiccup of the shared machine lands in one round, not in the whole figure.
  const gr = all.get(subject.name)!.rounds;
  const br = all.get(proxy.name)!.rounds;
  const addedIn = (q: 'p50' | 'p99') =>
    Number(median(gr.map((r, i) => r[q] - br[i][q])).toFixed(2));
  const added = { p50: addedIn('p50'), p99: addedIn('p99') };
  process.stdout.write(
    `  added by the gateway (median over ${ROUNDS} rounds of gateway − proxy): p50 ${added.p50} ms (target ≤ ${ADDED_LATENCY_TARGET.p50}), p99 ${added.p99} ms (target ≤ ${ADDED_LATENCY_TARGET.p99})\n`,
  );
  return {
    name: `${subject.name} at a fixed rate`,
    baseline: proxy.name,
    kind: 'latency',
    rate,
    saturatedRps: Math.round(rps),
    connections: LATENCY_CONNECTIONS,
    p50: g.p50,
    p99: g.p99,
    baselineP50: b.p50,
    baselineP99: b.p99,
    addedP50: added.p50,
    addedP99: added.p99,
    target: ADDED_LATENCY_TARGET,
    errors: g.failed,
    cpuMicrosPerRequest: g.cpu,
    baselineCpuMicrosPerRequest: b.cpu,
    durationSeconds: DURATION,
    rounds: ROUNDS,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Rounds of one target summed: requests/s over all of them, median latencies. */
function summarise(rounds: Round[]): Measured {
  const requests = rounds.reduce((n, r) => n + r.requests, 0);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  const cpuPerRequest = cpuPer(
    rounds.map((r) => r.cpu),
    requests,
  );
  return {
    rps: requests / seconds,
    cpuPerRequest,
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    non2xx: rounds.reduce((n, r) => n + r.non2xx, 0),
  };
}

/**
 * Every target gets a warm-up, then the targets take turns, ROUNDS times, for
 * DURATION seconds each in all. This machine is shared and its speed drifts
 * over minutes; measured in turns, a slow spell lands on the subject and its
 * baselines alike instead of on whichever ran then, and the ratio holds still.
 */
async function measureInTurns(targets: Target[]): Promise<Record<string, Measured>> {
  if (WARMUP > 0) for (const t of targets) await load(t, WARMUP);
  const rounds: Record<string, Round[]> = {};
  for (let i = 0; i < ROUNDS; i++)
    for (const t of targets) (rounds[t.name] ??= []).push(await load(t, DURATION / ROUNDS));
  const out: Record<string, Measured> = {};
  for (const t of targets) out[t.name] = summarise(rounds[t.name]);
  return out;
}

async function main(): Promise<void> {
  const ctx: BenchContext = { startProcess };
  const entries: Record<string, unknown>[] = [];
  const baselineRatios: Record<string, unknown>[] = [];
  const only = process.env.BENCH_ONLY?.split(',');
  let edxml: EdxmlBenchRow[] = [];
  let queue: QueueBenchRow[] = [];
  try {
    const selected = scenarios.filter((s) => !only || only.includes(s.name));
    const latency = !only || only.includes(LATENCY_SCENARIO);
    // The HTTP environment only when an HTTP measurement runs (BENCH_ONLY=edxml needs none).
    const env = selected.length || latency ? await startEnvironment(ctx) : undefined;
    let connectionTestRps: number | undefined;
    for (const s of selected) {
      process.stdout.write(`\n# ${s.name}: ${s.description}\n`);
      const { subject, baselines } = await s.setup(env!, ctx);
      // Check every target answers correctly before loading it: a fast error is not a result.
      for (const t of [subject, ...baselines]) await t.check();
      const results = await measureInTurns([...baselines, subject]);
      if (s.name === 'connection-test') connectionTestRps = results[subject.name].rps;
      for (const t of [...baselines, subject]) {
        const m = results[t.name];
        process.stdout.write(
          `  ${t.name.padEnd(34)} ${m.rps.toFixed(0).padStart(7)} req/s   p50 ${String(m.p50).padStart(4)} ms   p99 ${String(m.p99).padStart(4)} ms   errors ${m.errors}  non-2xx ${m.non2xx}\n`,
        );
        const cpu = Object.entries(m.cpuPerRequest).map(([k, v]) => `${k} ${v}`);
        if (cpu.length) process.stdout.write(`    CPU µs/request: ${cpu.join(', ')}\n`);
      }
      for (const b of baselines) {
        const sub = results[subject.name];
        const base = results[b.name];
        const ratio = sub.rps / base.rps;
        process.stdout.write(
          `  ratio ${subject.name} / ${b.name}: ${ratio.toFixed(2)}${s.target?.[b.name] ? ` (target ≥ ${s.target[b.name]})` : ''}\n`,
        );
        entries.push({
          name: subject.name,
          baseline: b.name,
          rps: Math.round(sub.rps),
          baselineRps: Math.round(base.rps),
          ratio: Number(ratio.toFixed(3)),
          target: s.target?.[b.name],
          p50: sub.p50,
          p99: sub.p99,
          baselineP50: base.p50,
          baselineP99: base.p99,
          errors: sub.errors + sub.non2xx,
          cpuMicrosPerRequest: sub.cpuPerRequest,
          baselineCpuMicrosPerRequest: base.cpuPerRequest,
          bodyBytes: subject.body.length,
          connections: CONNECTIONS,
          durationSeconds: DURATION,
          rounds: ROUNDS,
        });
      }
      // Two baselines of one scenario side by side say what kind of day the machine has:
      // the `soap` server is compute-bound JavaScript, the bare proxy is all sockets, and
      // their ratio moves between days by a third (docs/benchmarks.md, "Why the SOAP ratio moves").
      const [first, ...others] = baselines;
      for (const b of others) {
        const between = results[b.name].rps / results[first.name].rps;
        process.stdout.write(`  baselines ${b.name} / ${first.name}: ${between.toFixed(3)}\n`);
        baselineRatios.push({
          scenario: s.name,
          baseline: b.name,
          over: first.name,
          ratio: Number(between.toFixed(3)),
        });
      }
    }
    if (latency) {
      process.stdout.write(
        `\n# ${LATENCY_SCENARIO}: the latency the gateway adds to the bare proxy's at ${LATENCY_SHARE} of its saturated throughput, evenly paced\n`,
      );
      entries.push(await measureAddedLatency(env!, connectionTestRps));
    }
    if (!only || only.includes('edxml')) {
      edxml = measureEdxml(ROOT, Number(process.env.BENCH_EDXML_SECONDS ?? 3));
      printEdxml(edxml, (t) => process.stdout.write(t));
    }
    if (!only || only.includes('queue')) {
      process.stdout.write(
        '\n# queue: queue → route (validate + sign) → queue vs a bare amqplib shovel, 1 KB persistent messages; memq beside it\n',
      );
      queue = await measureQueue(ROOT, children, (t) => process.stdout.write(t));
    }
  } finally {
    for (const c of children) if (c.pid && c.exitCode === null) c.kill('SIGTERM');
  }
  const operations = measureOperations(ROOT);
  process.stdout.write('\n# per-operation costs on this machine (µs)\n');
  for (const [k, v] of Object.entries(operations))
    process.stdout.write(`  ${k.padEnd(34)} ${String(v).padStart(6)}\n`);
  const report = {
    generatedAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    },
    versions: { node: process.version, ...(process.versions.uv && { uv: process.versions.uv }) },
    entries,
    baselineRatios,
    edxml,
    queue,
    operations,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  // A filtered run (BENCH_ONLY) must not replace the full report.
  const file = only ? 'partial.tmp.json' : 'latest.json';
  writeFileSync(join(ROOT, 'bench', 'results', file), JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`\nwritten bench/results/${file} (${entries.length} entries)\n`);
}

main().catch((err) => {
  for (const c of children) if (c.pid && c.exitCode === null) c.kill('SIGTERM');
  console.error(err);
  process.exit(1);
});
