import type { GatewayConfig } from '../config/schema.js';
import { GatewayError } from '../message/errors.js';
import type { StoreConfig } from './store.js';

/** The store's settings from `store:`; `lienthong check` has made sure a postgres store has its URL. */
export function storeConfigOf(config: Pick<GatewayConfig, 'store'>): StoreConfig {
  const s = config.store;
  if (s.kind === 'sqlite') return { kind: 'sqlite', path: s.path };
  if (!s.url)
    throw new GatewayError('LT_CONFIG_INVALID', 'store.url is required for kind postgres');
  return { kind: 'postgres', url: s.url, schema: s.schema, poolSize: s.poolSize };
}
