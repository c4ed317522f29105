import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import type { KeyRing } from '../security/keyring.js';
import { storeConfigOf } from '../store/from-config.js';
import type { AuditBackend } from './backend.js';
import { checkpointSigner } from './checkpoint.js';
import { SharingLog } from './log.js';
import { PostgresAuditBackend } from './postgres.js';
import { SqliteAuditBackend } from './sqlite.js';

/** The log's tables live beside the store's: the same SQLite file, or the same PostgreSQL schema. */
export function auditBackendOf(config: Pick<GatewayConfig, 'store'>): AuditBackend {
  const s = storeConfigOf(config);
  return s.kind === 'sqlite'
    ? new SqliteAuditBackend(s.path)
    : new PostgresAuditBackend({ url: s.url, schema: s.schema });
}

/** The process's writer, its tables created; undefined when `audit.enabled` is false. */
export async function openSharingLog(
  config: GatewayConfig,
  keys: KeyRing,
  log: Logger,
): Promise<SharingLog | undefined> {
  if (!config.audit.enabled) return undefined;
  const backend = auditBackendOf(config);
  await backend.init();
  return new SharingLog(backend, {
    signCheckpoint: checkpointSigner(keys),
    checkpointEveryMs: config.audit.checkpointEveryMs,
    maxBatch: config.audit.maxBatch,
    commitDelayMs: config.audit.commitDelayMs,
    log,
  });
}
