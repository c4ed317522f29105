import { generateKeyPairSync, sign } from 'node:crypto';
import { performance } from 'node:perf_hooks';
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const data = Buffer.alloc(1200, 1);
const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
const syncT = [], asyncT = [];
for (let i = 0; i < 50; i++) sign('sha256', data, privateKey);
for (let i = 0; i < 400; i++) {
  let t0 = performance.now(); sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }); syncT.push(performance.now() - t0);
  t0 = performance.now();
  await new Promise((r) => sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }, r));
  asyncT.push(performance.now() - t0);
  await new Promise((r) => setTimeout(r, 3)); // idle between, as at a moderate rate
}
console.log(`UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE} sync p50 ${q(syncT,.5).toFixed(3)} p99 ${q(syncT,.99).toFixed(3)} | async (pool hop) p50 ${q(asyncT,.5).toFixed(3)} p99 ${q(asyncT,.99).toFixed(3)} ms`);
