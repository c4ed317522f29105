// Sizes libuv's thread pool before anything uses it; preloaded with
// `node --require ./bin/thread-pool.cjs` (npm start, the image, the bench) and
// required first by bin/lienthong.cjs.
//
// Why: the pipeline signs and verifies ES256 envelopes on the thread pool, so
// the event loop keeps serving HTTP while another core does the elliptic-curve
// work. libuv's default of 4 threads on a 2-core machine puts five busy threads
// on two cores; every job then costs wake-ups and context switches (expensive
// in a VM), and the main thread loses its core to them. One thread per spare
// core, at most libuv's default of 4, measured 20% more requests/s through the
// connection test on 2 cores (docs/operations.md, "Thread pool").
//
// The cores counted are those the process may use: its CPU affinity, and a
// cgroup CPU limit when there is one (a container's `--cpus`, a Kubernetes
// `limits.cpu`). Node 20's libuv (1.46) reads only the affinity, so in a
// container limited to 2 CPUs on a 32-core host it would see 32.
//
// It must be CommonJS and run first: libuv reads UV_THREADPOOL_SIZE once, when
// the pool starts, and the ES module loader starts it (async file reads) before
// any ES module's code runs. An operator's own UV_THREADPOOL_SIZE always wins.
'use strict';
const { readFileSync } = require('node:fs');
const { availableParallelism } = require('node:os');

/** One pool thread per core beyond the event loop's, between 1 and libuv's default 4. */
function defaultThreadPoolSize(cores) {
  return Math.min(4, Math.max(1, Math.floor(cores) - 1));
}

/** `quota` µs of CPU per `period` µs, as whole CPUs (rounded up, at least 1); undefined if unlimited. */
function quotaCpus(quota, period) {
  if (!(quota > 0) || !(period > 0)) return undefined;
  return Math.max(1, Math.ceil(quota / period));
}

/**
 * The CPUs a cgroup limit allows this process, or undefined when nothing
 * limits it. cgroup v2: `cpu.max` ("<quota> <period>" or "max <period>") of
 * the process's own cgroup and of each ancestor, whose limits apply too; in a
 * container the cgroup namespace makes its own cgroup the root. cgroup v1:
 * `cpu.cfs_quota_us` / `cpu.cfs_period_us` (-1 is no limit). `read` returns a
 * file's text or throws; injectable for tests.
 */
function cgroupCpuLimit(read = (p) => readFileSync(p, 'utf8')) {
  const tryRead = (p) => {
    try {
      return read(p).trim();
    } catch {
      return undefined;
    }
  };
  let limit;
  const tighter = (cpus) => {
    if (cpus !== undefined && (limit === undefined || cpus < limit)) limit = cpus;
  };
  const lines = (tryRead('/proc/self/cgroup') ?? '').split('\n');
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (v2 !== undefined) {
    const parts = v2.slice(3).split('/').filter(Boolean);
    for (let depth = parts.length; depth >= 0; depth--) {
      const dir = ['/sys/fs/cgroup', ...parts.slice(0, depth)].join('/');
      const max = tryRead(`${dir}/cpu.max`);
      if (!max) continue;
      const [quota, period] = max.split(/\s+/);
      if (quota !== 'max') tighter(quotaCpus(Number(quota), Number(period)));
    }
  }
  // v1 (or a hybrid host): the cpu controller's line, e.g. "4:cpu,cpuacct:/docker/<id>".
  const v1 = lines.map((l) => l.split(':')).find((f) => f[1] && f[1].split(',').includes('cpu'));
  if (v1) {
    for (const dir of [
      `/sys/fs/cgroup/${v1[1]}${v1[2] === '/' ? '' : v1[2]}`,
      '/sys/fs/cgroup/cpu',
    ]) {
      const quota = tryRead(`${dir}/cpu.cfs_quota_us`);
      const period = tryRead(`${dir}/cpu.cfs_period_us`);
      if (quota === undefined || period === undefined) continue;
      tighter(quotaCpus(Number(quota), Number(period)));
      break;
    }
  }
  return limit;
}

/** The cores this process may use: its affinity, lowered by a cgroup CPU limit. */
function usableCores(read) {
  const limit = cgroupCpuLimit(read);
  const cores = availableParallelism();
  return limit === undefined ? cores : Math.min(cores, limit);
}

if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(defaultThreadPoolSize(usableCores()));
}

module.exports = { defaultThreadPoolSize, cgroupCpuLimit, usableCores };
