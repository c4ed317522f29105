/**
 * Plain SQL over either backend, for components that keep tables of their
 * own (the policy model). Statements use `?` placeholders; the PostgreSQL
 * runner numbers them (`$1`, …). Table names are unqualified: SQLite has one
 * namespace, and the PostgreSQL pool's connections have the store's schema as
 * their search_path.
 */
export interface SqlQueries {
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; resolves the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface SqlRunner extends SqlQueries {
  readonly dialect: 'sqlite' | 'postgres';
  /** `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  tx<T>(fn: (q: SqlQueries) => Promise<T>): Promise<T>;
}

/** `?` placeholders → `$1`, `$2`, … (statements written for this runner carry no `?` in literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
