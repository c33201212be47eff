/**
 * Changing a user's email: the new address waits in `pending_email` until the link mailed to it is
 * used. Addresses stay unique: an address another account holds is refused when asked for and
 * again when confirmed (someone may have taken it in between).
 */
import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { type User, users } from '../schema.ts';
import { voidUserActionTokens } from './action-tokens.ts';

function emailHeldByAnother(db: Db, userId: string, email: string): boolean {
  return (
    db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.email, email), ne(users.id, userId)))
      .get() !== undefined
  );
}

export type PendingEmailResult =
  /** The address waits for verification. */
  | { status: 'pending'; user: User }
  /** The address is the user's own already: any pending change is dropped. */
  | { status: 'unchanged'; user: User }
  | { status: 'email_taken' }
  | { status: 'unknown_user' };

/** Asks for a new (normalised) address, in one transaction; `email_taken` is a 409 for the caller. */
export function setPendingEmail(db: Db, userId: string, email: string): PendingEmailResult {
  return db.transaction(
    (tx): PendingEmailResult => {
      const user = tx.select().from(users).where(eq(users.id, userId)).get();
      if (!user) return { status: 'unknown_user' };
      const pendingEmail = email === user.email ? null : email;
      if (pendingEmail !== null && emailHeldByAnother(tx, userId, pendingEmail))
        return { status: 'email_taken' };
      const updated = tx
        .update(users)
        .set({ pendingEmail })
        .where(eq(users.id, userId))
        .returning()
        .get();
      return { status: pendingEmail === null ? 'unchanged' : 'pending', user: updated };
    },
    { behavior: 'immediate' },
  );
}

export type ConfirmEmailResult =
  | { status: 'confirmed'; user: User }
  /** Another account took the address meanwhile; the pending change is dropped. */
  | { status: 'email_taken' }
  /** `email` is not (or no longer) the user's pending address. */
  | { status: 'not_pending' };

/**
 * Makes the pending address the user's email, verified now, in one transaction. Refused when
 * `email` is not the pending one (a newer change replaced it) or another account holds it.
 */
export function confirmPendingEmail(
  db: Db,
  userId: string,
  email: string,
  nowMs: number,
): ConfirmEmailResult {
  return db.transaction(
    (tx): ConfirmEmailResult => {
      const user = tx.select().from(users).where(eq(users.id, userId)).get();
      if (!user || user.pendingEmail === null || user.pendingEmail !== email)
        return { status: 'not_pending' };
      if (emailHeldByAnother(tx, userId, email)) {
        tx.update(users).set({ pendingEmail: null }).where(eq(users.id, userId)).run();
        return { status: 'email_taken' };
      }
      const updated = tx
        .update(users)
        .set({ email, pendingEmail: null, emailVerifiedAt: nowMs })
        .where(eq(users.id, userId))
        .returning()
        .get();
      return { status: 'confirmed', user: updated };
    },
    { behavior: 'immediate' },
  );
}

/**
 * Drops the user's pending address change and voids every unused verification link of theirs, in
 * one transaction. For a new password and a suspension: someone who knew the old password may
 * have asked for a change to an address they read, and must not complete it afterwards. (A link
 * for the current address is voided too; the owner can ask for another.)
 */
export function dropPendingEmailChange(db: Db, userId: string, nowMs: number): void {
  db.transaction(
    (tx) => {
      tx.update(users).set({ pendingEmail: null }).where(eq(users.id, userId)).run();
      voidUserActionTokens(tx, userId, ['email_verification'], nowMs);
    },
    { behavior: 'immediate' },
  );
}
