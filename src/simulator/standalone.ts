import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import type { AdapterRegistry } from '../adapter/registry.js';
import type { RunningSimulator } from '../adapter/spec.js';
import { ConfigError, type ConfigIssue } from '../config/load.js';
import { checkSchema, formatPath } from '../config/validate.js';
import { GatewayError } from '../message/errors.js';

/**
 * `lienthong simulate <adapter>`: one adapter's simulator on its own, without
 * a gateway, for a team testing its own client against a stand-in NPD (or
 * test provider). The options are the same as under `simulators[].options`
 * and are checked against the same schema, defaults included.
 */
export interface StandaloneSimulator {
  adapter: string;
  host: string;
  port: number;
  /** Simulator options, as under `simulators[].options`. */
  options: Record<string, unknown>;
  log: Logger;
}

/**
 * Options from a YAML/JSON file and `key=value` pairs (pairs win). A key may
 * be a dotted path (`faults.latencyMs=200`); a value is read as JSON when it
 * is JSON (`200`, `true`, `["A"]`), else kept as a string.
 */
export function simulatorOptions(pairs: readonly string[], file?: string): Record<string, unknown> {
  let options: Record<string, unknown> = {};
  if (file) {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new GatewayError('LT_CONFIG_INVALID', `${file}: ${(err as Error).message}`);
    }
    if (parsed !== null && parsed !== undefined) {
      if (typeof parsed !== 'object' || Array.isArray(parsed))
        throw new GatewayError('LT_CONFIG_INVALID', `${file}: the options must be a mapping`);
      options = parsed as Record<string, unknown>;
    }
  }
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new GatewayError('LT_CONFIG_INVALID', `option "${pair}" must be key=value`);
    const path = pair.slice(0, eq).split('.');
    let at = options;
    for (const key of path.slice(0, -1)) {
      const next = at[key];
      at = at[key] =
        typeof next === 'object' && next !== null && !Array.isArray(next)
          ? (next as Record<string, unknown>)
          : {};
    }
    at[path[path.length - 1]] = jsonOrString(pair.slice(eq + 1));
  }
  return options;
}

function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Starts the simulator; refuses an adapter without one, or options its schema refuses, all at once. */
export async function startStandaloneSimulator(
  adapters: AdapterRegistry,
  opts: StandaloneSimulator,
): Promise<RunningSimulator> {
  const spec = adapters.get(opts.adapter);
  if (!spec.simulator) {
    const withOne = adapters
      .list()
      .filter((a) => a.simulator)
      .map((a) => a.name);
    throw new GatewayError(
      'LT_CONFIG_INVALID',
      `adapter "${opts.adapter}" has no simulator (those with one: ${withOne.join(', ')})`,
    );
  }
  let options: unknown = opts.options;
  if (spec.simulatorSchema) {
    const checked = checkSchema(spec.simulatorSchema, structuredClone(opts.options));
    if (!checked.ok) {
      const issues: ConfigIssue[] = checked.issues.map((i) => ({
        file: `${opts.adapter} simulator options`,
        path: formatPath(i.path),
        message: i.message,
      }));
      throw new ConfigError(issues);
    }
    options = checked.value;
  }
  return spec.simulator(options as never, {
    log: opts.log,
    listen: { host: opts.host, port: opts.port },
  });
}
