/**
 * When to send ES256 work to libuv's thread pool. Offloading keeps the event
 * loop serving other exchanges while the curve arithmetic runs on another
 * core: worth it when there are other exchanges. With none in flight the hop
 * buys nothing and costs two thread wake-ups (job to the pool thread, result
 * back to the loop), which on a busy or virtualised machine is a millisecond
 * tail: measured here, 0.13 ms inline against p99 2–6 ms through the pool
 * with one pool thread (docs/benchmarks.md, "Latency at a moderate rate").
 * So a lone exchange signs and verifies inline, and any concurrency offloads.
 */
let exchangesInFlight = 0;
const counts = { pool: 0, inline: 0 };

/** The pipeline's count of exchanges in flight in this process (src/pipeline/runtime.ts). */
export const exchangeLoad = {
  enter(): void {
    exchangesInFlight++;
  },
  leave(): void {
    exchangesInFlight--;
  },
};

/** Whether this crypto operation goes to the thread pool; counted for /metrics. */
export function offloadCrypto(): boolean {
  const offload = exchangesInFlight > 1;
  if (offload) counts.pool++;
  else counts.inline++;
  return offload;
}

/** ES256 operations since start, by where they ran. */
export function cryptoOffloadStats(): Readonly<typeof counts> {
  return counts;
}
