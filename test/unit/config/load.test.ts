import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  deepMerge,
  interpolateEnv,
  loadConfig,
  redactConfig,
} from '../../../src/config/load.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lt-config-'));
  mkdirSync(join(dir, 'routes'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function issuesOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('LT_CONFIG_INVALID');
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

const ROUTE = `id: r1
from: { adapter: http, path: /x }
to: { endpoint: e }
service: s.X
`;

describe('loadConfig', () => {
  it('applies defaults and resolves paths against the config file', () => {
    const dir = project({ 'lienthong.yaml': 'server: { port: 9999 }\n', 'routes/r1.yaml': ROUTE });
    const { config, routes } = loadConfig({ file: join(dir, 'lienthong.yaml'), env: {} });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 9999, bodyLimit: 1048576 });
    expect(config.store.kind).toBe('sqlite');
    expect(config.store.path).toBe(join(dir, 'var/lienthong.db'));
    expect(config.routesDir).toBe(join(dir, 'routes'));
    expect(routes[0].def).toMatchObject({
      id: 'r1',
      auth: 'bearer',
      translate: [],
      signature: { signReply: true, require: false },
    });
  });

  it('reports a misspelled key with file, line and path', () => {
    const dir = project({
      'lienthong.yaml': 'server:\n  host: 0.0.0.0\n  prot: 8080\n',
      'routes/r1.yaml': ROUTE,
    });
    const [issue] = issuesOf(() => loadConfig({ file: join(dir, 'lienthong.yaml'), env: {} }));
    expect(issue).toMatchObject({ line: 3, path: 'server.prot', message: 'unknown property' });
    expect(issue.file).toBe(join(dir, 'lienthong.yaml'));
  });

  it('reports every problem at once, in routes too', () => {
    const dir = project({
      'lienthong.yaml': 'server: { port: "8080" }\n',
      'routes/r1.yaml': 'id: Bad Id\nfrom: { adapter: http }\nto: {}\nservice: s\n',
    });
    const issues = issuesOf(() => loadConfig({ file: join(dir, 'lienthong.yaml'), env: {} }));
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['server.port', 'id', 'to.endpoint']));
    expect(issues.find((i) => i.path === 'id')!.line).toBe(1);
  });

  it('refuses two routes with one id', () => {
    const dir = project({ 'lienthong.yaml': '', 'routes/a.yaml': ROUTE, 'routes/b.yaml': ROUTE });
    const issues = issuesOf(() => loadConfig({ file: join(dir, 'lienthong.yaml'), env: {} }));
    expect(issues[0].message).toMatch(/also defined/);
  });

  it('interpolates ${VAR} and ${VAR:-default}, and reports unset variables', () => {
    const dir = project({
      'lienthong.yaml':
        'store: { kind: postgres, url: "${PGURL}" }\ntokens: { issuer: "${ISS:-lt}" }\n',
      'routes/r1.yaml': ROUTE,
    });
    const { config } = loadConfig({
      file: join(dir, 'lienthong.yaml'),
      env: { PGURL: 'postgres://u@h/db' },
    });
    expect(config.store.url).toBe('postgres://u@h/db');
    expect(config.tokens.issuer).toBe('lt');
    const issues = issuesOf(() => loadConfig({ file: join(dir, 'lienthong.yaml'), env: {} }));
    expect(issues[0]).toMatchObject({
      path: 'store.url',
      message: 'environment variable PGURL is not set',
      line: 1,
    });
  });

  it('takes PORT, HOST, LIENTHONG_STORE and DATABASE_URL from the environment', () => {
    const dir = project({ 'lienthong.yaml': '', 'routes/r1.yaml': ROUTE });
    const { config } = loadConfig({
      file: join(dir, 'lienthong.yaml'),
      env: {
        PORT: '9090',
        HOST: '0.0.0.0',
        LIENTHONG_STORE: 'postgres',
        DATABASE_URL: 'postgres://x@y/z',
      },
    });
    expect(config.server).toMatchObject({ port: 9090, host: '0.0.0.0' });
    expect(config.store).toMatchObject({ kind: 'postgres', url: 'postgres://x@y/z' });
  });

  it('reports YAML syntax errors with their line', () => {
    const dir = project({ 'lienthong.yaml': 'server:\n  port: [1,\n', 'routes/r1.yaml': ROUTE });
    const issues = issuesOf(() => loadConfig({ file: join(dir, 'lienthong.yaml'), env: {} }));
    expect(issues[0].path).toBe('(yaml)');
    expect(issues[0].line).toBeGreaterThan(0);
  });
});

describe('helpers', () => {
  it('deepMerge merges objects, replaces arrays and deletes on null', () => {
    expect(deepMerge({ a: { b: 1, c: 2 }, l: [1] }, { a: { c: 3, b: null }, l: [2] })).toEqual({
      a: { c: 3 },
      l: [2],
    });
  });

  it('interpolateEnv leaves strings without references alone', () => {
    const missing: string[] = [];
    expect(interpolateEnv({ a: 'x', b: ['${Y}'] }, {}, (n) => missing.push(n))).toEqual({
      a: 'x',
      b: [''],
    });
    expect(missing).toEqual(['Y']);
  });

  it('redactConfig masks secrets and URL passwords', () => {
    expect(
      redactConfig({
        secretKey: 's',
        url: 'postgres://u:pw@h/db',
        nested: [{ apiKey: 'k', name: 'n' }],
      }),
    ).toEqual({
      secretKey: '***',
      url: 'postgres://u:***@h/db',
      nested: [{ apiKey: '***', name: 'n' }],
    });
  });
});
