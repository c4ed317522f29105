/**
 * The sharing log's tables, written once for both backends: the column
 * lists are the same, only the type names and SQLite's WITHOUT ROWID differ.
 * Times and sequence numbers are integers (ms since the epoch).
 */
type Kind = 'text' | 'int' | 'bool';
type Column = readonly [name: string, kind: Kind, nullable?: 'null' | `default ${string}`];

const TABLES: Record<string, { columns: readonly Column[]; indexes?: Record<string, string> }> = {
  lt_audit: {
    columns: [
      ['writer', 'text'],
      ['seq', 'int'],
      ['id', 'text'],
      ['at', 'int'],
      ['kind', 'text'],
      ['route', 'text', 'null'],
      ['service', 'text', 'null'],
      ['org', 'text', 'null'],
      ['officer', 'text', 'null'],
      ['code', 'text'],
      ['subjects', 'text', "default ''"],
      ['body', 'text'],
      ['prev', 'text'],
      ['hash', 'text'],
      ['keep_until', 'int'],
    ],
    indexes: {
      lt_audit_at: 'at',
      lt_audit_org: 'org, at',
      lt_audit_officer: 'officer, at',
      lt_audit_keep: 'keep_until',
    },
  },
  // What is left of an archived record: its place in the chain.
  lt_audit_archived: {
    columns: [
      ['writer', 'text'],
      ['seq', 'int'],
      ['prev', 'text'],
      ['hash', 'text'],
      ['keep_until', 'int'],
      ['archive', 'text'],
      ['archived_at', 'int'],
    ],
  },
  lt_audit_checkpoint: {
    columns: [
      ['writer', 'text'],
      ['seq', 'int'],
      ['at', 'int'],
      ['head', 'text'],
      ['jws', 'text'],
      ['final', 'bool', 'default false'],
    ],
  },
};

const TYPES = {
  sqlite: { text: 'TEXT', int: 'INTEGER', bool: 'INTEGER' },
  postgres: { text: 'TEXT', int: 'BIGINT', bool: 'BOOLEAN' },
} as const;

/** `CREATE … IF NOT EXISTS` for every table and index; `schema` is a quoted identifier (PostgreSQL). */
export function auditDdl(dialect: 'sqlite' | 'postgres', schema?: string): string {
  const q = (t: string) => (schema ? `${schema}.${t}` : t);
  const out: string[] = schema ? [`CREATE SCHEMA IF NOT EXISTS ${schema};`] : [];
  for (const [table, { columns, indexes }] of Object.entries(TABLES)) {
    const cols = columns.map(([name, kind, extra]) => {
      const def =
        extra === 'null'
          ? ''
          : ` NOT NULL${extra ? ` ${dialect === 'sqlite' ? extra.replace('false', '0') : extra}` : ''}`;
      return `  ${name} ${TYPES[dialect][kind]}${def}`;
    });
    out.push(
      `CREATE TABLE IF NOT EXISTS ${q(table)} (\n${cols.join(',\n')},\n  PRIMARY KEY (writer, seq)\n)${dialect === 'sqlite' ? ' WITHOUT ROWID' : ''};`,
    );
    for (const [name, on] of Object.entries(indexes ?? {}))
      out.push(`CREATE INDEX IF NOT EXISTS ${name} ON ${q(table)} (${on});`);
  }
  return out.join('\n');
}
