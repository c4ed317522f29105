import { describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { TRACUU } from '../../bench/fixtures.js';

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('lienthong --version', () => {
  it('prints the version of package.json', () => {
    const r = cli(['--version']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.out.trim()).toBe(pkg.version);
    expect(r.code).toBe(0);
  });
});

describe('lienthong check', () => {
  it('passes on the shipped config, routes and contracts', () => {
    const r = cli(['check']);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/^ok: .*lienthong\.yaml, \d+ route\(s\)/);
    expect(r.code).toBe(0);
  });

  it('prints each problem with file, line and path and exits non-zero', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-cli-'));
    mkdirSync(join(dir, 'routes'));
    writeFileSync(
      join(dir, 'lienthong.yaml'),
      'server:\n  port: 8080\n  colour: blue\ncontractsDir: ' + join(ROOT, 'contracts') + '\n',
    );
    writeFileSync(
      join(dir, 'routes', 'r.yaml'),
      'id: r\nfrom: { adapter: http, path: /x }\nto: { endpoint: nowhere }\nservice: s\ncontract: local/missing\n',
    );
    // The schema problem is found first; fix it and the cross-checks speak.
    const first = cli(['check', '-c', join(dir, 'lienthong.yaml')]);
    expect(first.code).toBe(1);
    expect(first.err).toContain(
      `${join(dir, 'lienthong.yaml')}:3:3  server.colour: unknown property`,
    );
    writeFileSync(
      join(dir, 'lienthong.yaml'),
      'server:\n  port: 8080\ncontractsDir: ' + join(ROOT, 'contracts') + '\n',
    );
    const second = cli(['check', '-c', join(dir, 'lienthong.yaml')]);
    expect(second.code).toBe(1);
    expect(second.err).toMatch(/r\.yaml:3:\d+ +to\.endpoint: no endpoint named "nowhere"/);
    expect(second.err).toMatch(/r\.yaml:5:\d+ +contract: contract "local\/missing" not found/);
  });
});

describe('lienthong keys', () => {
  /** A config naming only a key file, in a fresh directory; `c` is the CLI's -c option. */
  function keysConfig(): { dir: string; c: string[] } {
    const dir = mkdtempSync(join(tmpdir(), 'lt-keys-'));
    mkdirSync(join(dir, 'routes'));
    writeFileSync(
      join(dir, 'lienthong.yaml'),
      `keys: { file: ${join(dir, 'keys.json')} }\nroutesDir: ${join(dir, 'routes')}\n`,
    );
    return { dir, c: ['-c', join(dir, 'lienthong.yaml')] };
  }

  it('generates, rotates and lists keys by purpose; the file is private', () => {
    const { dir, c } = keysConfig();
    const gen = cli([...c, 'keys', 'generate']);
    expect(gen.code).toBe(0);
    const token = /token ([\w-]+)/.exec(gen.out)![1];
    const envelope = /envelope ([\w-]+)/.exec(gen.out)![1];
    expect(token).not.toBe(envelope);
    expect(statSync(join(dir, 'keys.json')).mode & 0o777).toBe(0o600);
    const rot = cli([...c, 'keys', 'rotate', '--purpose', 'envelope']);
    expect(rot.code).toBe(0);
    const second = /new active envelope key (\S+)/.exec(rot.out)![1];
    expect(rot.out).not.toContain('token key');
    expect(second).not.toBe(envelope);
    const list = cli([...c, 'keys', 'list']).out;
    expect(list).toMatch(new RegExp(`\\* ${second}  ES256  envelope`));
    expect(list).toMatch(new RegExp(`  ${envelope}  ES256  envelope`));
    expect(list).toMatch(new RegExp(`\\* ${token}  ES256  token`));
    const tokensOnly = cli([...c, 'keys', 'list', '--purpose', 'token']).out;
    expect(tokensOnly).toContain(token);
    expect(tokensOnly).not.toContain(envelope);
    const doc = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8'));
    expect(doc.keys).toHaveLength(3);
    expect(doc.purposes[token]).toBe('token');
    // A purpose that does not exist, and removing a key under the wrong purpose, are refused.
    expect(cli([...c, 'keys', 'rotate', '--purpose', 'everything']).code).toBe(1);
    const wrong = cli([...c, 'keys', 'remove', envelope, '--purpose', 'token']);
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('LT_CONFIG_INVALID');
    expect(cli([...c, 'keys', 'remove', envelope, '--purpose', 'envelope']).code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')).keys).toHaveLength(2);
  }, 180_000);

  it('generate adds a token key to a key file from before purposes', () => {
    const { dir, c } = keysConfig();
    expect(cli([...c, 'keys', 'generate']).code).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8'));
    const envelope = Object.keys(doc.purposes).find((k) => doc.purposes[k] === 'envelope')!;
    writeFileSync(
      join(dir, 'keys.json'),
      JSON.stringify({ keys: doc.keys.filter((k: { kid: string }) => k.kid === envelope) }),
    );
    const before = cli([...c, 'keys', 'list']).out;
    expect(before).toContain(`* ${envelope}  ES256  envelope`);
    expect(before).not.toContain('token');
    const gen = cli([...c, 'keys', 'generate']);
    expect(gen.out).toContain(`envelope ${envelope}`);
    expect(gen.out).toMatch(/token [\w-]+/);
    expect(
      Object.values(JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8')).purposes),
    ).toEqual(['envelope', 'token']);
  }, 120_000);

  it('hashes a client secret that the gateway accepts', () => {
    const r = cli(['secret', 'hunter2']);
    expect(r.out.trim()).toMatch(/^scrypt\$16384\$8\$1\$/);
  });
});

describe('lienthong simulate', () => {
  it('runs the NPD simulator on its own: a SOAP lookup answers, SIGTERM stops it cleanly', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'simulate', 'npd', '-o', 'size=30'],
      { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'warn' } },
    );
    try {
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 30_000);
        child.stdout.on('data', () => {
          const m = /npd simulator listening on (\S+)/.exec(out);
          if (m && /e\.g\. +(\d{12})/.test(out)) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      const id = /e\.g\. +(\d{12})/.exec(out)![1];
      const res = await fetch(`${url}/npd`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '""' },
        body: TRACUU(id),
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(`<ns1:SoDinhDanh>${id}</ns1:SoDinhDanh>`);
      const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses options the simulator schema refuses, each with its path', () => {
    const r = cli(['simulate', 'npd', '-o', 'size=0', '-o', 'faults.errorRate=2']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('npd simulator options  size: must be >= 1');
    expect(r.err).toContain('npd simulator options  faults.errorRate: must be <= 1');
  });
});
