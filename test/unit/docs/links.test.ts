import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

// README and docs/ must stay true to the tree: a relative link that points
// nowhere, or a bench knob the docs name that the bench does not read (or the
// reverse), fails here.
const ROOT = join(import.meta.dirname, '..', '..', '..');

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? markdownFiles(join(dir, e.name))
      : e.name.endsWith('.md')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('documentation', () => {
  it('links only to files that exist', () => {
    const broken: string[] = [];
    for (const file of [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))]) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].split('#')[0];
        if (!target || /^[a-z]+:/i.test(target)) continue;
        if (!existsSync(join(dirname(file), target)))
          broken.push(`${relative(ROOT, file)} → ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('names exactly the knobs npm run bench and bench:ab read', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'benchmarks.md'), 'utf8');
    const code =
      readFileSync(join(ROOT, 'bench', 'run.ts'), 'utf8') +
      readFileSync(join(ROOT, 'bench', 'ab.ts'), 'utf8') +
      readFileSync(join(ROOT, 'bench', 'queue.ts'), 'utf8') +
      readFileSync(join(ROOT, 'bench', 'procs', 'gateway.ts'), 'utf8');
    const knobs = (text: string) =>
      [...new Set([...text.matchAll(/\b((?:BENCH|AB)_[A-Z_]+)\b/g)].map((m) => m[1]))].sort();
    const read = knobs(
      [...code.matchAll(/process\.env\.((?:BENCH|AB)_[A-Z_]+)/g)].map((m) => m[1]).join(' '),
    );
    expect(read.length).toBeGreaterThan(5);
    expect(knobs(doc)).toEqual(read);
  });
});
