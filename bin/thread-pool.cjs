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
// It must be CommonJS and run first: libuv reads UV_THREADPOOL_SIZE once, when
// the pool starts, and the ES module loader starts it (async file reads) before
// any ES module's code runs. An operator's own UV_THREADPOOL_SIZE always wins.
'use strict';
const { availableParallelism } = require('node:os');

/** One pool thread per core beyond the event loop's, between 1 and libuv's default 4. */
function defaultThreadPoolSize(cores) {
  return Math.min(4, Math.max(1, Math.floor(cores) - 1));
}

if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(defaultThreadPoolSize(availableParallelism()));
}

module.exports = { defaultThreadPoolSize };
