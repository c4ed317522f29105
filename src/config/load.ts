import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { GatewayError } from '../message/errors.js';
import type { TSchema } from '@sinclair/typebox';
import {
  ClientSchema,
  ConfigSchema,
  EndpointSchema,
  RouteSchema,
  type GatewayConfig,
  type RouteDef,
} from './schema.js';
import { checkSchema, formatPath, type SchemaIssue } from './validate.js';

/** One problem in a config or route file, located for the operator. */
export interface ConfigIssue {
  file: string;
  line?: number;
  col?: number;
  path: string;
  message: string;
  /** The route the problem is in, when it is in one. */
  route?: string;
}

export class ConfigError extends GatewayError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[]) {
    super('LT_CONFIG_INVALID', issues.map(formatIssue).join('\n'), { issues });
    this.issues = issues;
  }
}

export function formatIssue(i: ConfigIssue): string {
  const where = i.line ? `${i.file}:${i.line}:${i.col ?? 1}` : i.file;
  const route = i.route ? `route ${i.route}: ` : '';
  return `${where}  ${route}${i.path}: ${i.message}`;
}

/** A parsed YAML file that can say where a path is. */
export interface SourceFile {
  file: string;
  value: unknown;
  locate(path: (string | number)[]): { line: number; col: number } | undefined;
}

export interface LoadedRoute {
  def: RouteDef;
  source: SourceFile;
  /** Index in the file when it holds several routes. */
  index?: number;
}

export interface LoadedConfig {
  config: GatewayConfig;
  routes: LoadedRoute[];
  /** Directory that relative paths in the config resolve against. */
  baseDir: string;
  file?: string;
  source?: SourceFile;
  /**
   * Endpoints left out of `config` because their own entry has schema
   * errors (lenient loading only): routes naming them are not also told
   * the endpoint does not exist.
   */
  invalidEndpoints?: string[];
}

export type Env = Record<string, string | undefined>;

function parseYamlFile(file: string, issues: ConfigIssue[]): SourceFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    issues.push({ file, path: '(file)', message: `cannot read: ${(err as Error).message}` });
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const pos = lineCounter.linePos(e.pos[0]);
      issues.push({
        file,
        line: pos.line,
        col: pos.col,
        path: '(yaml)',
        message: e.message.split('\n')[0],
      });
    }
    return undefined;
  }
  return {
    file,
    value: doc.toJS(),
    locate(path) {
      // Walk up to the nearest path that exists (a missing key points at its parent).
      for (let n = path.length; n >= 0; n--) {
        const sub = path.slice(0, n);
        const last = sub[sub.length - 1];
        // Point at the key of a mapping entry (where a typo is), not at its value.
        const parent =
          n > 0
            ? (doc.getIn(sub.slice(0, -1), true) as { items?: unknown[] } | undefined)
            : undefined;
        const pair = parent?.items?.find(
          (it) => (it as { key?: { value?: unknown } }).key?.value === last,
        ) as { key?: { range?: [number, number, number] } } | undefined;
        const node = (pair?.key ?? doc.getIn(sub, true)) as
          { range?: [number, number, number] } | undefined;
        if (node && node.range) {
          const p = lineCounter.linePos(node.range[0]);
          return { line: p.line, col: p.col };
        }
      }
      return undefined;
    },
  };
}

/**
 * `${NAME}` and `${NAME:-default}` in any string value are replaced from the
 * environment, so secrets stay out of files (Benthos-style interpolation).
 * A reference to an unset variable without a default is an error, not "".
 */
export function interpolateEnv(
  value: unknown,
  env: Env,
  onMissing: (name: string, path: (string | number)[]) => void,
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    return value.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
      (_m, name: string, def?: string) => {
        const v = env[name];
        if (v !== undefined && v !== '') return v;
        if (def !== undefined) return def;
        onMissing(name, path);
        return '';
      },
    );
  }
  if (Array.isArray(value))
    return value.map((v, i) => interpolateEnv(v, env, onMissing, [...path, i]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = interpolateEnv(v, env, onMissing, [...path, k]);
    return out;
  }
  return value;
}

function issuesFrom(
  source: SourceFile,
  list: SchemaIssue[],
  prefix: (string | number)[] = [],
): ConfigIssue[] {
  return list.map((i) => {
    const full = [...prefix, ...i.path];
    const pos = source.locate(full);
    return {
      file: source.file,
      line: pos?.line,
      col: pos?.col,
      path: formatPath(full),
      message: i.message,
    };
  });
}

/** Well-known environment overrides, applied after the file and before validation. */
function applyEnvOverrides(raw: Record<string, any>, env: Env): void {
  const set = (section: string, key: string, value: unknown) => {
    raw[section] = { ...(raw[section] ?? {}), [key]: value };
  };
  if (env.PORT) set('server', 'port', Number(env.PORT));
  if (env.HOST) set('server', 'host', env.HOST);
  if (env.LOG_LEVEL) set('log', 'level', env.LOG_LEVEL);
  if (env.LIENTHONG_STORE) set('store', 'kind', env.LIENTHONG_STORE);
  if (env.DATABASE_URL) set('store', 'url', env.DATABASE_URL);
}

export function defaultConfigFile(env: Env = process.env, cwd = process.cwd()): string | undefined {
  if (env.LIENTHONG_CONFIG) return resolve(cwd, env.LIENTHONG_CONFIG);
  const candidate = join(cwd, 'lienthong.yaml');
  return existsSync(candidate) ? candidate : undefined;
}

function loadRouteFiles(dir: string, env: Env, issues: ConfigIssue[]): LoadedRoute[] {
  if (!existsSync(dir)) {
    issues.push({ file: dir, path: 'routesDir', message: 'directory does not exist' });
    return [];
  }
  const routes: LoadedRoute[] = [];
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  for (const name of files) {
    const source = parseYamlFile(join(dir, name), issues);
    if (!source) continue;
    const entries = Array.isArray(source.value) ? source.value : [source.value];
    entries.forEach((entry, index) => {
      const prefix = Array.isArray(source.value) ? [index] : [];
      const interpolated = interpolateEnv(entry, env, (n, p) =>
        issues.push(
          ...issuesFrom(
            source,
            [{ path: p, message: `environment variable ${n} is not set` }],
            prefix,
          ),
        ),
      );
      const res = checkSchema(RouteSchema, interpolated);
      if (!res.ok) {
        const id = (interpolated as { id?: unknown } | null)?.id;
        const route = typeof id === 'string' ? id : undefined;
        issues.push(
          ...issuesFrom(source, res.issues, prefix).map((issue, k) => ({
            ...issue,
            // Named by the route: the path inside it, without the index in the file.
            ...(route && { route, path: formatPath(res.issues[k].path) }),
          })),
        );
        return;
      }
      routes.push({
        def: res.value,
        source,
        index: Array.isArray(source.value) ? index : undefined,
      });
    });
  }
  const seen = new Map<string, LoadedRoute>();
  for (const r of routes) {
    const prev = seen.get(r.def.id);
    if (prev) {
      issues.push({
        file: r.source.file,
        path: 'id',
        message: `route id "${r.def.id}" is also defined in ${prev.source.file}`,
      });
    }
    seen.set(r.def.id, r);
  }
  return routes;
}

/**
 * Reads the config file (or the built-in defaults when there is none), the
 * environment overrides and every route file; validates all of it and reports
 * every problem at once with file, line and path.
 */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const { loaded, issues } = readConfig(opts);
  if (issues.length || !loaded) throw new ConfigError(issues);
  return loaded;
}

export interface LoadOptions {
  file?: string;
  env?: Env;
  cwd?: string;
  overrides?: Record<string, unknown>;
}

/**
 * For `lienthong check`: every problem, and a config to cross-check the
 * routes against even when the main file has errors (the sections that are
 * valid, defaults for the rest). `loaded` is missing only when the file
 * cannot be read or parsed at all.
 */
export function loadConfigLenient(opts: LoadOptions = {}): {
  loaded?: LoadedConfig;
  issues: ConfigIssue[];
} {
  return readConfig(opts, true);
}

/**
 * The parts of a config that pass the schema on their own: each top-level
 * section, and each endpoint and client separately, so one bad entry does
 * not hide the routes' problems.
 */
function bestEffortConfig(raw: Record<string, any>): {
  config: GatewayConfig;
  invalidEndpoints: string[];
} {
  const out: Record<string, unknown> = {};
  const invalidEndpoints: string[] = [];
  for (const [key, schema] of Object.entries<TSchema>(ConfigSchema.properties)) {
    const value = structuredClone(raw[key]);
    if (value === undefined) continue;
    if (key === 'endpoints' && value && typeof value === 'object' && !Array.isArray(value)) {
      const kept: Record<string, unknown> = {};
      for (const [name, ep] of Object.entries(value)) {
        if (checkSchema(EndpointSchema, ep).ok) kept[name] = ep;
        else invalidEndpoints.push(name);
      }
      out[key] = kept;
    } else if (key === 'clients' && Array.isArray(value)) {
      out[key] = value.filter((c) => checkSchema(ClientSchema, c).ok);
    } else if (checkSchema(schema, value).ok) out[key] = value;
  }
  const res = checkSchema(ConfigSchema, out);
  // Every section left is valid on its own, so only a broken schema gets here.
  if (!res.ok) throw new ConfigError([{ file: '(defaults)', path: '(root)', message: 'invalid' }]);
  return { config: res.value, invalidEndpoints };
}

function readConfig(
  opts: LoadOptions,
  lenient = false,
): { loaded?: LoadedConfig; issues: ConfigIssue[] } {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = opts.file ? resolve(cwd, opts.file) : defaultConfigFile(env, cwd);
  const issues: ConfigIssue[] = [];
  let source: SourceFile | undefined;
  let raw: Record<string, any> = {};
  if (file) {
    source = parseYamlFile(file, issues);
    if (!source) return { issues };
    if (
      source.value !== null &&
      (typeof source.value !== 'object' || Array.isArray(source.value))
    ) {
      return { issues: [{ file, path: '(root)', message: 'must be a mapping' }] };
    }
    raw = (source.value ?? {}) as Record<string, any>;
  }
  const origin: SourceFile = source ?? { file: '(defaults)', value: {}, locate: () => undefined };
  raw = interpolateEnv(raw, env, (n, p) =>
    issues.push(
      ...issuesFrom(origin, [{ path: p, message: `environment variable ${n} is not set` }]),
    ),
  ) as Record<string, any>;
  applyEnvOverrides(raw, env);
  if (opts.overrides) raw = deepMerge(raw, opts.overrides) as Record<string, any>;
  const rawCopy = lenient ? structuredClone(raw) : raw;
  const res = checkSchema(ConfigSchema, raw);
  const baseDir = file ? dirname(file) : cwd;
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  let invalidEndpoints: string[] | undefined;
  let config: GatewayConfig;
  if (res.ok) config = res.value;
  else {
    issues.push(...issuesFrom(origin, res.issues));
    if (!lenient) {
      // Still read the routes, so one run reports every problem.
      const dir = typeof raw.routesDir === 'string' ? raw.routesDir : 'routes';
      loadRouteFiles(abs(dir), env, issues);
      return { issues };
    }
    ({ config, invalidEndpoints } = bestEffortConfig(rawCopy));
  }
  config.routesDir = abs(config.routesDir);
  config.contractsDir = abs(config.contractsDir);
  if (config.store.path !== ':memory:') config.store.path = abs(config.store.path);
  config.keys.file = abs(config.keys.file);
  if (config.audit) config.audit.archiveDir = abs(config.audit.archiveDir);
  if (config.catalogOverridesDir) config.catalogOverridesDir = abs(config.catalogOverridesDir);
  const routes = loadRouteFiles(config.routesDir, env, issues);
  return { loaded: { config, routes, baseDir, file, source, invalidEndpoints }, issues };
}

/**
 * Objects merge key by key; anything else (arrays included) replaces; `null`
 * removes the key. Used for programmatic overrides (tests, bench, embedding).
 */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (
    over &&
    typeof over === 'object' &&
    !Array.isArray(over) &&
    base &&
    typeof base === 'object' &&
    !Array.isArray(base)
  ) {
    const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [k, v] of Object.entries(over)) {
      if (v === null) delete out[k];
      else out[k] = deepMerge(out[k], v);
    }
    return out;
  }
  return over === undefined ? base : over;
}

/** A copy of the config safe to log or show: secrets and credentials masked. */
export function redactConfig(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactConfig);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (/secret|password|apikey|token|privatekey/i.test(k) && typeof v === 'string')
        out[k] = '***';
      else if (k === 'url' && typeof v === 'string')
        out[k] = v.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
      else out[k] = redactConfig(v);
    }
    return out;
  }
  return value;
}
