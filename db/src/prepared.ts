import type { Db } from './open-database.ts';

const statementsByConnection = new WeakMap<Db, Map<(db: Db) => unknown, unknown>>();

/**
 * The prepared statement `build` makes for this database handle, made once and reused.
 * Building a drizzle query costs ~50 µs per call; a prepared one runs at raw SQLite speed,
 * which matters on the token-minting path.
 *
 * Statements are cached per handle. better-sqlite3 has a single connection, so statements of the
 * root handle run inside whatever transaction is open on it; pass the root handle on hot paths
 * (a transaction handle gets statements of its own, prepared again for each transaction).
 */
export function prepared<T>(db: Db, build: (db: Db) => T): T {
  let statements = statementsByConnection.get(db);
  if (!statements) {
    statements = new Map();
    statementsByConnection.set(db, statements);
  }
  let statement = statements.get(build) as T | undefined;
  if (statement === undefined) {
    statement = build(db);
    statements.set(build, statement);
  }
  return statement;
}
