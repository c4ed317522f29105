/**
 * Load at a fixed rate, evenly paced: request i is due at start + i/rate, and
 * its latency counts from when it was due, not from when a connection was
 * free (no coordinated omission: a stall shows in the latency of every
 * request it delays). autocannon's `overallRate` is not used here: it lets
 * each connection send its whole second's quota at once and then waits for
 * the next second, so at "25% of saturation" the gateway sees a burst of
 * every connection at the top of each second, and the latency measured is
 * that burst's queue (docs/benchmarks.md, "Latency at a moderate rate").
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { Target } from './scenarios.js';

export interface PacedRound {
  /** Milliseconds from due time to the whole reply, per request that answered 2xx. */
  latencies: number[];
  sent: number;
  failed: number;
  seconds: number;
}

export async function paced(
  t: Target,
  rate: number,
  seconds: number,
  connections: number,
): Promise<PacedRound> {
  const url = new URL(t.url);
  const pool = new Pool(url.origin, { connections, pipelining: 1 });
  const path = url.pathname + url.search;
  const latencies: number[] = [];
  let failed = 0;
  let sent = 0;
  const pending = new Set<Promise<void>>();
  const fire = (due: number) => {
    sent++;
    const p = pool
      .request({ method: 'POST', path, headers: t.headers, body: t.body })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode >= 200 && res.statusCode < 300) latencies.push(performance.now() - due);
        else failed++;
      })
      .catch(() => {
        failed++;
      })
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  const interval = 1000 / rate;
  const total = Math.floor(seconds * rate);
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let i = 0;
    const tick = () => {
      // Everything due by now goes out now: a late timer does not lower the rate.
      const now = performance.now();
      while (i < total && start + i * interval <= now) fire(start + i++ * interval);
      if (i >= total) resolve();
      else setTimeout(tick, Math.max(0, start + i * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  return { latencies, sent, failed, seconds: elapsed };
}

/** The q-quantile (0–1) of some values, by the nearest rank. */
export function quantile(values: number[], q: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
