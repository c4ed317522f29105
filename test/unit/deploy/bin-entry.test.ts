// bin/lienthong.cjs runs dist/ only when that build is current: a dist/ left by an
// older checkout (or by a test) must never run in place of the sources beside it.
import { afterEach, describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../helpers/paths.js';

const { chooseEntry } = createRequire(import.meta.url)(join(ROOT, 'bin', 'lienthong.cjs')) as {
  chooseEntry(root: string): { kind: 'built' | 'source'; file: string };
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A package root with the given files, each modified at the given second. */
function tree(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'lt-bin-'));
  dirs.push(root);
  for (const [rel, at] of Object.entries(files)) {
    const file = join(root, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '');
    utimesSync(file, at, at);
  }
  return root;
}

describe('bin/lienthong.cjs chooses what to run', () => {
  it('runs the sources when there is no build', () => {
    expect(chooseEntry(tree({ 'src/cli.ts': 1000 })).kind).toBe('source');
  });

  it('runs the build when there are no sources (the image)', () => {
    expect(chooseEntry(tree({ 'dist/src/cli.js': 1000 })).kind).toBe('built');
  });

  it('runs a build at least as new as every source (npm packs all files with one time)', () => {
    const root = tree({ 'src/cli.ts': 1000, 'adapters/x/a.ts': 1000, 'dist/src/cli.js': 1000 });
    expect(chooseEntry(root)).toEqual({ kind: 'built', file: join(root, 'dist/src/cli.js') });
  });

  it('ignores a stale build: a source under src/ or adapters/ changed after it', () => {
    expect(
      chooseEntry(tree({ 'src/cli.ts': 1000, 'src/a/b.ts': 3000, 'dist/src/cli.js': 2000 })).kind,
    ).toBe('source');
    expect(
      chooseEntry(tree({ 'src/cli.ts': 1000, 'adapters/npd/x.ts': 3000, 'dist/src/cli.js': 2000 }))
        .kind,
    ).toBe('source');
  });
});
