export * from './store.js';
export * from './migrations.js';
export { SqliteStore } from './sqlite.js';
export { PostgresStore, PG_START_HINT, type PostgresStoreConfig } from './postgres.js';
