/**
 * PostgreSQL's `listSessions` (queries/session-analytics.ts): the same pages in the same order.
 * Session ids are compared and sorted `COLLATE "C"`, SQLite's byte order, whatever the server's
 * locale, so a cursor from either engine continues where the page ended.
 */
import { and, desc, eq, gte, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { PgDb } from '../open-postgres.ts';
import type { SessionPage, listSessions } from '../queries/session-analytics.ts';
import { userSessions } from '../schema.pg.ts';
import type { PgTx } from './transaction.ts';

/** What a listing asks for: the period and scope, the status, joined only, the page. */
export type SessionListQuery = Parameters<typeof listSessions>[1];

const idInByteOrder = sql`${userSessions.id} COLLATE "C"`;

export async function listSessionsPg(
  db: PgDb | PgTx,
  query: SessionListQuery,
): Promise<SessionPage> {
  const { filter, status, joinedOnly, limit, after } = query;
  const rows = await db
    .select()
    .from(userSessions)
    .where(
      and(
        filter.fromMs === undefined ? undefined : gte(userSessions.issuedAt, filter.fromMs),
        filter.toMs === undefined ? undefined : lt(userSessions.issuedAt, filter.toMs),
        status === undefined ? undefined : eq(userSessions.status, status),
        joinedOnly ? isNotNull(userSessions.sessionStart) : undefined,
        filter.userId === undefined ? undefined : eq(userSessions.userId, filter.userId),
        filter.roomName === undefined ? undefined : eq(userSessions.roomName, filter.roomName),
        after === undefined
          ? undefined
          : or(
              lt(userSessions.issuedAt, after.issuedAt),
              and(eq(userSessions.issuedAt, after.issuedAt), sql`${idInByteOrder} < ${after.id}`),
            ),
      ),
    )
    .orderBy(desc(userSessions.issuedAt), sql`${idInByteOrder} DESC`)
    .limit(limit + 1);
  const sessions = rows.slice(0, limit);
  const last = sessions.at(-1);
  return {
    sessions,
    next: rows.length > limit && last ? { issuedAt: last.issuedAt, id: last.id } : null,
  };
}
