import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';

/**
 * The example config with its state (store, keys) in `dir`, a free port, and
 * routes/contracts from the checkout; `extraLog` adds keys under `log:`,
 * `routesDir` points at other routes, `edit` changes the text last.
 */
export function exampleConfigIn(
  dir: string,
  extraLog: Record<string, string | number> = {},
  opts: { routesDir?: string; edit?: (text: string) => string } = {},
): string {
  const base = readFileSync(join(ROOT, 'lienthong.yaml'), 'utf8')
    .replace(/^( +port:) \d+.*$/m, '$1 0')
    .replace(/^( +path:) var\/lienthong\.db.*$/m, `$1 ${join(dir, 'lienthong.db')}`)
    .replace(/^( +file:) var\/keys\.json.*$/m, `$1 ${join(dir, 'keys.json')}`)
    .replace(/^routesDir: .*$/m, `routesDir: ${opts.routesDir ?? join(ROOT, 'routes')}`)
    .replace(/^contractsDir: .*$/m, `contractsDir: ${join(ROOT, 'contracts')}`)
    .replace(
      /^log:\n/m,
      `log:\n${Object.entries(extraLog)
        .map(([k, v]) => `  ${k}: ${v}\n`)
        .join('')}`,
    );
  const text = opts.edit ? opts.edit(base) : base;
  const file = join(dir, 'lienthong.yaml');
  writeFileSync(file, text);
  return file;
}

/** Resolves the gateway's URL from the start banner of a `lienthong start` child. */
export function bannerUrl(child: ChildProcess, output: () => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner:\n${output()}`)), 30_000);
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${output()}`)));
    child.stdout!.on('data', () => {
      const m = /lienthong is listening on (\S+)/.exec(output());
      if (m && /More ids: /.test(output())) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
}

/** `lienthong start` through tsx with `config`, stdout and stderr collected. */
export function startCli(
  config: string,
  nodeArgs: string[] = [],
): { child: ChildProcess; output: () => string } {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(ROOT, 'src/cli.ts'), 'start'],
    { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '', LIENTHONG_CONFIG: config } },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}
