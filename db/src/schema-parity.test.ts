/**
 * The two engines' schemas, as their migrations actually build them, must match: the same
 * tables and views, the same columns (name, type family, nullability, default) and the same
 * indexes (name, uniqueness, columns in order). Compared on real migrated databases, not on the
 * drizzle definitions, so a migration that drifts from its schema file is caught too.
 */
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresDatabase, openPostgresDatabase } from './open-postgres.ts';
import { type TestPostgresDatabase, createTestPostgresDatabase } from './postgres-server.ts';
import { openTempDatabase } from './testing.ts';

interface ColumnShape {
  name: string;
  /** 'integer' (SQLite INTEGER; PostgreSQL integer or bigint) or 'text'. */
  type: 'integer' | 'text';
  notNull: boolean;
  defaultValue: string | null;
}

interface IndexShape {
  name: string;
  unique: boolean;
  /** Column names in order; an expression is `(expression)` (its text differs by engine). */
  columns: string[];
  /** A partial index (one with a WHERE clause). */
  partial: boolean;
}

interface SchemaShape {
  tables: Record<string, { columns: ColumnShape[]; indexes: IndexShape[] }>;
  views: Record<string, string[]>;
}

const typeFamily = (declared: string): ColumnShape['type'] => {
  const t = declared.toLowerCase();
  if (t === 'integer' || t === 'bigint') return 'integer';
  if (t === 'text') return 'text';
  throw new Error(`unexpected column type ${declared}`);
};

/** `'user'` and `'user'::text` are the same default. */
const normalizeDefault = (value: string | null) =>
  value === null ? null : value.replace(/::[a-z ]+$/, '');

function sqliteShape(connection: Database.Database): SchemaShape {
  const objects = connection
    .prepare(
      `SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')
       AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name`,
    )
    .all() as { name: string; type: string }[];
  const shape: SchemaShape = { tables: {}, views: {} };
  for (const { name, type } of objects) {
    const columns = connection.pragma(`table_info("${name}")`) as {
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
    }[];
    if (type === 'view') {
      shape.views[name] = columns.map((c) => c.name);
      continue;
    }
    const indexes = (
      connection.pragma(`index_list("${name}")`) as {
        name: string;
        unique: number;
        origin: string;
        partial: number;
      }[]
    )
      // Primary keys are compared through the columns; SQLite names their indexes itself.
      .filter((index) => index.origin !== 'pk')
      .map((index) => ({
        name: index.name,
        unique: index.unique === 1,
        columns: (
          connection.pragma(`index_info("${index.name}")`) as { name: string | null }[]
        ).map((c) => c.name ?? '(expression)'),
        partial: index.partial === 1,
      }));
    shape.tables[name] = {
      columns: columns.map((c) => ({
        name: c.name,
        type: typeFamily(c.type),
        // SQLite reports a primary-key column as nullable; PostgreSQL makes it NOT NULL.
        notNull: c.notnull === 1 || c.pk > 0,
        defaultValue: normalizeDefault(c.dflt_value),
      })),
      indexes: indexes.sort((a, b) => a.name.localeCompare(b.name)),
    };
  }
  return shape;
}

async function postgresShape(database: PostgresDatabase): Promise<SchemaShape> {
  const { rows: objects } = await database.pool.query<{ name: string; type: string }>(
    `SELECT table_name AS name, table_type AS type FROM information_schema.tables
     WHERE table_schema = 'public' ORDER BY table_name`,
  );
  const shape: SchemaShape = { tables: {}, views: {} };
  for (const { name, type } of objects) {
    const { rows: columns } = await database.pool.query<{
      name: string;
      type: string;
      nullable: string;
      default_value: string | null;
      identity: string;
    }>(
      `SELECT column_name AS name, data_type AS type, is_nullable AS nullable,
              column_default AS default_value, is_identity AS identity
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1
       ORDER BY ordinal_position`,
      [name],
    );
    if (type === 'VIEW') {
      shape.views[name] = columns.map((c) => c.name);
      continue;
    }
    const { rows: indexes } = await database.pool.query<{
      name: string;
      unique: boolean;
      columns: string[];
      partial: boolean;
    }>(
      `SELECT i.relname AS name, x.indisunique AS unique, x.indpred IS NOT NULL AS partial,
              array(SELECT coalesce(a.attname::text, '(expression)')
                    FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                    LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
                    ORDER BY k.n) AS columns
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       WHERE t.relname = $1 AND t.relnamespace = 'public'::regnamespace AND NOT x.indisprimary`,
      [name],
    );
    shape.tables[name] = {
      columns: columns.map((c) => ({
        name: c.name,
        type: typeFamily(c.type),
        notNull: c.nullable === 'NO',
        defaultValue: normalizeDefault(c.default_value),
      })),
      indexes: indexes.sort((a, b) => a.name.localeCompare(b.name)),
    };
  }
  return shape;
}

describe('the SQLite and PostgreSQL schemas', () => {
  let server: TestPostgresDatabase;
  let postgres: PostgresDatabase;
  const sqlite = openTempDatabase();

  beforeAll(async () => {
    server = await createTestPostgresDatabase();
    postgres = await openPostgresDatabase(server.url, { poolSize: 1 });
  });

  afterAll(async () => {
    await postgres?.close();
    await server?.drop();
    sqlite.remove();
  });

  it('have the same tables, columns and indexes once migrated', async () => {
    const fromSqlite = sqliteShape(sqlite.connection);
    const fromPostgres = await postgresShape(postgres);
    expect(Object.keys(fromPostgres.tables)).toEqual(Object.keys(fromSqlite.tables));
    for (const table of Object.keys(fromSqlite.tables))
      expect({ table, ...fromPostgres.tables[table] }).toEqual({
        table,
        ...fromSqlite.tables[table],
      });
  });

  it('have the same views with the same columns', async () => {
    const fromSqlite = sqliteShape(sqlite.connection);
    const fromPostgres = await postgresShape(postgres);
    expect(fromPostgres.views).toEqual(fromSqlite.views);
    expect(Object.keys(fromSqlite.views)).toContain('session_durations');
  });
});
