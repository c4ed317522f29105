import type { AdapterRegistry } from '../adapter/registry.js';
import { CATALOG_NAMES, isCatalogName } from '../catalogs/index.js';
import type { ContractRegistry } from '../validation/contracts.js';
import { formatPath, type SchemaIssue } from './validate.js';
import type { ConfigIssue, LoadedConfig, SourceFile } from './load.js';

function located(
  source: SourceFile | undefined,
  prefix: (string | number)[],
  issues: SchemaIssue[],
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
    };
  });
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
  const out: ConfigIssue[] = [];
  const simulators = new Set(config.simulators.map((s) => s.name));

  config.simulators.forEach((sim, i) => {
    out.push(
      ...located(
        source,
        ['simulators', i, 'options'],
        adapters.checkOptions(sim.adapter, 'simulator', sim.options),
      ),
    );
  });

  for (const [name, ep] of Object.entries(config.endpoints)) {
    const at = ['endpoints', name];
    const issues = adapters.checkOptions(ep.adapter, 'endpoint', ep.options);
    out.push(...located(source, [...at, 'options'], issues));
    if (!ep.url && !ep.simulator)
      out.push(...located(source, at, [{ path: [], message: 'needs url or simulator' }]));
    if (ep.simulator && !simulators.has(ep.simulator)) {
      out.push(
        ...located(
          source,
          [...at, 'simulator'],
          [{ path: [], message: `no simulator named "${ep.simulator}"` }],
        ),
      );
    }
    if (ep.verifyReplyWith && !config.peers[ep.verifyReplyWith]) {
      out.push(
        ...located(
          source,
          [...at, 'verifyReplyWith'],
          [{ path: [], message: `no peer named "${ep.verifyReplyWith}"` }],
        ),
      );
    }
  }

  config.clients.forEach((c, i) => {
    if (c.jwks && !config.peers[c.jwks]) {
      out.push(
        ...located(
          source,
          ['clients', i, 'jwks'],
          [{ path: [], message: `no peer named "${c.jwks}"` }],
        ),
      );
    }
  });

  const claimed = new Map<string, string>();
  const routeIds = new Set(routes.map((r) => r.def.id));
  for (const r of routes) {
    const at = r.index === undefined ? [] : [r.index];
    const def = r.def;
    const here = (path: (string | number)[], message: string) =>
      out.push(...located(r.source, [...at, ...path], [{ path: [], message }]));
    out.push(
      ...located(
        r.source,
        [...at, 'from'],
        adapters.checkOptions(def.from.adapter, 'inbound', def.from),
      ),
    );
    const ep = config.endpoints[def.to.endpoint];
    if (!ep) here(['to', 'endpoint'], `no endpoint named "${def.to.endpoint}"`);
    if (def.contract) {
      try {
        contracts.get(def.contract);
      } catch (err) {
        here(['contract'], (err as Error).message.replace(/^LT_CONFIG_INVALID: /, ''));
      }
    }
    def.translate.forEach((t, i) => {
      if (!translateSteps.has(t))
        here(['translate', i], `unknown step "${t}" (known: ${[...translateSteps].join(', ')})`);
    });
    for (const [pointer, kind] of Object.entries(def.codes ?? {})) {
      if (kind !== 'cccd' && !isCatalogName(kind)) {
        here(
          ['codes', pointer],
          `unknown check "${kind}" (cccd or a catalog: ${CATALOG_NAMES.join(', ')})`,
        );
      }
    }
    if (def.signature.require && def.auth === 'none')
      here(
        ['signature', 'require'],
        'signed requests need auth: bearer (the signer is the caller)',
      );
    if (adapters.has(def.from.adapter)) {
      const problems =
        adapters
          .get(def.from.adapter)
          .checkBinding?.(def.from, { contractsDir: config.contractsDir }) ?? [];
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
            [{ path: [], message: `no route with id "${id}"` }],
          ),
        );
      }
    });
  });
  return out;
}
