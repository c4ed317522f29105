import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../helpers/paths.js';

const PRELOAD = join(ROOT, 'bin', 'thread-pool.cjs');
const { defaultThreadPoolSize } = createRequire(import.meta.url)(PRELOAD) as {
  defaultThreadPoolSize(cores: number): number;
};

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
    expect(poolSizeSeen({})).toBe(String(defaultThreadPoolSize(availableParallelism())));
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
