import type { PgDb } from '../open-postgres.ts';
import type { NewAuditEntry } from '../queries/audit-log.ts';
import { auditLog } from '../schema.pg.ts';
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
