#!/usr/bin/env node
// `lienthong` / `npx lienthong`: sizes the thread pool (see thread-pool.cjs), then
// runs the built JavaScript when there is a build, the TypeScript through tsx otherwise.
'use strict';
require('./thread-pool.cjs');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const root = join(__dirname, '..');
const built = join(root, 'dist', 'src', 'cli.js');

async function main() {
  if (existsSync(built)) {
    await import(pathToFileURL(built).href);
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    await import(pathToFileURL(join(root, 'src', 'cli.ts')).href);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
