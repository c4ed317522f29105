import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { stringify } from 'yaml';
import type { KeyResolver } from '../../src/security/jwk.js';

/** A routes directory holding exactly these routes (one YAML file). */
export function routesDir(routes: Record<string, unknown>[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'lt-queue-routes-'));
  writeFileSync(join(dir, 'routes.yaml'), stringify(routes));
  return dir;
}

/** Polls until `cond` holds, or fails after `ms` saying what it waited for. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A key resolver from a gateway's published JWKS, as a consumer would build it. */
export async function jwksResolver(gatewayUrl: string): Promise<KeyResolver> {
  const res = await fetch(`${gatewayUrl}/.well-known/jwks.json`);
  const { keys } = (await res.json()) as { keys: (Record<string, unknown> & { kid: string })[] };
  return (kid) => {
    const jwk = keys.find((k) => k.kid === kid);
    return jwk ? createPublicKey({ key: jwk as never, format: 'jwk' }) : undefined;
  };
}

export const NOTICE = (n: number) => ({
  noticeId: `N-${n}`,
  recipientOrg: '000.00.00.H57',
  subject: `Thông báo số ${n}`,
});
