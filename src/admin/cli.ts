import { pino } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import { fail } from '../message/errors.js';
import { PolicyRepo } from '../policy/repo.js';
import { PolicyService } from '../policy/service.js';
import { storeConfigOf } from '../store/from-config.js';
import { createStore } from '../store/store.js';
import { ADMIN_OPS } from './routes.js';

/**
 * `lienthong admin <METHOD> <path> [json]`: the admin API's operations run
 * against the configured store directly, without a gateway (scripted
 * onboarding). The same operations, checks and history rows as /admin; a
 * running gateway sees the change on its next poll (policy.reloadIntervalMs).
 */
export async function runAdminCommand(
  config: Pick<GatewayConfig, 'store' | 'policy'>,
  method: string,
  target: string,
  body: unknown,
  by: { who: string; why: string },
): Promise<unknown> {
  const url = new URL(target, 'http://cli.invalid');
  const found = matchOp(method.toUpperCase(), url.pathname);
  if (!found)
    fail(
      'LT_ROUTE_NOT_FOUND',
      `no admin operation ${method.toUpperCase()} ${url.pathname} (see docs/policy.md)`,
    );
  const { op, params } = found;
  if (op.write && !by.why.trim()) fail('LT_POLICY_INPUT_INVALID', 'say why with --reason');
  const store = createStore(storeConfigOf(config));
  await store.init();
  const policy = new PolicyService(new PolicyRepo(store), {
    log: pino({ level: 'silent' }),
    reloadIntervalMs: 0,
  });
  try {
    await policy.start();
    return await op.run({
      policy,
      body,
      params,
      query: Object.fromEntries(url.searchParams),
      by,
      caller: { clientId: by.who, orgId: '', routes: new Set(), roles: ['admin'] },
      ip: 'cli',
    });
  } finally {
    await policy.close();
    await store.close();
  }
}

function matchOp(method: string, path: string) {
  for (const op of ADMIN_OPS) {
    if (op.method !== method || !op.admin) continue;
    const names: string[] = [];
    const re = new RegExp(
      `^${op.url.replace(/:([a-z]+)/g, (_m, n: string) => (names.push(n), '([^/]+)'))}$`,
    );
    const m = re.exec(path);
    if (m)
      return {
        op,
        params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])),
      };
  }
  return undefined;
}
