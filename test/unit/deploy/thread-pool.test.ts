import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../helpers/paths.js';

const PRELOAD = join(ROOT, 'bin', 'thread-pool.cjs');
const { defaultThreadPoolSize, cgroupCpuLimit, usableCores } = createRequire(import.meta.url)(
  PRELOAD,
) as {
  defaultThreadPoolSize(cores: number): number;
  cgroupCpuLimit(read?: (path: string) => string): number | undefined;
  usableCores(read?: (path: string) => string): number;
};

/** A file reader over a fake /proc and /sys: the files given, ENOENT for the rest. */
function fakeFs(files: Record<string, string>): (path: string) => string {
  return (path) => {
    if (path in files) return files[path];
    throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  };
}

/** UV_THREADPOOL_SIZE as a process started with the preload sees it. */
function poolSizeSeen(env: Record<string, string | undefined>): string {
  const r = spawnSync(
    process.execPath,
    ['--require', PRELOAD, '-p', 'process.env.UV_THREADPOOL_SIZE'],
    { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  return r.stdout.trim();
}

describe('bin/thread-pool.cjs (libuv pool sizing, docs/operations.md)', () => {
  it('gives the pool one thread per core beyond the event loop, between 1 and 4', () => {
    expect([1, 2, 3, 4, 5, 8, 64].map(defaultThreadPoolSize)).toEqual([1, 1, 2, 3, 4, 4, 4]);
  });

  it('sets UV_THREADPOOL_SIZE for this machine when the operator has not', () => {
    expect(poolSizeSeen({})).toBe(String(defaultThreadPoolSize(usableCores())));
    expect(usableCores()).toBeLessThanOrEqual(availableParallelism());
  });

  describe('a cgroup CPU limit (containers: docker --cpus, Kubernetes limits.cpu)', () => {
    it('cgroup v2: the limit of the own cgroup, in whole CPUs rounded up', () => {
      const v2 = (max: string) =>
        cgroupCpuLimit(fakeFs({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': max }));
      expect(v2('200000 100000\n')).toBe(2);
      expect(v2('150000 100000')).toBe(2);
      expect(v2('50000 100000')).toBe(1);
      expect(v2('max 100000')).toBeUndefined();
    });

    it('cgroup v2: an ancestor’s tighter limit applies to the process too', () => {
      const read = fakeFs({
        '/proc/self/cgroup': '0::/system.slice/lienthong.service\n',
        '/sys/fs/cgroup/system.slice/cpu.max': '100000 100000',
        '/sys/fs/cgroup/system.slice/lienthong.service/cpu.max': '400000 100000',
      });
      expect(cgroupCpuLimit(read)).toBe(1);
    });

    it('cgroup v1: cfs_quota_us over cfs_period_us, -1 meaning no limit', () => {
      const v1 = (quota: string, path = '/') =>
        cgroupCpuLimit(
          fakeFs({
            '/proc/self/cgroup': `5:cpu,cpuacct:${path}\n4:memory:${path}\n`,
            [`/sys/fs/cgroup/cpu,cpuacct${path === '/' ? '' : path}/cpu.cfs_quota_us`]: quota,
            [`/sys/fs/cgroup/cpu,cpuacct${path === '/' ? '' : path}/cpu.cfs_period_us`]: '100000',
          }),
        );
      expect(v1('300000')).toBe(3);
      expect(v1('300000', '/docker/abc')).toBe(3);
      expect(v1('-1')).toBeUndefined();
    });

    it('no cgroup files (macOS, a bare host): no limit, the affinity decides', () => {
      expect(cgroupCpuLimit(fakeFs({}))).toBeUndefined();
      expect(usableCores(fakeFs({}))).toBe(availableParallelism());
    });

    it('a limit below the machine’s cores sizes the pool by the limit', () => {
      const oneCpu = fakeFs({
        '/proc/self/cgroup': '0::/\n',
        '/sys/fs/cgroup/cpu.max': '100000 100000',
      });
      expect(usableCores(oneCpu)).toBe(1);
      const huge = fakeFs({
        '/proc/self/cgroup': '0::/\n',
        '/sys/fs/cgroup/cpu.max': '6400000 100000',
      });
      expect(usableCores(huge)).toBe(availableParallelism());
    });
  });

  it('leaves an operator’s own UV_THREADPOOL_SIZE alone', () => {
    expect(poolSizeSeen({ UV_THREADPOOL_SIZE: '7' })).toBe('7');
  });

  it('is preloaded by npm start, and required first by the lienthong launcher', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
      bin: Record<string, string>;
    };
    expect(pkg.scripts.start).toMatch(/^node --require \.\/bin\/thread-pool\.cjs /);
    expect(pkg.bin.lienthong).toBe('bin/lienthong.cjs');
    // The launcher's first require is the preload, before anything can start the pool...
    const code = readFileSync(join(ROOT, 'bin', 'lienthong.cjs'), 'utf8');
    expect(code.match(/require\([^)]*\)/)?.[0]).toBe("require('./thread-pool.cjs')");
    // ...and it does run the CLI (through tsx when there is no build).
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'lienthong.cjs'), 'check'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
      timeout: 60_000,
    });
    expect(r.stdout).toMatch(/^ok: /);
    expect(r.status).toBe(0);
  });
});
