#!/usr/bin/env node
// `lienthong` / `npx lienthong`: sizes the thread pool (see thread-pool.cjs), then
// runs the built JavaScript when there is a current build, the TypeScript through tsx otherwise.
'use strict';
require('./thread-pool.cjs');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

/** Newest modification time (ms) of the files under `dir`, 0 when it does not exist. */
function newestUnder(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The entry point to run in the checkout or package at `root`: dist/src/cli.js
 * when there are no sources (the image ships only dist/), or when the build is
 * at least as new as every source file; src/cli.ts otherwise, so a build left
 * behind by an older checkout never runs in place of the code beside it.
 */
function chooseEntry(root) {
  const built = join(root, 'dist', 'src', 'cli.js');
  const source = join(root, 'src', 'cli.ts');
  if (!existsSync(built)) return { kind: 'source', file: source };
  if (!existsSync(source)) return { kind: 'built', file: built };
  const sources = Math.max(newestUnder(join(root, 'src')), newestUnder(join(root, 'adapters')));
  return statSync(built).mtimeMs >= sources
    ? { kind: 'built', file: built }
    : { kind: 'source', file: source };
}

async function main() {
  const entry = chooseEntry(join(__dirname, '..'));
  if (entry.kind === 'source') {
    const { register } = await import('tsx/esm/api');
    register();
  }
  await import(pathToFileURL(entry.file).href);
}

module.exports = { chooseEntry };

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
