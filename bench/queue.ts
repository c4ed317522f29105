/**
 * The queue scenario (issue 18): queue → route (validate + sign) → queue on
 * the real RabbitMQ, against a bare amqplib shovel (consume, publish with
 * confirms, ack) in the same run, 1 KB persistent messages; and the same
 * route over the in-memory transport (adapters/memq) beside a bare
 * in-memory shovel. Each target gets BENCH_QUEUE_MESSAGES messages per
 * round, published as fast as the bench can, timed from the first publish
 * to the last arrival downstream; the targets take turns. Target: the
 * gateway ≥ 70% of the shovel's messages/s. CPU per message is the target
 * process's own (/proc), for memq this process's.
 */
import amqp, { type ChannelModel } from 'amqplib';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { MemoryBroker } from '../adapters/memq/broker.js';
import { builtinAdapters } from '../adapters/index.js';
import { loadConfig } from '../src/config/load.js';
import { startGateway } from '../src/server/gateway.js';
import { cpuMicros, launch } from './launch.js';

export const QUEUE_TARGET = 0.7;
const URL_ = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export interface QueueBenchRow {
  name: string;
  baseline: string;
  msgsPerSecond: number;
  baselineMsgsPerSecond: number;
  ratio: number;
  target?: number;
  cpuMicrosPerMessage: number;
  baselineCpuMicrosPerMessage: number;
  messages: number;
  rounds: number;
}

/** A 1 KB notice the example contract accepts. */
function body(i: number): Buffer {
  const base = {
    noticeId: `B-${i}`,
    recipientOrg: '000.00.00.H57',
    subject: 'Thông báo thử nghiệm',
  };
  const pad = 1024 - Buffer.byteLength(JSON.stringify({ ...base, text: '' }));
  return Buffer.from(JSON.stringify({ ...base, text: 'x'.repeat(pad) }));
}

function route(from: Record<string, unknown>, endpoint: string) {
  return {
    id: `bench-${endpoint}`,
    from,
    to: { endpoint },
    service: 'bench.Notice',
    contract: 'local/notice',
    auth: 'none',
    signature: { signOutbound: true, signReply: false },
  };
}

interface Target {
  name: string;
  pid?: number;
  /** Publishes n messages and resolves once all arrived downstream. */
  round(n: number): Promise<void>;
}

async function amqpTargets(
  root: string,
  children: ChildProcess[],
  conn: ChannelModel,
  prefetch: number,
) {
  const run = randomUUID().slice(0, 8);
  const q = (s: string) => `lt-bench.${run}.${s}`;
  const queues = [q('shovel-in'), q('shovel-out'), q('gw-in'), q('gw-out')];
  const admin = await conn.createChannel();
  for (const name of queues)
    await admin.assertQueue(name, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  const dir = mkdtempSync(join(tmpdir(), 'lt-bench-q-'));
  writeFileSync(
    join(dir, 'routes.yaml'),
    stringify([route({ adapter: 'amqp', urls: [URL_], queue: q('gw-in'), prefetch }, 'bench-out')]),
  );
  const overrides = {
    routesDir: dir,
    endpoints: {
      'bench-out': {
        adapter: 'amqp',
        url: URL_,
        options: { exchange: '', routingKey: q('gw-out') },
      },
    },
  };
  const shovel = await launch(children, root, 'bench/procs/amqp-shovel.ts', {
    SHOVEL_URL: URL_,
    SHOVEL_FROM: q('shovel-in'),
    SHOVEL_TO: q('shovel-out'),
    SHOVEL_PREFETCH: String(prefetch),
  });
  const gw = await launch(children, root, 'bench/procs/gateway.ts', {
    GATEWAY_OVERRIDES: JSON.stringify(overrides),
  });
  const pub = await conn.createConfirmChannel();
  const sink = await conn.createChannel();
  await sink.prefetch(500);
  const waiting = new Map<string, { left: number; done: () => void }>();
  for (const out of [q('shovel-out'), q('gw-out')]) {
    await sink.consume(out, (m) => {
      if (!m) return;
      sink.ack(m);
      const w = waiting.get(out);
      if (w && --w.left === 0) w.done();
    });
  }
  const round = (into: string, out: string) => async (n: number) => {
    const done = new Promise<void>((r) => waiting.set(out, { left: n, done: r }));
    for (let i = 0; i < n; i++) {
      const ok = pub.sendToQueue(into, body(i), {
        messageId: randomUUID(),
        contentType: 'application/json',
        persistent: true,
      });
      if (!ok) await new Promise((r) => pub.once('drain', r));
    }
    await done;
  };
  const targets: Target[] = [
    {
      name: 'amqp shovel (bare amqplib)',
      pid: shovel.child.pid,
      round: round(q('shovel-in'), q('shovel-out')),
    },
    {
      name: 'gateway queue → route → queue',
      pid: gw.child.pid,
      round: round(q('gw-in'), q('gw-out')),
    },
  ];
  const cleanup = async () => {
    for (const c of [shovel.child, gw.child]) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    for (const name of queues) await admin.deleteQueue(name).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  return { targets, cleanup };
}

/** The in-memory path, in this process: the gateway's memq route beside a bare memq shovel. */
async function memqTargets(prefetch: number) {
  const broker = MemoryBroker.shared;
  const run = randomUUID().slice(0, 8);
  const q = (s: string) => `bench.${run}.${s}`;
  for (const s of ['shovel-in', 'shovel-out', 'gw-in', 'gw-out']) broker.declareQueue(q(s));
  const dir = mkdtempSync(join(tmpdir(), 'lt-bench-m-'));
  writeFileSync(
    join(dir, 'routes.yaml'),
    stringify([route({ adapter: 'memq', queue: q('gw-in'), prefetch }, 'bench-mem-out')]),
  );
  const loaded = loadConfig({
    file: join(import.meta.dirname, '..', 'lienthong.yaml'),
    env: {},
    overrides: {
      routesDir: dir,
      server: { port: 0 },
      store: { path: join(dir, 'store.db') },
      keys: { file: join(dir, 'keys.json') },
      endpoints: {
        'bench-mem-out': {
          adapter: 'memq',
          url: 'memq://local',
          options: { exchange: '', routingKey: q('gw-out') },
        },
      },
    },
  });
  const gw = await startGateway(loaded, {
    adapters: builtinAdapters(),
    log: pino({ level: 'warn' }),
  });
  const shovel = await broker.consume(q('shovel-in'), prefetch, async (m, ctl) => {
    await broker.publish(
      { exchange: '', routingKey: q('shovel-out') },
      { id: m.id!, body: m.body, contentType: m.contentType, headers: {} },
      Date.now() + 5000,
    );
    await ctl.ack();
  });
  const round = (into: string, out: string) => async (n: number) => {
    for (let i = 0; i < n; i++) {
      await broker.publish(
        { exchange: '', routingKey: into },
        { id: randomUUID(), body: body(i), contentType: 'application/json', headers: {} },
        Date.now() + 5000,
      );
      if (i % 500 === 499) await new Promise((r) => setImmediate(r));
    }
    while (broker.depth(out) < n) await new Promise((r) => setTimeout(r, 2));
    broker.drain(out);
  };
  const targets: Target[] = [
    { name: 'memq shovel (bare in-memory)', round: round(q('shovel-in'), q('shovel-out')) },
    { name: 'gateway memq queue → route → queue', round: round(q('gw-in'), q('gw-out')) },
  ];
  const cleanup = async () => {
    await shovel.close();
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { targets, cleanup };
}

async function inTurns(targets: Target[], n: number, rounds: number) {
  const acc = new Map<string, { ms: number; cpu: number }>();
  const cpu = (t: Target) =>
    t.pid ? cpuMicros(t.pid) : process.cpuUsage().user + process.cpuUsage().system;
  for (const t of targets) await t.round(Math.max(50, Math.floor(n / 5))); // warm-up
  for (let r = 0; r < rounds; r++) {
    for (const t of targets) {
      const c0 = cpu(t);
      const t0 = performance.now();
      await t.round(n);
      const a = acc.get(t.name) ?? { ms: 0, cpu: 0 };
      acc.set(t.name, { ms: a.ms + performance.now() - t0, cpu: a.cpu + cpu(t) - c0 });
    }
  }
  return (t: Target) => {
    const a = acc.get(t.name)!;
    return { rate: (n * rounds) / (a.ms / 1000), cpuPerMsg: a.cpu / (n * rounds) };
  };
}

export async function measureQueue(
  root: string,
  children: ChildProcess[],
  out: (s: string) => void,
): Promise<QueueBenchRow[]> {
  const n = Number(process.env.BENCH_QUEUE_MESSAGES ?? 5000);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const prefetch = Number(process.env.BENCH_QUEUE_PREFETCH ?? 64);
  const rows: QueueBenchRow[] = [];
  let conn: ChannelModel;
  try {
    conn = await amqp.connect(URL_);
  } catch (err) {
    throw new Error(
      `the queue scenario needs RabbitMQ at ${URL_} (${(err as Error).message}): rabbitmq-server -detached`,
    );
  }
  try {
    for (const make of [
      () => amqpTargets(root, children, conn, prefetch),
      () => memqTargets(prefetch),
    ]) {
      const { targets, cleanup } = await make();
      try {
        const result = await inTurns(targets, n, rounds);
        const [base, subject] = targets;
        const b = result(base);
        const s = result(subject);
        for (const [t, m] of [
          [base, b],
          [subject, s],
        ] as const) {
          out(
            `  ${t.name.padEnd(38)} ${m.rate.toFixed(0).padStart(7)} msg/s   CPU ${m.cpuPerMsg.toFixed(0)} µs/msg\n`,
          );
        }
        const ratio = s.rate / b.rate;
        const isAmqp = base.name.startsWith('amqp');
        out(
          `  ratio ${subject.name} / ${base.name}: ${ratio.toFixed(2)}${isAmqp ? ` (target ≥ ${QUEUE_TARGET})` : ''}\n`,
        );
        rows.push({
          name: subject.name,
          baseline: base.name,
          msgsPerSecond: Math.round(s.rate),
          baselineMsgsPerSecond: Math.round(b.rate),
          ratio: Number(ratio.toFixed(3)),
          target: isAmqp ? QUEUE_TARGET : undefined,
          cpuMicrosPerMessage: Math.round(s.cpuPerMsg),
          baselineCpuMicrosPerMessage: Math.round(b.cpuPerMsg),
          messages: n,
          rounds,
        });
      } finally {
        await cleanup();
      }
    }
  } finally {
    await conn.close().catch(() => {});
  }
  return rows;
}
