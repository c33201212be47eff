import { and, desc, eq, gte, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { prepared } from '../prepared.ts';
import { type AuditEntry, auditLog } from '../schema.ts';

export interface NewAuditEntry {
  action: string;
  /** Who did it (a user id), or null for the system or an anonymous caller. */
  actorId: string | null;
  /** What it was done to (a user id, session id, email hash…), or null. */
  target: string | null;
  ip: string | null;
  /** A short JSON object with the facts worth keeping; never a secret. */
  detail?: Record<string, unknown> | null;
}

const insertEntry = (db: Db) =>
  db
    .insert(auditLog)
    .values({
      at: sql.placeholder('at'),
      actorId: sql.placeholder('actorId'),
      action: sql.placeholder('action'),
      target: sql.placeholder('target'),
      ip: sql.placeholder('ip'),
      detail: sql.placeholder('detail'),
    })
    .prepare();

/** Appends one entry; the audit log is never updated except to forget a deleted user. */
export function insertAuditEntry(db: Db, entry: NewAuditEntry, nowMs: number): void {
  prepared(db, insertEntry).run({
    at: nowMs,
    actorId: entry.actorId,
    action: entry.action,
    target: entry.target,
    ip: entry.ip,
    detail: entry.detail ? JSON.stringify(entry.detail) : null,
  });
}

export interface AuditQuery {
  action?: string | undefined;
  /** Entries where this user is the actor or the target. */
  userId?: string | undefined;
  fromMs?: number | undefined;
  toMs?: number | undefined;
  limit: number;
  /** The id of the last entry of the previous page. */
  beforeId?: number | undefined;
}

/** Newest first, a page at a time. */
export function listAuditEntries(
  db: Db,
  query: AuditQuery,
): { entries: AuditEntry[]; nextBeforeId: number | null } {
  const rows = db
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
    .limit(query.limit + 1)
    .all();
  const entries = rows.slice(0, query.limit);
  return { entries, nextBeforeId: rows.length > query.limit ? (entries.at(-1)?.id ?? null) : null };
}

/**
 * A deleted user leaves no trace: entries they made or that name them keep their action and time,
 * with the user's id, their IP and the entry's detail (which may hold an email hash) removed. An
 * admin's own id on entries about the user stays. Both columns are indexed.
 */
export function forgetUserInAuditLog(db: Db, userId: string): void {
  db.update(auditLog)
    .set({ actorId: null, ip: null, detail: null })
    .where(eq(auditLog.actorId, userId))
    .run();
  db.update(auditLog)
    .set({
      target: null,
      detail: null,
      ip: sql`CASE WHEN ${auditLog.actorId} IS NULL THEN NULL ELSE ${auditLog.ip} END`,
    })
    .where(eq(auditLog.target, userId))
    .run();
}
