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
