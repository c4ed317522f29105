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
];
