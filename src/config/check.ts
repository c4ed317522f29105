import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AdapterRegistry } from '../adapter/registry.js';
import { CATALOG_NAMES, isCatalogName } from '../catalogs/index.js';
import type { ContractRegistry } from '../validation/contracts.js';
import { didYouMean } from './nearest.js';
import { formatPath, type SchemaIssue } from './validate.js';
import type { ConfigIssue, LoadedConfig, SourceFile } from './load.js';
import type { LimitSpec } from './schema.js';

function located(
  source: SourceFile | undefined,
  prefix: (string | number)[],
  issues: SchemaIssue[],
  route?: string,
): ConfigIssue[] {
  return issues.map((i) => {
    const path = [...prefix, ...i.path];
    const pos = source?.locate(path);
    return {
      file: source?.file ?? '(defaults)',
      line: pos?.line,
      col: pos?.col,
      path: formatPath(path),
      message: i.message,
      route,
    };
  });
}

/** `<system>/<Name>` of every contract file under the directory, for suggestions. */
function contractNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const names = new Set<string>();
  for (const system of readdirSync(dir, { withFileTypes: true })) {
    if (!system.isDirectory()) continue;
    for (const f of readdirSync(join(dir, system.name))) {
      const m = /^(.+)\.(request|response)\.json$/.exec(f);
      if (m) names.add(`${system.name}/${m[1]}`);
    }
  }
  return [...names];
}

/** Store and key problems the gateway would only meet while starting. */
function checkStartup(loaded: LoadedConfig): ConfigIssue[] {
  const { config, source } = loaded;
  const out: ConfigIssue[] = [];
  if (config.store.kind === 'postgres' && !config.store.url)
    out.push(
      ...located(
        source,
        ['store', 'url'],
        [{ path: [], message: 'is required for kind postgres (or set DATABASE_URL)' }],
      ),
    );
  if (!config.keys.generateIfMissing && !existsSync(config.keys.file))
    out.push(
      ...located(
        source,
        ['keys', 'file'],
        [
          {
            path: [],
            message: `${config.keys.file} does not exist and keys.generateIfMissing is false`,
          },
        ],
      ),
    );
  return out;
}

/**
 * Cross-checks what the schemas alone cannot: adapter-specific options, that
 * every name a route or client mentions exists, that contracts compile and
 * that no two routes claim the same inbound path. Used by `lienthong check`
 * and at start-up, so both report the same problems the same way.
 * Adapter option defaults are filled in place.
 */
export function crossCheck(
  loaded: LoadedConfig,
  adapters: AdapterRegistry,
  contracts: ContractRegistry,
  translateSteps: ReadonlySet<string>,
): ConfigIssue[] {
  const { config, routes, source } = loaded;
  const out: ConfigIssue[] = checkStartup(loaded);
  const simulators = new Set(config.simulators.map((s) => s.name));
  const endpointAdapters = Object.fromEntries(
    Object.entries(config.endpoints).map(([name, ep]) => [name, ep.adapter]),
  );

  config.simulators.forEach((sim, i) => {
    const issues = adapters.checkOptions(sim.adapter, 'simulator', sim.options);
    out.push(...located(source, ['simulators', i, 'options'], issues));
    // What needs the other simulators (the security server's providers), once the options are valid.
    const spec = issues.length ? undefined : adapters.list().find((a) => a.name === sim.adapter);
    const startedBefore = config.simulators.slice(0, i).map((s) => s.name);
    if (spec?.checkSimulator)
      out.push(
        ...located(
          source,
          ['simulators', i, 'options'],
          spec.checkSimulator(sim.options as never, { startedBefore }),
        ),
      );
  });

  for (const [name, ep] of Object.entries(config.endpoints)) {
    const at = ['endpoints', name];
    const issues = adapters.checkOptions(ep.adapter, 'endpoint', ep.options);
    out.push(...located(source, [...at, 'options'], issues));
    if (!ep.url && !ep.simulator)
      out.push(...located(source, at, [{ path: [], message: 'needs url or simulator' }]));
    if (issues.length === 0 && adapters.has(ep.adapter)) {
      const spec = adapters.get(ep.adapter);
      const own = spec.checkEndpoint?.(ep.options as never, ep.url) ?? [];
      out.push(
        ...located(
          source,
          [...at, 'url'],
          own.map((message) => ({ path: [], message })),
        ),
      );
    }
    if (ep.simulator && !simulators.has(ep.simulator)) {
      const hint = didYouMean(ep.simulator, simulators);
      out.push(
        ...located(
          source,
          [...at, 'simulator'],
          [{ path: [], message: `no simulator named "${ep.simulator}"${hint}` }],
        ),
      );
    }
    if (ep.verifyReplyWith && !config.peers[ep.verifyReplyWith]) {
      const hint = didYouMean(ep.verifyReplyWith, Object.keys(config.peers));
      out.push(
        ...located(
          source,
          [...at, 'verifyReplyWith'],
          [{ path: [], message: `no peer named "${ep.verifyReplyWith}"${hint}` }],
        ),
      );
    }
  }

  config.clients.forEach((c, i) => {
    if (c.jwks && !config.peers[c.jwks]) {
      const hint = didYouMean(c.jwks, Object.keys(config.peers));
      out.push(
        ...located(
          source,
          ['clients', i, 'jwks'],
          [{ path: [], message: `no peer named "${c.jwks}"${hint}` }],
        ),
      );
    }
  });

  const claimed = new Map<string, string>();
  const routeIds = new Set(routes.map((r) => r.def.id));
  const endpointNames = [...Object.keys(config.endpoints), ...(loaded.invalidEndpoints ?? [])];
  let knownContracts: string[] | undefined;
  for (const r of routes) {
    const at = r.index === undefined ? [] : [r.index];
    const def = r.def;
    // Located in the file by the full path; named by the route id and the path inside the route.
    const inRoute = (path: (string | number)[], issues: SchemaIssue[]) =>
      out.push(
        ...located(r.source, [...at, ...path], issues, def.id).map((issue, k) => ({
          ...issue,
          path: formatPath([...path, ...issues[k].path]),
        })),
      );
    const here = (path: (string | number)[], message: string) =>
      inRoute(path, [{ path: [], message }]);
    inRoute(['from'], adapters.checkOptions(def.from.adapter, 'inbound', def.from));
    const ep = config.endpoints[def.to.endpoint];
    // An endpoint with schema errors of its own is reported there, not here.
    if (!ep && !loaded.invalidEndpoints?.includes(def.to.endpoint))
      here(
        ['to', 'endpoint'],
        `no endpoint named "${def.to.endpoint}"${didYouMean(def.to.endpoint, endpointNames)}`,
      );
    const operations =
      ep && adapters.has(ep.adapter)
        ? adapters.get(ep.adapter).operations?.(ep.options)
        : undefined;
    // What reaches the adapter: the inbound binding's operation, else the route's to.operation.
    const fromOperation = (def.from as { operation?: unknown }).operation;
    const sent: [(string | number)[], string][] = [];
    if (typeof fromOperation === 'string') sent.push([['from', 'operation'], fromOperation]);
    if (def.to.operation !== undefined) sent.push([['to', 'operation'], def.to.operation]);
    for (const [path, op] of operations ? sent : []) {
      if (!operations!.includes(op))
        here(
          path,
          `endpoint "${def.to.endpoint}" (${ep!.adapter}) has no operation "${op}"${didYouMean(op, operations!)}`,
        );
    }
    if (operations && !sent.length)
      here(
        ['to', 'operation'],
        `endpoint "${def.to.endpoint}" (${ep!.adapter}) needs an operation`,
      );
    if (def.contract) {
      try {
        contracts.get(def.contract);
      } catch (err) {
        knownContracts ??= contractNames(config.contractsDir);
        here(
          ['contract'],
          (err as Error).message.replace(/^LT_CONFIG_INVALID: /, '') +
            didYouMean(def.contract, knownContracts),
        );
      }
    }
    def.translate.forEach((t, i) => {
      if (!translateSteps.has(t))
        here(['translate', i], `unknown step "${t}"${didYouMean(t, translateSteps)}`);
    });
    for (const [pointer, kind] of Object.entries(def.codes ?? {})) {
      if (kind !== 'cccd' && !isCatalogName(kind)) {
        here(
          ['codes', pointer],
          `unknown check "${kind}" (cccd or a catalog: ${CATALOG_NAMES.join(', ')})`,
        );
      }
    }
    // Sharing log (docs/audit.md): a citizen id is recorded only as a keyed digest, which needs the key.
    if (def.audit.subjects.length && config.audit.enabled && !config.audit.subjectKey)
      here(
        ['audit', 'subjects'],
        'recording citizen ids as keyed digests needs audit.subjectKey (a secret, e.g. ${AUDIT_SUBJECT_KEY})',
      );
    if (def.signature.require && def.auth === 'none')
      here(
        ['signature', 'require'],
        'signed requests need auth: bearer (the signer is the caller)',
      );
    if (
      def.auth === 'asserted' &&
      adapters.has(def.from.adapter) &&
      !adapters.get(def.from.adapter).inbound?.assertsCaller
    )
      here(
        ['auth'],
        `auth: asserted needs an inbound that names its caller (ndxp); adapter "${def.from.adapter}" does not — use bearer`,
      );
    if (adapters.has(def.from.adapter)) {
      const problems =
        adapters.get(def.from.adapter).checkBinding?.(def.from, {
          contractsDir: config.contractsDir,
          endpoints: endpointAdapters,
        }) ?? [];
      for (const p of problems) here(['from'], p);
    }
    const key = adapters.has(def.from.adapter)
      ? adapters.get(def.from.adapter).bindingKey?.(def.from)
      : undefined;
    if (key) {
      const prev = claimed.get(key);
      if (prev) here(['from'], `route "${prev}" already serves ${key}`);
      claimed.set(key, def.id);
    }
  }

  config.clients.forEach((c, i) => {
    c.routes.forEach((id, j) => {
      if (id !== '*' && !routeIds.has(id)) {
        out.push(
          ...located(
            source,
            ['clients', i, 'routes', j],
            [{ path: [], message: `no route with id "${id}"${didYouMean(id, routeIds)}` }],
          ),
        );
      }
    });
  });
  out.push(...checkLimits(loaded));
  return out;
}

/**
 * Limits (docs/limits.md): every tier a client or route names exists, and no
 * spec or tier allows fewer requests a day than a minute (its rate could never
 * be reached: a typo, or the two fields swapped).
 */
function checkLimits(loaded: LoadedConfig): ConfigIssue[] {
  const { config, routes, source } = loaded;
  const out: ConfigIssue[] = [];
  const tiers = config.limits.tiers;
  const tierNames = Object.keys(tiers);
  const check = (
    spec: LimitSpec | undefined,
    at: (string | number)[],
    src: SourceFile | undefined,
    route?: string,
  ) => {
    if (!spec) return;
    const issue = (path: string[], message: string) =>
      out.push(...located(src, [...at, ...path], [{ path: [], message }], route));
    let base: { perMinute?: number; perDay?: number } = {};
    if (spec.tier !== undefined) {
      if (!Object.prototype.hasOwnProperty.call(tiers, spec.tier))
        issue(['tier'], `no tier named "${spec.tier}"${didYouMean(spec.tier, tierNames)}`);
      else base = tiers[spec.tier];
    }
    const perMinute = spec.perMinute ?? base.perMinute;
    const perDay = spec.perDay ?? base.perDay;
    // Reported where a number is written: a spec naming only a tier inherits the tier's report.
    const ownNumber = spec.perMinute !== undefined || spec.perDay !== undefined;
    if (ownNumber && perMinute !== undefined && perDay !== undefined && perDay < perMinute)
      issue(
        [spec.perDay !== undefined ? 'perDay' : 'perMinute'],
        `perDay ${perDay} is below perMinute ${perMinute}: the rate can never be reached`,
      );
  };
  for (const [name, tier] of Object.entries(tiers)) check(tier, ['limits', 'tiers', name], source);
  config.clients.forEach((c, i) => check(c.limits, ['clients', i, 'limits'], source));
  for (const r of routes)
    check(
      r.def.limits,
      [...(r.index === undefined ? [] : [r.index]), 'limits'],
      r.source,
      r.def.id,
    );
  for (const r of routes) {
    const c = r.def.citizen;
    if (!c) continue;
    const at = [...(r.index === undefined ? [] : [r.index]), 'citizen'];
    const issue = (path: string[], message: string) =>
      out.push(...located(r.source, [...at, ...path], [{ path: [], message }], r.def.id));
    if (!config.peers[c.portal])
      issue(
        ['portal'],
        `no peer named "${c.portal}"${didYouMean(c.portal, Object.keys(config.peers))}`,
      );
    if (r.def.from.adapter !== 'http')
      issue([], 'citizen routes take JSON requests: from.adapter must be http');
    if (r.def.auth === 'none')
      issue([], 'citizen routes need auth: bearer (the portal is the authenticated caller)');
  }
  if (config.tokens.throttle.trustSeconds < config.tokens.ttlSeconds)
    out.push(
      ...located(
        source,
        ['tokens', 'throttle', 'trustSeconds'],
        [
          {
            path: [],
            message: `${config.tokens.throttle.trustSeconds} s is shorter than tokens.ttlSeconds (${config.tokens.ttlSeconds} s): a client renewing its token could be locked out by an attack on its id`,
          },
        ],
      ),
    );
  return out;
}
