/** Starting the bench's processes and reading what they cost; shared by run.ts and ab.ts. */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Starts `script` of the checkout at `root` with tsx and resolves its
 * "READY <url>" line. The child goes into `children` at once, so whoever
 * started it can stop it by PID even if it never gets ready.
 */
export function launch(
  children: ChildProcess[],
  root: string,
  script: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    // The gateway logs one line per exchange to stdout: send it to /dev/null, not through
    // this process, which is busy generating the load. Its READY line comes on stderr.
    const gateway = script.endsWith('gateway.ts');
    // The gateway starts as `npm start` starts it: thread pool sized by bin/thread-pool.cjs.
    const preload = gateway ? ['--require', join(root, 'bin', 'thread-pool.cjs')] : [];
    const child = spawn(
      process.execPath,
      [...nodeArgs, ...preload, '--import', 'tsx', join(root, script)],
      {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ['ignore', gateway ? openSync('/dev/null', 'w') : 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = /READY (\S+)/.exec(seen);
      if (m) resolve({ url: m[1], child });
      if (seen.length > 65536) seen = seen.slice(-4096);
    };
    // Logs go to stdout; only the READY line is read, the rest drains.
    child.stdout?.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${script} exited with ${code} before READY:\n${seen.slice(-2000)}`)),
    );
  });
}

/** CPU time (µs) a process has used so far: utime + stime from /proc (Linux; throws elsewhere). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5), in clock ticks (100 Hz).
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** A bearer token for the demo client of the example config. */
export async function demoToken(gateway: string): Promise<string> {
  const res = await fetch(`${gateway}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('demo:demo-secret').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
