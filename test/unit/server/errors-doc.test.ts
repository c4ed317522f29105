import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ERROR_SECTIONS,
  groupCodes,
  REGENERATE_COMMAND,
  renderErrorsDoc,
} from '../../../src/server/errors-doc.js';
import { ERRORS, type ErrorCode } from '../../../src/message/errors.js';

const ROOT = join(import.meta.dirname ?? dirname(new URL(import.meta.url).pathname), '../../..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');
const codes = Object.keys(ERRORS) as ErrorCode[];

/** Table rows of the document: code → cells, split on unescaped pipes. */
function rows(doc: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const m = /^\| `(LT_[A-Z0-9_]+)` \|/.exec(line);
    if (!m) continue;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|').replace(/\\\\/g, '\\'));
    out.set(m[1], cells);
  }
  return out;
}

/** The groups of the table as errors.ts writes them: `// ---- heading ----` then codes. */
function sourceGroups(): { heading: string; codes: string[] }[] {
  const groups: { heading: string; codes: string[] }[] = [];
  for (const line of read('src/message/errors.ts').split('\n')) {
    const h = /^\s*\/\/ -{2,} (.+?) -{2,}\s*$/.exec(line);
    if (h) groups.push({ heading: h[1], codes: [] });
    const c = /^\s*(LT_[A-Z0-9_]+)\s*:/.exec(line);
    if (c && groups.length) groups[groups.length - 1].codes.push(c[1]);
  }
  return groups;
}

describe('docs/errors.md (R8)', () => {
  it('is exactly what renderErrorsDoc() produces — regenerate it after changing the table', () => {
    // On failure, run the command in the file's header (REGENERATE_COMMAND).
    expect(read('docs/errors.md')).toBe(renderErrorsDoc());
  });

  it('lists every code of the table once, with its HTTP status, SOAP faultcode, blame, retry and both texts', () => {
    const table = rows(renderErrorsDoc());
    expect([...table.keys()].sort()).toEqual([...codes].sort());
    for (const code of codes) {
      const s = ERRORS[code];
      expect(table.get(code)).toEqual([
        `\`${code}\``,
        String(s.http),
        `\`soap:${s.soap}\``,
        s.blame,
        s.retry ? 'yes' : 'no',
        s.en,
        s.vi,
      ]);
    }
  });

  it('is grouped as the table in errors.ts is, in the same order', () => {
    const source = sourceGroups();
    expect(source.length).toBeGreaterThan(1);
    const doc = groupCodes();
    expect(doc.map((g) => ({ heading: g.section?.en.toLowerCase(), codes: g.codes }))).toEqual(
      source.map((g) => ({ heading: g.heading.toLowerCase(), codes: g.codes })),
    );
    // Each group is a section of the document, in order.
    const headings = renderErrorsDoc()
      .split('\n')
      .filter((l) => l.startsWith('## '));
    expect(headings).toEqual(ERROR_SECTIONS.map((s) => `## ${s.en} — ${s.vi}`));
  });

  it('explains how each kind of caller receives the code, and how to regenerate the file', () => {
    const doc = renderErrorsDoc();
    expect(doc).toContain('application/problem+json');
    expect(doc).toContain('soap:Client');
    expect(doc).toContain('(R8)');
    expect(doc).toContain(REGENERATE_COMMAND);
    expect(REGENERATE_COMMAND).toContain("import('./src/server/errors-doc.ts')");
    // The problem+json example is the gateway's real rendering of a code from the table.
    const example = /```json\n([\s\S]*?)```/.exec(doc)![1];
    const body = JSON.parse(example) as { code: ErrorCode; status: number; message_vi: string };
    expect(body.status).toBe(ERRORS[body.code].http);
    expect(body.message_vi).toBe(ERRORS[body.code].vi);
  });
});
