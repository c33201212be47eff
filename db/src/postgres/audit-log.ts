import { and, desc, eq, gte, lt, or, sql } from 'drizzle-orm';
import type { PgDb } from '../open-postgres.ts';
import type { AuditQuery, NewAuditEntry } from '../queries/audit-log.ts';
import { auditLog } from '../schema.pg.ts';
import type { AuditEntry } from '../schema.ts';
import type { PgTx } from './transaction.ts';

/** Appends one entry, inside the caller's unit when given its transaction. */
export async function insertAuditEntryPg(
  db: PgDb | PgTx,
  entry: NewAuditEntry,
  nowMs: number,
): Promise<void> {
  await db.insert(auditLog).values({
    at: nowMs,
    actorId: entry.actorId,
    action: entry.action,
    target: entry.target,
    ip: entry.ip,
    detail: entry.detail ? JSON.stringify(entry.detail) : null,
  });
}

/** PostgreSQL's `listAuditEntries`: newest first (by id, as on SQLite), a page at a time. */
export async function listAuditEntriesPg(
  db: PgDb | PgTx,
  query: AuditQuery,
): Promise<{ entries: AuditEntry[]; nextBeforeId: number | null }> {
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        query.action === undefined ? undefined : eq(auditLog.action, query.action),
        query.userId === undefined
          ? undefined
          : or(eq(auditLog.actorId, query.userId), eq(auditLog.target, query.userId)),
        query.fromMs === undefined ? undefined : gte(auditLog.at, query.fromMs),
        query.toMs === undefined ? undefined : lt(auditLog.at, query.toMs),
        query.beforeId === undefined ? undefined : lt(auditLog.id, query.beforeId),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(query.limit + 1);
  const entries = rows.slice(0, query.limit);
  return { entries, nextBeforeId: rows.length > query.limit ? (entries.at(-1)?.id ?? null) : null };
}

/** PostgreSQL's `forgetUserInAuditLog`: the same two updates, in the caller's unit. */
export async function forgetUserInAuditLogPg(db: PgDb | PgTx, userId: string): Promise<void> {
  await db
    .update(auditLog)
    .set({ actorId: null, ip: null, detail: null })
    .where(eq(auditLog.actorId, userId));
  await db
    .update(auditLog)
    .set({
      target: null,
      detail: null,
      ip: sql`CASE WHEN ${auditLog.actorId} IS NULL THEN NULL ELSE ${auditLog.ip} END`,
    })
    .where(eq(auditLog.target, userId));
}
