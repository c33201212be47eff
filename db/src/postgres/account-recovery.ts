import { and, eq } from 'drizzle-orm';
import {
  type EmailTokenResult,
  type NewPasswordOptions,
  PASSWORD_TOKEN_PURPOSES,
  type PasswordTokenResult,
} from '../queries/account-recovery.ts';
import { users } from '../schema.pg.ts';
import type { User } from '../schema.ts';
import { consumeActionTokenPg, voidUserActionTokensPg } from './action-tokens.ts';
import { confirmPendingEmailPg, dropPendingEmailChangePg } from './email-change.ts';
import { clearLoginThrottlePg } from './login-throttle.ts';
import { revokeUserRefreshFamiliesPg } from './refresh-tokens.ts';
import type { PgTx } from './transaction.ts';
import { findUserByIdPg, markEmailVerifiedPg } from './users.ts';

/**
 * PostgreSQL's `setPasswordAndSignOutEverywhere`, inside the caller's unit. The password write is
 * the conditional update (by `ifPasswordHashIs`): of two changes racing over replicas, the second
 * waits for the first's row lock and then finds the hash changed.
 */
export async function setPasswordAndSignOutEverywherePg(
  tx: PgTx,
  userId: string,
  passwordHash: string,
  nowMs: number,
  options: NewPasswordOptions = {},
): Promise<User | undefined> {
  const [user] = await tx
    .update(users)
    .set({ passwordHash })
    .where(
      and(
        eq(users.id, userId),
        options.ifPasswordHashIs === undefined
          ? undefined
          : eq(users.passwordHash, options.ifPasswordHashIs),
      ),
    )
    .returning();
  if (!user) return undefined;
  await revokeUserRefreshFamiliesPg(tx, userId, nowMs, options.keepFamilyId);
  await voidUserActionTokensPg(tx, userId, PASSWORD_TOKEN_PURPOSES, nowMs);
  await dropPendingEmailChangePg(tx, userId, nowMs);
  await clearLoginThrottlePg(tx, user.email);
  return { ...user, pendingEmail: null };
}

/** PostgreSQL's `resetPasswordWithToken`, inside the caller's unit: the token is spent exactly once. */
export async function resetPasswordWithTokenPg(
  tx: PgTx,
  input: { token: string; passwordHash: string },
  nowMs: number,
): Promise<PasswordTokenResult> {
  const spent = await consumeActionTokenPg(
    tx,
    { token: input.token, purposes: PASSWORD_TOKEN_PURPOSES },
    nowMs,
  );
  if (!spent?.userId) return { status: 'invalid_token' };
  const owner = await findUserByIdPg(tx, spent.userId);
  if (!owner || owner.email !== spent.email) return { status: 'invalid_token' };
  await setPasswordAndSignOutEverywherePg(tx, owner.id, input.passwordHash, nowMs);
  const user = (await markEmailVerifiedPg(tx, owner.id, nowMs))!;
  return { status: 'password_set', user, purpose: spent.purpose };
}

/** PostgreSQL's `verifyEmailWithToken`, inside the caller's unit. */
export async function verifyEmailWithTokenPg(
  tx: PgTx,
  token: string,
  nowMs: number,
): Promise<EmailTokenResult> {
  const spent = await consumeActionTokenPg(tx, { token, purposes: ['email_verification'] }, nowMs);
  if (!spent?.userId) return { status: 'invalid_token' };
  const owner = await findUserByIdPg(tx, spent.userId);
  if (!owner) return { status: 'invalid_token' };
  if (owner.pendingEmail !== null && owner.pendingEmail === spent.email) {
    const confirmed = await confirmPendingEmailPg(tx, owner.id, spent.email, nowMs);
    if (confirmed.status === 'confirmed') return { status: 'verified', user: confirmed.user };
    return confirmed.status === 'email_taken'
      ? { status: 'email_taken' }
      : { status: 'invalid_token' };
  }
  if (owner.email !== spent.email) return { status: 'invalid_token' };
  return { status: 'verified', user: (await markEmailVerifiedPg(tx, owner.id, nowMs))! };
}
