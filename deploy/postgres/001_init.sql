-- lienthong store, migration 1: shared key/value state and once-only keys.
--
-- The gateway applies this itself at start-up (src/store/migrations.ts) and
-- records it in lt_schema_migrations; this file is for operators who create
-- the schema by hand, e.g. when the gateway's database role may not run DDL:
--
--   psql -v ON_ERROR_STOP=1 --single-transaction -d lienthong -f 001_init.sql
--
-- To use a schema other than public, run `SET search_path TO <schema>;` first
-- and give the same name as `store.schema` in the gateway's configuration.
-- Times are milliseconds since the Unix epoch; a row is expired when
-- expires_at <= now.

CREATE TABLE IF NOT EXISTS lt_schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Small shared state: OAuth2 tokens of providers, polling cursors, …
CREATE TABLE lt_kv (
  ns         TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  expires_at BIGINT,
  PRIMARY KEY (ns, key)
);
CREATE INDEX lt_kv_expires_at ON lt_kv (expires_at) WHERE expires_at IS NOT NULL;

-- Keys remembered until they expire: JWS jti values for replay protection,
-- shared by every gateway instance.
CREATE TABLE lt_once (
  ns         TEXT NOT NULL,
  key        TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (ns, key)
);
CREATE INDEX lt_once_expires_at ON lt_once (expires_at);

INSERT INTO lt_schema_migrations (version, name) VALUES (1, 'kv and once');

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

INSERT INTO lt_schema_migrations (version, name) VALUES (100, 'policy model');
