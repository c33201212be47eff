import { and, eq, ne } from 'drizzle-orm';
import type { ConfirmEmailResult, PendingEmailResult } from '../queries/email-change.ts';
import { users } from '../schema.pg.ts';
import type { User } from '../schema.ts';
import { voidUserActionTokensPg } from './action-tokens.ts';
import { type PgTx, sqlState } from './transaction.ts';
import { lockUserPg } from './users.ts';

const UNIQUE_VIOLATION = '23505';

async function emailHeldByAnother(tx: PgTx, userId: string, email: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.email, email), ne(users.id, userId)));
  return row !== undefined;
}

/** PostgreSQL's `setPendingEmail`, inside the caller's unit, on the user's locked row. */
export async function setPendingEmailPg(
  tx: PgTx,
  userId: string,
  email: string,
): Promise<PendingEmailResult> {
  const user = await lockUserPg(tx, userId);
  if (!user) return { status: 'unknown_user' };
  const pendingEmail = email === user.email ? null : email;
  if (pendingEmail !== null && (await emailHeldByAnother(tx, userId, pendingEmail)))
    return { status: 'email_taken' };
  const [updated] = await tx
    .update(users)
    .set({ pendingEmail })
    .where(eq(users.id, userId))
    .returning();
  return { status: pendingEmail === null ? 'unchanged' : 'pending', user: updated! };
}

/**
 * PostgreSQL's `confirmPendingEmail`, inside the caller's unit, on the user's locked row. Another
 * account may take the address between the check and the write (a sign-up or a confirmation on
 * another replica): the write then meets the unique index, inside a savepoint, and the answer is
 * `email_taken` as if the check had seen it.
 */
export async function confirmPendingEmailPg(
  tx: PgTx,
  userId: string,
  email: string,
  nowMs: number,
): Promise<ConfirmEmailResult> {
  const user = await lockUserPg(tx, userId);
  if (!user || user.pendingEmail === null || user.pendingEmail !== email)
    return { status: 'not_pending' };
  let updated: User | undefined;
  if (!(await emailHeldByAnother(tx, userId, email))) {
    try {
      updated = await tx.transaction(async (sp) => {
        const [row] = await sp
          .update(users)
          .set({ email, pendingEmail: null, emailVerifiedAt: nowMs })
          .where(eq(users.id, userId))
          .returning();
        return row;
      });
    } catch (error) {
      if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
    }
  }
  if (updated) return { status: 'confirmed', user: updated };
  await tx.update(users).set({ pendingEmail: null }).where(eq(users.id, userId));
  return { status: 'email_taken' };
}

/** PostgreSQL's `dropPendingEmailChange`, inside the caller's unit. */
export async function dropPendingEmailChangePg(
  tx: PgTx,
  userId: string,
  nowMs: number,
): Promise<void> {
  await tx.update(users).set({ pendingEmail: null }).where(eq(users.id, userId));
  await voidUserActionTokensPg(tx, userId, ['email_verification'], nowMs);
}
