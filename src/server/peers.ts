import { readFileSync } from 'node:fs';
import { request } from 'undici';
import type { RunningSimulator } from '../adapter/spec.js';
import type { GatewayConfig } from '../config/schema.js';
import { GatewayError } from '../message/errors.js';
import type { KeyResolver } from '../security/jwk.js';
import type { KeyRing } from '../security/keyring.js';
import { PeerKeys } from '../security/peer-keys.js';

/**
 * `sim://<name>/<path>` names a URL on a simulator the gateway started, whose
 * port is only known at run time (port 0).
 */
export function resolveSimUrl(
  url: string,
  simulators: ReadonlyMap<string, RunningSimulator>,
): string {
  const m = /^sim:\/\/([^/]+)(\/.*)?$/.exec(url);
  if (!m) return url;
  const sim = simulators.get(m[1]);
  if (!sim) throw new GatewayError('LT_CONFIG_INVALID', `no simulator named "${m[1]}" for ${url}`);
  return sim.url + (m[2] ?? '');
}

/** Every peer's JWKS, fetched or read once at start-up and turned into KeyObjects. */
export async function resolvePeers(
  config: GatewayConfig,
  keys: KeyRing,
  simulators: ReadonlyMap<string, RunningSimulator>,
): Promise<Map<string, KeyResolver>> {
  const peers = new Map<string, KeyResolver>();
  for (const [name, peer] of Object.entries(config.peers)) {
    if (peer.self) {
      peers.set(name, keys.resolver('envelope'));
      continue;
    }
    let jwks: unknown = peer.jwks;
    try {
      if (!jwks && peer.jwksFile) jwks = JSON.parse(readFileSync(peer.jwksFile, 'utf8'));
      if (!jwks && peer.jwksUrl) {
        const url = resolveSimUrl(peer.jwksUrl, simulators);
        const res = await request(url, { headersTimeout: 5000, bodyTimeout: 5000 });
        if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
        jwks = await res.body.json();
      }
    } catch (err) {
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `peer "${name}": cannot load JWKS: ${(err as Error).message}`,
      );
    }
    if (!jwks)
      throw new GatewayError(
        'LT_CONFIG_INVALID',
        `peer "${name}" needs jwks, jwksFile, jwksUrl or self`,
      );
    peers.set(name, new PeerKeys(jwks, `peer "${name}"`).resolve);
  }
  return peers;
}
