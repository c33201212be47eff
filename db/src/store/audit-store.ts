import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { insertAuditEntryPg, listAuditEntriesPg } from '../postgres/audit-log.ts';
import { runUnit } from '../postgres/transaction.ts';
import {
  type AuditQuery,
  type NewAuditEntry,
  insertAuditEntry,
  listAuditEntries,
} from '../queries/audit-log.ts';
import type { AuditEntry } from '../schema.ts';
import { runSync } from './run-sync.ts';

/**
 * The audit log: append-only. Entries written as part of other work (a role change, an account
 * deletion) are written by that work's unit, in its transaction; `append` is for an entry that
 * stands alone.
 */
export interface AuditStore {
  /** Appends one entry on its own. */
  append(entry: NewAuditEntry, nowMs: number): Promise<void>;
  /** Appends entries that belong together (a refused sign-in and the lockout it caused): all or none. */
  appendAll(entries: readonly NewAuditEntry[], nowMs: number): Promise<void>;
  /** Entries newest first, a page at a time; `nextBeforeId` continues after the last one. */
  list(query: AuditQuery): Promise<{ entries: AuditEntry[]; nextBeforeId: number | null }>;
}

/** SQLite: an entry on its own rides the group commit (one shared transaction per turn). */
export function sqliteAuditStore({ db, groupCommit }: AttuneDatabase): AuditStore {
  return {
    append: (entry, nowMs) => groupCommit.run((tx) => insertAuditEntry(tx, entry, nowMs)),
    appendAll: (entries, nowMs) =>
      groupCommit.run((tx) => {
        for (const entry of entries) insertAuditEntry(tx, entry, nowMs);
      }),
    list: (query) => runSync(() => listAuditEntries(db, query)),
  };
}

export function postgresAuditStore({ db }: PostgresDatabase): AuditStore {
  return {
    append: (entry, nowMs) => insertAuditEntryPg(db, entry, nowMs),
    appendAll: (entries, nowMs) =>
      runUnit(db, async (tx) => {
        for (const entry of entries) await insertAuditEntryPg(tx, entry, nowMs);
      }),
    list: (query) => listAuditEntriesPg(db, query),
  };
}
