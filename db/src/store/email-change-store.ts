import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { insertAuditEntryPg } from '../postgres/audit-log.ts';
import { dropPendingEmailChangePg, setPendingEmailPg } from '../postgres/email-change.ts';
import { runUnit } from '../postgres/transaction.ts';
import type { AuditFor } from '../queries/audit-builder.ts';
import { insertAuditEntry } from '../queries/audit-log.ts';
import {
  type PendingEmailResult,
  dropPendingEmailChange,
  setPendingEmail,
} from '../queries/email-change.ts';
import type { User } from '../schema.ts';

/** A user's change of address, waiting in `pending_email` until the mailed link is opened. */
export interface EmailChangeStore {
  /**
   * Asks for a new (normalised) address: `pending` (and `audit` recorded), `unchanged` (their own
   * address: a pending change is dropped), `email_taken` or `unknown_user`.
   */
  request(
    userId: string,
    email: string,
    nowMs: number,
    audit?: AuditFor<User>,
  ): Promise<PendingEmailResult>;
  /** Drops the pending change and voids the user's unused verification links. */
  dropPending(userId: string, nowMs: number): Promise<void>;
}

export function sqliteEmailChangeStore({ groupCommit }: AttuneDatabase): EmailChangeStore {
  return {
    request: (userId, email, nowMs, audit) =>
      groupCommit.run((tx) => {
        const pending = setPendingEmail(tx, userId, email);
        const entry = pending.status === 'pending' && audit?.(pending.user);
        if (entry) insertAuditEntry(tx, entry, nowMs);
        return pending;
      }),
    dropPending: (userId, nowMs) =>
      groupCommit.run((tx) => dropPendingEmailChange(tx, userId, nowMs)),
  };
}

export function postgresEmailChangeStore({ db }: PostgresDatabase): EmailChangeStore {
  return {
    request: (userId, email, nowMs, audit) =>
      runUnit(db, async (tx) => {
        const pending = await setPendingEmailPg(tx, userId, email);
        const entry = pending.status === 'pending' && audit?.(pending.user);
        if (entry) await insertAuditEntryPg(tx, entry, nowMs);
        return pending;
      }),
    dropPending: (userId, nowMs) =>
      runUnit(db, (tx) => dropPendingEmailChangePg(tx, userId, nowMs)),
  };
}
