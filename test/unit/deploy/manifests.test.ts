import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { builtinAdapters } from '../../../adapters/index.js';
import { translationSteps } from '../../../src/catalogs/index.js';
import { crossCheck } from '../../../src/config/check.js';
import { ConfigError, interpolateEnv, loadConfig, type Env } from '../../../src/config/load.js';
import { ConfigSchema, type GatewayConfig } from '../../../src/config/schema.js';
import { checkSchema } from '../../../src/config/validate.js';
import { registerSystemRoutes, type SystemDeps } from '../../../src/server/system-routes.js';
import { ContractRegistry } from '../../../src/validation/contracts.js';
import { xmlContractLoader } from '../../../src/validation/xml.js';
import { pino } from 'pino';
import { createAuth } from '../../../adapters/npd/auth.js';
import { TRACUU } from '../../../bench/fixtures.js';
import { simulatorOptions, startStandaloneSimulator } from '../../../src/simulator/standalone.js';

/*
 * The deployment files are code the gateway does not run in its own tests, so
 * they are checked against the code they configure: the real config schema and
 * loader, the env names the loader reads, the paths the server registers, the
 * build's output layout. A typo in any of them fails here, not in production.
 */

const ROOT = join(import.meta.dirname ?? dirname(new URL(import.meta.url).pathname), '../../..');
const DEPLOY = join(ROOT, 'deploy');
const read = (...p: string[]) => readFileSync(join(ROOT, ...p), 'utf8');

type Obj = Record<string, any>;

function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...yamlFilesUnder(p));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

function docsOf(file: string): Obj[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Obj);
}

const k8sDocs = (): Obj[] =>
  readdirSync(join(DEPLOY, 'k8s'))
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .flatMap((f) => docsOf(join(DEPLOY, 'k8s', f)));
const k8s = (kind: string, name?: string): Obj => {
  const found = k8sDocs().filter((d) => d.kind === kind && (!name || d.metadata.name === name));
  expect(found).toHaveLength(1);
  return found[0];
};
const deployment = () => k8s('Deployment', 'lienthong');
const container = () => deployment().spec.template.spec.containers[0] as Obj;
const compose = () => parse(read('deploy/compose.yaml')) as Obj;
const gatewayService = () => compose().services.gateway as Obj;

/** `${NAME}` references without a default, found exactly the way the loader finds them. */
function requiredEnv(value: unknown): Set<string> {
  const names = new Set<string>();
  interpolateEnv(value, {}, (name) => names.add(name));
  return names;
}

const productionText = () => read('deploy/config/production.yaml');
const productionRoutes = (): Record<string, string> =>
  Object.fromEntries(
    readdirSync(join(DEPLOY, 'config/routes'))
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => [f, read('deploy/config/routes', f)]),
  );

/** What the production config and its routes require from the environment. */
function requiredByProduction(): Set<string> {
  const names = requiredEnv(parse(productionText()));
  for (const text of Object.values(productionRoutes()))
    for (const n of requiredEnv(parse(text))) names.add(n);
  return names;
}

/** Env names the loader itself reads (`env.NAME` in src/config/load.ts). */
function loaderEnvNames(): Set<string> {
  return new Set(
    [...read('src/config/load.ts').matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]),
  );
}

/** The Deployment's env as the container sees it; secret references get a dummy value. */
function deploymentEnv(): Env {
  const env: Env = {};
  for (const e of container().env as Obj[])
    env[e.name] = e.value ?? `dummy-${e.name.toLowerCase()}`;
  return env;
}

/** compose's own interpolation of `${X}`, `${X:-default}`, `${X:?message}` from a .env. */
function composeInterpolate(value: string, dotenv: Env): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-?])([^}]*))?\}/g, (_m, n, op, arg) => {
    const v = dotenv[n];
    if (v) return v;
    if (op === '-') return arg;
    throw new Error(`compose would stop: ${n} is required (${arg})`);
  });
}

/** deploy/.env.example as a user fills it in: every empty value gets a dummy. */
function dotenv(): Env {
  const env: Env = {};
  for (const line of read('deploy/.env.example').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2] || `dummy-${m[1].toLowerCase()}`;
  }
  return env;
}

/** A compose service's environment after compose's interpolation. */
function composeEnv(service = 'gateway'): Env {
  const env: Env = {};
  for (const [k, v] of Object.entries(compose().services[service].environment as Obj))
    env[k] = composeInterpolate(String(v), dotenv());
  return env;
}

/** Lays out a config directory as both compose and Kubernetes mount it. */
function configDir(configText: string, routes: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'lt-deploy-'));
  writeFileSync(join(dir, 'lienthong.yaml'), configText);
  mkdirSync(join(dir, 'routes'));
  for (const [name, text] of Object.entries(routes)) writeFileSync(join(dir, 'routes', name), text);
  return dir;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function load(configText: string, routes: Record<string, string>, env: Env) {
  const dir = configDir(configText, routes);
  dirs.push(dir);
  return { dir, loaded: loadConfig({ file: join(dir, 'lienthong.yaml'), env, cwd: dir }) };
}

describe('every YAML file under deploy/', () => {
  const files = yamlFilesUnder(DEPLOY);

  it('finds the files this test is about', () => {
    const names = files.map((f) => relative(DEPLOY, f));
    expect(names).toEqual(
      expect.arrayContaining([
        'compose.yaml',
        'config/production.yaml',
        'k8s/configmap.yaml',
        'k8s/deployment.yaml',
        'k8s/kustomization.yaml',
        'k8s/pdb.yaml',
        'k8s/secret.example.yaml',
        'k8s/service.yaml',
      ]),
    );
  });

  it.each(files.map((f) => [relative(DEPLOY, f), f]))('%s parses (every document)', (_n, file) => {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect(d.errors.map((e) => e.message)).toEqual([]);
      expect(d.toJS()).toBeTruthy();
    }
  });
});

describe('deploy/config/production.yaml', () => {
  it('passes the real loader with the environment the Kubernetes Deployment gives it', () => {
    const { dir, loaded } = load(productionText(), productionRoutes(), deploymentEnv());
    const c: GatewayConfig = loaded.config;
    expect(c.store.kind).toBe('postgres');
    expect(c.store.url).toBe(deploymentEnv().DATABASE_URL);
    expect(c.keys.generateIfMissing).toBe(false);
    expect(c.keys.file).toBe(join(dir, 'keys/keys.json'));
    expect(c.server.port).toBe(8080);
    expect(c.server.host).toBe('0.0.0.0');
    expect(loaded.routes.length).toBeGreaterThan(0);
  });

  it('passes the real loader with the environment compose gives it', () => {
    const env = composeEnv();
    const { loaded } = load(productionText(), productionRoutes(), env);
    expect(loaded.config.store.url).toBe(env.DATABASE_URL);
    expect(loaded.config.store.url).toMatch(/^postgres:\/\/lienthong:.+@postgres:5432\/lienthong$/);
  });

  it('has no demo client, no simulator and no endpoint served by one', () => {
    const { loaded } = load(productionText(), productionRoutes(), deploymentEnv());
    const c = loaded.config;
    expect(c.clients.length).toBeGreaterThan(0);
    expect(c.clients.filter((cl) => cl.demo)).toEqual([]);
    expect(c.simulators).toEqual([]);
    expect(Object.values(c.peers).filter((p) => p.self)).toEqual([]);
    for (const ep of Object.values(c.endpoints)) {
      expect(ep.simulator).toBeUndefined();
      expect(ep.url).toMatch(/^https?:\/\//);
    }
    // Every client's routes exist (no '*' grant in production, R10).
    const ids = new Set(loaded.routes.map((r) => r.def.id));
    for (const cl of c.clients) for (const r of cl.routes) expect(ids.has(r)).toBe(true);
  });

  it('keeps NPD secrets in the environment and out of the file', () => {
    const npd = (parse(productionText()) as Obj).endpoints.npd;
    expect(npd.adapter).toBe('npd');
    expect(JSON.stringify(npd.options.auth)).not.toMatch(/:-/); // no default secret values
    expect([...requiredEnv(npd)].sort()).toEqual(
      expect.arrayContaining(['NPD_API_KEY', 'NPD_SECRET', 'NPD_URL', 'NPD_USERNAME']),
    );
  });

  it('fails the loader when a key is misspelled (the checks above can fail)', () => {
    const typo = productionText().replace('generateIfMissing: false', 'generateIfMising: false');
    expect(typo).not.toBe(productionText());
    let err: unknown;
    try {
      load(typo, productionRoutes(), deploymentEnv());
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('LT_CONFIG_INVALID');
    expect((err as ConfigError).issues.map((i) => i.path)).toContain('keys.generateIfMising');
  });

  it('fails the loader when an environment variable it references is missing', () => {
    const env = deploymentEnv();
    delete env.NPD_SECRET;
    let err: unknown;
    try {
      load(productionText(), productionRoutes(), env);
    } catch (e) {
      err = e;
    }
    expect((err as ConfigError).code).toBe('LT_CONFIG_INVALID');
    expect((err as ConfigError).issues.map((i) => i.message).join('\n')).toContain('NPD_SECRET');
  });
});

describe('deploy/config/production.yaml under `lienthong check`', () => {
  it('passes the cross-checks the gateway runs at start: adapter options, contracts, WSDL, names', () => {
    const env = { ...deploymentEnv(), LIENTHONG_CONTRACTS_DIR: join(ROOT, 'contracts') };
    const { loaded } = load(productionText(), productionRoutes(), env);
    const contracts = new ContractRegistry(
      loaded.config.contractsDir,
      xmlContractLoader(loaded.config.xml),
    );
    const issues = crossCheck(
      loaded,
      builtinAdapters(),
      contracts,
      new Set(Object.keys(translationSteps)),
    );
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([]);
  });
});

describe('the Kubernetes ConfigMap', () => {
  const data = () => k8s('ConfigMap', 'lienthong-config').data as Record<string, string>;

  it('holds production.yaml and the production routes verbatim', () => {
    expect(data()['lienthong.yaml']).toBe(productionText());
    const { ['lienthong.yaml']: _config, ...routes } = data();
    expect(routes).toEqual(productionRoutes());
  });

  it('validates against the config schema on its own (misspelled keys fail)', () => {
    const raw = interpolateEnv(parse(data()['lienthong.yaml']), deploymentEnv(), () => {
      throw new Error('unset variable');
    });
    const res = checkSchema(ConfigSchema, raw);
    expect(res.ok ? [] : res.issues).toEqual([]);
  });

  it('passes the real loader laid out as the Deployment projects it', () => {
    const { ['lienthong.yaml']: config, ...routes } = data();
    const { loaded } = load(config, routes, deploymentEnv());
    expect(loaded.routes.map((r) => r.def.id).sort()).toEqual(
      load(productionText(), productionRoutes(), deploymentEnv())
        .loaded.routes.map((r) => r.def.id)
        .sort(),
    );
  });

  it('is projected entirely: config at the LIENTHONG_CONFIG path, every route under routes/', () => {
    const vol = (deployment().spec.template.spec.volumes as Obj[]).find((v) => v.projected)!;
    const mount = (container().volumeMounts as Obj[]).find((m) => m.name === vol.name)!;
    const cmItems = (vol.projected.sources as Obj[]).find(
      (s) => s.configMap?.name === 'lienthong-config',
    )!.configMap.items as Obj[];
    const byKey = Object.fromEntries(cmItems.map((i) => [i.key, i.path]));
    expect(Object.keys(byKey).sort()).toEqual(Object.keys(data()).sort());
    expect(posix.join(mount.mountPath, byKey['lienthong.yaml'])).toBe(
      deploymentEnv().LIENTHONG_CONFIG,
    );
    for (const [key, path] of Object.entries(byKey))
      if (key !== 'lienthong.yaml') expect(path).toBe(`routes/${key}`);
    expect(mount.readOnly).toBe(true);
  });
});

describe('environment variables', () => {
  const gatewayReads = () => new Set([...loaderEnvNames(), ...requiredByProduction()]);

  it('the loader reads the names the manifests rely on', () => {
    expect([...loaderEnvNames()]).toEqual(
      expect.arrayContaining([
        'PORT',
        'HOST',
        'LOG_LEVEL',
        'LIENTHONG_STORE',
        'DATABASE_URL',
        'LIENTHONG_CONFIG',
      ]),
    );
  });

  it('every ${NAME} the production config needs is set by compose and by the Deployment', () => {
    const required = [...requiredByProduction()];
    expect(required.length).toBeGreaterThan(0);
    expect(Object.keys(gatewayService().environment)).toEqual(expect.arrayContaining(required));
    expect(Object.keys(deploymentEnv())).toEqual(expect.arrayContaining(required));
  });

  it('compose and the Deployment set nothing the gateway does not read (no typos)', () => {
    const known = gatewayReads();
    for (const name of Object.keys(gatewayService().environment))
      expect([name, known.has(name)]).toEqual([name, true]);
    for (const name of Object.keys(deploymentEnv()))
      expect([name, known.has(name)]).toEqual([name, true]);
  });

  it('both select PostgreSQL, a valid log level and the default port', () => {
    const levels = (ConfigSchema.properties.log.properties.level.anyOf as Obj[]).map(
      (s) => s.const,
    );
    for (const env of [composeEnv(), deploymentEnv()]) {
      expect(env.LIENTHONG_STORE).toBe('postgres');
      expect(levels).toContain(env.LOG_LEVEL);
      expect(env.PORT).toBe(String(ConfigSchema.properties.server.properties.port.default));
      expect(env.HOST).toBe('0.0.0.0');
      expect(env.DATABASE_URL).toBeTruthy();
    }
  });

  it('every secret the Deployment references exists in the example Secret', () => {
    const secrets = k8sDocs().filter((d) => d.kind === 'Secret');
    for (const e of container().env as Obj[]) {
      const ref = e.valueFrom?.secretKeyRef;
      if (!ref) continue;
      const s = secrets.find((d) => d.metadata.name === ref.name);
      expect([e.name, Object.keys(s?.stringData ?? {})]).toEqual([
        e.name,
        expect.arrayContaining([ref.key]),
      ]);
    }
  });
});

describe('mounts: where the config expects its routes and key file', () => {
  const configPath = '/etc/lienthong/lienthong.yaml';
  let keysFile: string;
  beforeAll(() => {
    keysFile = (parse(productionText()) as Obj).keys.file;
  });

  it('the image, compose and the Deployment agree on LIENTHONG_CONFIG', () => {
    expect(dockerfile().runtimeEnv.LIENTHONG_CONFIG).toBe(configPath);
    expect(composeEnv().LIENTHONG_CONFIG).toBe(configPath);
    expect(deploymentEnv().LIENTHONG_CONFIG).toBe(configPath);
  });

  it('compose mounts the config, routes/ and keys.file where the config resolves them', () => {
    const vols = gatewayService().volumes as Obj[];
    const target = (t: string) => vols.find((v) => v.target === t);
    const base = posix.dirname(configPath);
    expect(target(configPath)?.source).toBe('./config/production.yaml');
    expect(target(posix.join(base, 'routes'))?.source).toBe('./config/routes');
    const keys = target(posix.join(base, keysFile));
    expect(keys?.read_only).toBe(true);
    expect(keys?.bind?.create_host_path).toBe(false);
    for (const v of vols)
      if (v.type === 'bind' && v.source !== './secrets/keys.json')
        expect(existsSync(join(DEPLOY, v.source))).toBe(true);
  });

  it('the Deployment projects the key Secret at keys.file', () => {
    const vol = (deployment().spec.template.spec.volumes as Obj[]).find((v) => v.projected)!;
    const mount = (container().volumeMounts as Obj[]).find((m) => m.name === vol.name)!;
    expect(mount.mountPath).toBe(posix.dirname(configPath));
    const secretItems = (vol.projected.sources as Obj[]).find((s) => s.secret)!.secret;
    expect(secretItems.name).toBe('lienthong-keys');
    expect(secretItems.items).toEqual([{ key: 'keys.json', path: keysFile }]);
  });
});

describe('the Kubernetes Deployment', () => {
  /** Paths the real system routes register, read from a recording server. */
  function registeredGets(): Set<string> {
    const gets = new Set<string>();
    const server = { get: (p: string) => gets.add(p), post: () => undefined };
    const cfg = checkSchema(ConfigSchema, {});
    if (!cfg.ok) throw new Error('defaults do not validate');
    registerSystemRoutes(
      server as never,
      {
        config: cfg.value,
        routes: new Map(),
        contracts: { get: () => undefined, shared: new Map() } as never,
      } as unknown as SystemDeps,
    );
    return gets;
  }

  it('probes paths the server registers: liveness /healthz, readiness /readyz', () => {
    const gets = registeredGets();
    const c = container();
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    expect(c.readinessProbe.httpGet.path).toBe('/readyz');
    for (const p of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
      expect(gets.has(p.httpGet.path)).toBe(true);
      expect(p.httpGet.port).toBe(c.ports[0].name);
    }
    const ann = deployment().spec.template.metadata.annotations;
    expect(gets.has(ann['prometheus.io/path'])).toBe(true);
    expect(Number(ann['prometheus.io/port'])).toBe(c.ports[0].containerPort);
  });

  it('runs 2 replicas, non-root, read-only root with emptyDir for var/ and /tmp, with resources', () => {
    const d = deployment();
    const pod = d.spec.template.spec;
    const c = container();
    expect(d.spec.replicas).toBe(2);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
    const emptyDirs = new Set((pod.volumes as Obj[]).filter((v) => v.emptyDir).map((v) => v.name));
    const mounted = (c.volumeMounts as Obj[])
      .filter((m) => emptyDirs.has(m.name))
      .map((m) => m.mountPath);
    expect(mounted).toEqual(expect.arrayContaining(['/app/var', '/tmp']));
    expect(c.resources.requests.cpu).toBeTruthy();
    expect(c.resources.requests.memory).toBeTruthy();
    expect(c.resources.limits.memory).toBeTruthy();
    expect(c.ports[0].containerPort).toBe(ConfigSchema.properties.server.properties.port.default);
  });

  it('the Service and the PodDisruptionBudget select the Deployment’s pods', () => {
    const labels = deployment().spec.template.metadata.labels;
    const svc = k8s('Service', 'lienthong');
    const pdb = k8s('PodDisruptionBudget', 'lienthong');
    expect(labels).toMatchObject(svc.spec.selector);
    expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
    expect(labels).toMatchObject(deployment().spec.selector.matchLabels);
    expect(svc.spec.ports[0].targetPort).toBe(container().ports[0].name);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment().spec.replicas);
  });

  it('manifests name no namespace, and the kustomization lists every one but the example Secret', () => {
    const dir = join(DEPLOY, 'k8s');
    for (const d of k8sDocs()) {
      expect(d.metadata.name).toBeTruthy();
      expect(d.metadata.namespace).toBeUndefined();
    }
    const kz = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Obj;
    expect(kz.namespace).toBeUndefined();
    const manifests = readdirSync(dir).filter(
      (f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml',
    );
    expect([...kz.resources].sort()).toEqual(
      manifests.filter((f) => f !== 'secret.example.yaml').sort(),
    );
    // The example Secret holds placeholders only.
    for (const s of docsOf(join(dir, 'secret.example.yaml'))) {
      expect(s.kind).toBe('Secret');
      for (const v of Object.values(s.stringData as Record<string, string>))
        expect(v).toBe('REPLACE-ME');
    }
    expect(kz.images.map((i: Obj) => i.name)).toContain(container().image.split(':')[0]);
  });
});

interface DockerStage {
  from: string;
  name?: string;
  lines: { op: string; args: string }[];
}

/** Dockerfile instructions by stage (continuations joined, comments dropped). */
function parseDockerfile(text: string): DockerStage[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  const stages: DockerStage[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1].toUpperCase();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(m[2])!;
      stages.push({ from: f[1], name: f[2], lines: [] });
    } else if (stages.length) stages[stages.length - 1].lines.push({ op, args: m[2].trim() });
  }
  return stages;
}

function dockerfile() {
  const stages = parseDockerfile(read('deploy/Dockerfile'));
  const build = stages.find((s) => s.name === 'build')!;
  const runtime = stages[stages.length - 1];
  const all = (s: DockerStage, op: string) => s.lines.filter((l) => l.op === op).map((l) => l.args);
  const runtimeEnv: Record<string, string> = {};
  for (const args of all(runtime, 'ENV'))
    for (const m of args.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)) runtimeEnv[m[1]] = m[2];
  return { stages, build, runtime, all, runtimeEnv };
}

describe('deploy/Dockerfile', () => {
  it('runs the file the build produces: dist/src/cli.js from tsconfig.build.json', () => {
    const { build, runtime, all } = dockerfile();
    const base = JSON.parse(read('tsconfig.json')).compilerOptions;
    const buildTs = JSON.parse(read('tsconfig.build.json'));
    expect(buildTs.extends).toBe('./tsconfig.json');
    const opts = { ...base, ...(buildTs.compilerOptions ?? {}) };
    expect(buildTs.include ?? []).toContain('src');
    const expected = posix
      .join(opts.outDir, posix.relative(opts.rootDir, 'src/cli.ts'))
      .replace(/\.ts$/, '.js');
    expect(expected).toBe('dist/src/cli.js');
    expect(existsSync(join(ROOT, 'src/cli.ts'))).toBe(true);

    const cmd = JSON.parse(all(runtime, 'CMD').at(-1)!) as string[];
    expect(all(runtime, 'ENTRYPOINT')).toEqual([]);
    expect(cmd).toEqual(['node', '--require', './bin/thread-pool.cjs', expected, 'start']);
    expect(existsSync(join(ROOT, 'bin/thread-pool.cjs'))).toBe(true);
    expect(all(runtime, 'COPY')).toContain('bin ./bin');
    // The build compiles with that tsconfig and the runtime copies its output beside package.json.
    const pkg = JSON.parse(read('package.json'));
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    expect(pkg.type).toBe('module');
    expect(all(build, 'RUN').join('\n')).toMatch(/npm run build/);
    const workdir = all(runtime, 'WORKDIR').at(-1)!;
    expect(all(build, 'WORKDIR').at(-1)).toBe(workdir);
    const copies = all(runtime, 'COPY');
    expect(copies).toContain(`--from=build ${posix.join(workdir, opts.outDir)} ./${opts.outDir}`);
    expect(copies).toContain(`--from=build ${workdir}/package.json ./package.json`);
    expect(copies).toContain(`--from=build ${workdir}/node_modules ./node_modules`);
  });

  it('builds better-sqlite3 with a toolchain and ships production dependencies only', () => {
    const { build, all } = dockerfile();
    const runs = all(build, 'RUN').join('\n');
    for (const tool of ['python3', 'make', 'g++']) expect(runs).toContain(tool);
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/better-sqlite3/);
    expect(runs).toMatch(/npm prune --omit=dev/);
  });

  it('exposes and health-checks the config’s default port, on /healthz, as a non-root user', () => {
    const { runtime, all, runtimeEnv } = dockerfile();
    const port = ConfigSchema.properties.server.properties.port.default;
    expect(all(runtime, 'EXPOSE')).toEqual([String(port)]);
    const hc = all(runtime, 'HEALTHCHECK').join(' ');
    expect(hc).toContain('/healthz');
    expect(hc).toContain(`process.env.PORT||${port}`);
    const user = all(runtime, 'USER').at(-1)!;
    expect(user).toMatch(/^[1-9][0-9]*(:[0-9]+)?$/); // numeric: Kubernetes can verify runAsNonRoot
    expect(Number(user.split(':')[0])).toBe(
      deployment().spec.template.spec.securityContext.runAsUser,
    );
    expect(runtimeEnv.HOST).toBe('0.0.0.0');
    expect(runtimeEnv.PORT).toBeUndefined(); // the config's port stays in charge
  });

  it('the root .dockerignore lets through what the Dockerfile copies and nothing else', () => {
    const { stages, all } = dockerfile();
    const lines = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(lines[0]).toBe('*');
    const allowed = new Set(
      lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, '')),
    );
    const sources = stages
      .flatMap((s) => all(s, 'COPY'))
      .filter((a) => !a.startsWith('--from'))
      .flatMap((a) => a.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      expect([src, allowed.has(src.replace(/\/$/, ''))]).toEqual([src, true]);
      expect(existsSync(join(ROOT, src))).toBe(true);
    }
    expect(new Set(sources.map((s) => s.replace(/\/$/, '')))).toEqual(allowed);
    expect(existsSync(join(DEPLOY, '.dockerignore'))).toBe(false); // it would never be read
  });
});

describe('deploy/compose.yaml', () => {
  it('runs the gateway with PostgreSQL 16 and RabbitMQ 3.13 (management), each health-checked', () => {
    const c = compose();
    expect(c.services.postgres.image).toMatch(/^postgres:16/);
    expect(c.services.rabbitmq.image).toMatch(/^rabbitmq:3\.13.*management/);
    for (const s of ['gateway', 'postgres', 'rabbitmq'])
      expect(c.services[s].healthcheck.test).toBeTruthy();
    expect(c.services.gateway.depends_on.postgres.condition).toBe('service_healthy');
    expect(c.services.gateway.build.dockerfile).toBe('deploy/Dockerfile');
    expect(join(DEPLOY, c.services.gateway.build.context)).toBe(ROOT);
  });

  it('checks the gateway’s readiness on a path the server registers', () => {
    const test = (gatewayService().healthcheck.test as string[]).join(' ');
    const path = /http:\/\/127\.0\.0\.1:(\d+)(\/[a-z]+)/.exec(test)!;
    expect(path[1]).toBe(composeEnv().PORT);
    expect(path[2]).toBe('/readyz');
    expect(read('src/server/system-routes.ts')).toContain(`server.get('${path[2]}'`);
  });

  it('uses the database it creates', () => {
    const pg = composeEnv('postgres');
    const url = new URL(composeEnv().DATABASE_URL!);
    expect(url.hostname).toBe('postgres');
    expect(url.username).toBe(pg.POSTGRES_USER);
    expect(url.pathname).toBe(`/${pg.POSTGRES_DB}`);
    expect(url.password).toBe(pg.POSTGRES_PASSWORD);
  });
});

describe('compose profile npd-sim (a stand-in NPD before the real one is reachable)', () => {
  const service = () => compose().services['npd-sim'] as Obj;
  /** The service's command after compose's interpolation of the example .env. */
  function command(): string[] {
    return (service().command as string[]).map((a) => composeInterpolate(a, dotenv()));
  }
  function parsed() {
    const args = command();
    const flag = (name: string) =>
      args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    const pairs = args.flatMap((a, i) => (args[i - 1] === '-o' ? [a] : []));
    return { args, host: flag('host'), port: Number(flag('port')), pairs };
  }

  it('starts only with the profile, from the gateway image, as that image runs the CLI', () => {
    expect(service().profiles).toEqual(['npd-sim']);
    expect(service().image).toBe(gatewayService().image);
    expect(service().build).toEqual(gatewayService().build);
    const cmd = JSON.parse(dockerfile().all(dockerfile().runtime, 'CMD').at(-1)!) as string[];
    const { args, host, port } = parsed();
    expect(args.slice(0, 4)).toEqual(['node', cmd[cmd.length - 2], 'simulate', 'npd']);
    expect(host).toBe('0.0.0.0');
    expect(read('deploy/.env.example')).toContain(`NPD_URL=http://npd-sim:${port}/npd`);
    expect(service().depends_on).toBeUndefined();
  });

  it('checks the very credentials the gateway sends: a request signed as the gateway signs passes, a wrong secret does not', async () => {
    const { pairs } = parsed();
    const options = simulatorOptions(pairs);
    const env = composeEnv();
    expect(options).toEqual({
      auth: { username: env.NPD_USERNAME, secretKey: env.NPD_SECRET, apiKey: env.NPD_API_KEY },
    });
    const sim = await startStandaloneSimulator(builtinAdapters(), {
      adapter: 'npd',
      host: '127.0.0.1',
      port: 0,
      options,
      log: pino({ level: 'silent' }),
    });
    try {
      const url = `${sim.url}/npd`;
      const call = async (secretKey: string) => {
        const auth = createAuth(
          {
            mode: 'c06',
            username: env.NPD_USERNAME!,
            secretKey,
            apiKey: env.NPD_API_KEY!,
            xRoadClient: env.NPD_XROAD_CLIENT!,
          },
          url,
          'npd',
        );
        const headers = await auth.headers(new AbortController().signal);
        const res = await fetch(url, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'text/xml; charset=utf-8' },
          body: TRACUU('001099012345'),
        });
        return res.status;
      };
      expect(await call(env.NPD_SECRET!)).toBe(200);
      expect(await call('not-the-secret')).toBe(401);
    } finally {
      await sim.close();
    }
  });
});
