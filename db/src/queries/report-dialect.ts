import { type SQL, sql } from 'drizzle-orm';
import { userSessions } from '../schema.ts';

/**
 * The two things the session duration report says differently on each database engine. The rest
 * of its SQL runs alike on SQLite and PostgreSQL (integer division for the UTC day number, count,
 * GROUP BY), and every figure is computed in TypeScript from integers the database returns, so
 * both engines give the same report to the last bit.
 */
export interface ReportDialect {
  /**
   * The group's values as a JSON array, in the order the rows are read (the report sorts them if
   * they are not ascending). SQLite: `json_group_array(value)`, whose text the report parses;
   * PostgreSQL: `json_agg(value ORDER BY value)`, which node-postgres hands over parsed.
   */
  valuesOf(value: SQL): SQL<string | number[]>;
  /**
   * `user_sessions` as the report's FROM clause, read through `index`. Without table statistics
   * SQLite's planner takes `status = 'ended'` for a selective equality and reads a million rows
   * through `user_sessions_status_issued_idx` plus the table, then sorts them for GROUP BY
   * (seconds), where the named covering index needs no table read and no sort (a tenth of that).
   * PostgreSQL plans from its statistics and gets the plain table name.
   */
  sessionsThrough(index: string): SQL;
}

export const SQLITE_REPORT_DIALECT: ReportDialect = {
  valuesOf: (value) => sql<string>`json_group_array(${value})`,
  sessionsThrough: (index) => sql`${userSessions} INDEXED BY ${sql.identifier(index)}`,
};

export const POSTGRES_REPORT_DIALECT: ReportDialect = {
  valuesOf: (value) => sql<number[]>`json_agg(${value} ORDER BY ${value})`,
  sessionsThrough: () => sql`${userSessions}`,
};
