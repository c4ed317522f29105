// The image runs the compiled JavaScript, not tsx (deploy/Dockerfile:
// `node --require ./bin/thread-pool.cjs dist/src/cli.js start`). No Docker engine
// runs here, so this builds as the image's build stage does (`npm run build`)
// and runs that command: what only breaks in compiled output (a path resolved
// from import.meta, the XSD worker loading libxml2 by URL, an import tsx
// forgives) fails here instead of in a container. The build goes to a
// directory of its own at dist/'s depth (paths from import.meta resolve the
// same) and is removed afterwards: a dist/ left behind would be what
// bin/lienthong.cjs runs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import { exampleConfigIn } from '../helpers/cli.js';
import { TRACUU } from '../../bench/fixtures.js';

let CLI: string[] = [];
const env = { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'warn' };

describe('the compiled gateway (dist/, as the image runs it)', () => {
  let dir: string;
  let out: string;
  let child: ChildProcess | undefined;
  const distBefore = existsSync(join(ROOT, 'dist'));

  beforeAll(() => {
    out = mkdtempSync(join(ROOT, '.dist-test-'));
    const build = spawnSync('npm', ['run', 'build', '--', '--outDir', out], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    expect(build.stderr + build.stdout).not.toMatch(/error TS/);
    expect(build.status).toBe(0);
    CLI = ['--require', './bin/thread-pool.cjs', join(out, 'src', 'cli.js')];
    dir = mkdtempSync(join(tmpdir(), 'lienthong-dist-'));
  }, 180_000);

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('leaves no dist/ behind for bin/lienthong.cjs to prefer', () => {
    expect(existsSync(join(ROOT, 'dist'))).toBe(distBefore);
  });

  it('lienthong --version prints the package version', () => {
    const r = spawnSync(process.execPath, [...CLI, '--version'], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('lienthong check passes on the shipped config', () => {
    const r = spawnSync(process.execPath, [...CLI, 'check'], { cwd: ROOT, env, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok: /);
    expect(r.status).toBe(0);
  });

  it('starts with the simulators and serves a SOAP lookup through /npd, XSD-validated and signed', async () => {
    const config = exampleConfigIn(dir);
    const started = spawn(process.execPath, [...CLI, 'start'], {
      cwd: ROOT,
      env: { ...env, LIENTHONG_CONFIG: config },
    });
    child = started;
    let out = '';
    started.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    started.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const banner = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner:\n${out}`)), 30_000);
      started.once('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
      started.stdout!.on('data', () => {
        if (/More ids: /.test(out)) {
          clearTimeout(timer);
          resolve(out);
        }
      });
    });
    const url = /lienthong is listening on (\S+)/.exec(banner)![1];
    const id = /"idNumber":"(\d{12})"/.exec(banner)![1];

    const token = (await (
      await fetch(`${url}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('demo:demo-secret').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      })
    ).json()) as { access_token: string };
    const soap = (body: string) =>
      fetch(`${url}/npd`, {
        method: 'POST',
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          soapaction: '""',
          authorization: `Bearer ${token.access_token}`,
        },
        body,
      });

    const ok = await soap(TRACUU(id));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-jws-signature')).toMatch(/^[\w-]+\.\.[\w-]{86}$/);
    expect(await ok.text()).toContain(`<ns1:SoDinhDanh>${id}</ns1:SoDinhDanh>`);

    // The XSD check runs in compiled code too: an 11-digit SoDinhDanh is refused with its code.
    const bad = await soap(TRACUU(id.slice(1)));
    expect(bad.status).toBe(500);
    expect(await bad.text()).toContain('<lt:code>LT_CONTRACT_REQUEST</lt:code>');

    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      /lienthong_xsd_worker_validations_total\{answer="worker-valid"\} [1-9]/,
    );

    const exit = new Promise<number | null>((resolve) => started.once('exit', resolve));
    started.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 60_000);
});
