// Logs appear when they happen: the buffered destination writes every
// log.flushIntervalMs while the gateway runs, and a crash writes what it holds.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bannerUrl, exampleConfigIn, startCli } from '../helpers/cli.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const started: { child: ChildProcess; dir: string }[] = [];
afterEach(() => {
  for (const { child, dir } of started.splice(0)) {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

function start(flushIntervalMs: number, nodeArgs: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), 'lt-flush-'));
  const cli = startCli(exampleConfigIn(dir, { flushIntervalMs }), nodeArgs);
  started.push({ child: cli.child, dir });
  return cli;
}

describe('the log destination', () => {
  it('writes a line within the flush interval, the gateway still running', async () => {
    const { child, output } = start(200);
    const url = await bannerUrl(child, output);
    // A refused request is one short line, far below the 4 KiB buffer.
    await fetch(`${url}/nowhere`, { headers: { 'x-request-id': 'flush-check-1' } });
    await sleep(600);
    expect(child.exitCode).toBeNull();
    expect(output()).toMatch(/"req":"flush-check-1".*"msg":"refused"/);
  }, 60_000);

  it('writes what it holds when the gateway crashes, interval or not', async () => {
    // A test hook: SIGUSR2 throws, as a bug would, outside any request.
    const hook = 'data:text/javascript,process.on("SIGUSR2",()=>{throw new Error("test crash")})';
    const { child, output } = start(10_000, ['--import', hook]);
    const url = await bannerUrl(child, output);
    await fetch(`${url}/nowhere`, { headers: { 'x-request-id': 'crash-check-1' } });
    await sleep(100);
    expect(output()).not.toContain('crash-check-1');
    const exit = new Promise<number | null>((r) => child.once('exit', r));
    child.kill('SIGUSR2');
    expect(await exit).toBe(1);
    expect(output()).toMatch(/"req":"crash-check-1".*"msg":"refused"/);
    expect(output()).toMatch(/"level":60.*test crash.*"msg":"crashed"/s);
  }, 60_000);
});
