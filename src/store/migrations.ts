/**
 * Schema changes, in order, for both backends. A migration is applied once
 * per database and recorded in lt_schema_migrations; later issues append
 * entries (audit log, policy tables) and never edit applied ones.
 *
 * PostgreSQL statements are unqualified: they run with search_path set to the
 * configured schema. deploy/postgres/ carries the same DDL for operators who
 * migrate by hand (a test checks that both give the same tables).
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sqlite: string;
  readonly postgres: string;
}

/** Created before any migration, so it can record them. */
export const MIGRATIONS_TABLE = {
  sqlite: `CREATE TABLE IF NOT EXISTS lt_schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at INTEGER NOT NULL
)`,
  postgres: `CREATE TABLE IF NOT EXISTS lt_schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)`,
} as const;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'kv and once',
    // lt_kv: small shared state (tokens, cursors). lt_once: keys remembered
    // until they expire (JWS jti). Times are ms since the epoch.
    sqlite: `
CREATE TABLE lt_kv (
  ns         TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;
CREATE INDEX lt_kv_expires_at ON lt_kv (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE lt_once (
  ns         TEXT NOT NULL,
  key        TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;
CREATE INDEX lt_once_expires_at ON lt_once (expires_at);
`,
    postgres: `
CREATE TABLE lt_kv (
  ns         TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  expires_at BIGINT,
  PRIMARY KEY (ns, key)
);
CREATE INDEX lt_kv_expires_at ON lt_kv (expires_at) WHERE expires_at IS NOT NULL;
CREATE TABLE lt_once (
  ns         TEXT NOT NULL,
  key        TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (ns, key)
);
CREATE INDEX lt_once_expires_at ON lt_once (expires_at);
`,
  },
  // ---- policy model (issue 19, policy): numbered from 100 so other components' migrations fit below ----
  {
    version: 100,
    name: 'policy model',
    sqlite: `
-- The policy model (docs/policy.md): organisations, connections, grants,
-- accounts and registered clients as JSON documents checked by the code's
-- schemas; every instance holds them in memory and reloads when the
-- generation changes.
CREATE TABLE lt_policy_doc (
  kind       TEXT NOT NULL,
  id         TEXT NOT NULL,
  doc        TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (kind, id)
);
-- Every change, with who made it and why.
CREATE TABLE lt_policy_change (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,
  who       TEXT NOT NULL,
  why       TEXT NOT NULL,
  kind      TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  action    TEXT NOT NULL,
  doc       TEXT NOT NULL
);
CREATE INDEX lt_policy_change_entity ON lt_policy_change (kind, entity_id);
-- One row: bumped with every change, polled by every instance.
CREATE TABLE lt_policy_generation (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  generation INTEGER NOT NULL
);
INSERT INTO lt_policy_generation (id, generation) VALUES (1, 0);
-- Refusals made by policy (R8), for the admin API and the dispute authority.
CREATE TABLE lt_policy_refusal (
  seq       INTEGER PRIMARY KEY AUTOINCREMENT,
  at        INTEGER NOT NULL,
  code      TEXT NOT NULL,
  record    TEXT NOT NULL
);
CREATE INDEX lt_policy_refusal_at ON lt_policy_refusal (at);
-- Errors in shared data reported by consumers (R12).
CREATE TABLE lt_data_error (
  id        TEXT PRIMARY KEY,
  at        INTEGER NOT NULL,
  reporter  TEXT NOT NULL,
  provider  TEXT NOT NULL,
  status    TEXT NOT NULL,
  record    TEXT NOT NULL
);
CREATE INDEX lt_data_error_provider ON lt_data_error (provider, status);
CREATE INDEX lt_data_error_reporter ON lt_data_error (reporter, status);
-- Account logins and logouts with the client address (R7.2).
CREATE TABLE lt_account_session (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  at         INTEGER NOT NULL,
  account_id TEXT NOT NULL,
  event      TEXT NOT NULL,
  ip         TEXT NOT NULL
);
CREATE INDEX lt_account_session_account ON lt_account_session (account_id, at);
`,
    postgres: `
-- The policy model (docs/policy.md): organisations, connections, grants,
-- accounts and registered clients as JSON documents checked by the code's
-- schemas; every instance holds them in memory and reloads when the
-- generation changes.
CREATE TABLE lt_policy_doc (
  kind       TEXT NOT NULL,
  id         TEXT NOT NULL,
  doc        TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (kind, id)
);
-- Every change, with who made it and why.
CREATE TABLE lt_policy_change (
  seq       BIGSERIAL PRIMARY KEY,
  at        BIGINT NOT NULL,
  who       TEXT NOT NULL,
  why       TEXT NOT NULL,
  kind      TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  action    TEXT NOT NULL,
  doc       TEXT NOT NULL
);
CREATE INDEX lt_policy_change_entity ON lt_policy_change (kind, entity_id);
-- One row: bumped with every change, polled by every instance.
CREATE TABLE lt_policy_generation (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  generation BIGINT NOT NULL
);
INSERT INTO lt_policy_generation (id, generation) VALUES (1, 0);
-- Refusals made by policy (R8), for the admin API and the dispute authority.
CREATE TABLE lt_policy_refusal (
  seq       BIGSERIAL PRIMARY KEY,
  at        BIGINT NOT NULL,
  code      TEXT NOT NULL,
  record    TEXT NOT NULL
);
CREATE INDEX lt_policy_refusal_at ON lt_policy_refusal (at);
-- Errors in shared data reported by consumers (R12).
CREATE TABLE lt_data_error (
  id        TEXT PRIMARY KEY,
  at        BIGINT NOT NULL,
  reporter  TEXT NOT NULL,
  provider  TEXT NOT NULL,
  status    TEXT NOT NULL,
  record    TEXT NOT NULL
);
CREATE INDEX lt_data_error_provider ON lt_data_error (provider, status);
CREATE INDEX lt_data_error_reporter ON lt_data_error (reporter, status);
-- Account logins and logouts with the client address (R7.2).
CREATE TABLE lt_account_session (
  seq        BIGSERIAL PRIMARY KEY,
  at         BIGINT NOT NULL,
  account_id TEXT NOT NULL,
  event      TEXT NOT NULL,
  ip         TEXT NOT NULL
);
CREATE INDEX lt_account_session_account ON lt_account_session (account_id, at);
`,
  },
];
