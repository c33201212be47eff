/**
 * PostgreSQL ports of queries/admin-accounts.ts: the same units, inside the caller's `runUnit`.
 * The MAX_USERS count runs under `lockUserLimitPg`, like a sign-up's, so of two replicas creating
 * accounts for the last place exactly one gets it.
 */
import type {
  AdminInvitation,
  AdminInvitationResult,
  AdminNewUser,
  AdminNewUserResult,
} from '../queries/admin-accounts.ts';
import type { AuditFor } from '../queries/audit-builder.ts';
import type { ActionToken, User, UserRole } from '../schema.ts';
import { issueActionTokenPg, lockActionTokensPg } from './action-tokens.ts';
import { insertAuditEntryPg } from './audit-log.ts';
import { lockUserLimitPg } from './new-account.ts';
import type { PgTx } from './transaction.ts';
import {
  countNonGuestUsersPg,
  createUserWithoutPasswordPg,
  findUserByEmailPg,
  lockUserPg,
  setUserRolePg,
} from './users.ts';

/** MAX_USERS reached? Counted under the MAX_USERS lock, held until the unit ends. */
async function atUserLimitPg(tx: PgTx, maxUsers: number | null): Promise<boolean> {
  if (maxUsers === null) return false;
  await lockUserLimitPg(tx);
  return (await countNonGuestUsersPg(tx)) >= maxUsers;
}

/** PostgreSQL's `createUserWithPasswordLink`. A concurrent insert of the address waits, then inserts nothing. */
export async function createUserWithPasswordLinkPg(
  tx: PgTx,
  input: AdminNewUser,
  nowMs: number,
  audit?: AuditFor<User>,
): Promise<AdminNewUserResult> {
  if (await atUserLimitPg(tx, input.maxUsers)) return { status: 'user_limit' };
  const user = await createUserWithoutPasswordPg(
    tx,
    { email: input.email, fullName: input.fullName, role: input.role },
    nowMs,
  );
  if (!user) return { status: 'email_taken' };
  const link = {
    purpose: 'set_password' as const,
    userId: user.id,
    email: user.email,
    ttlMs: input.linkTtlMs,
  };
  await lockActionTokensPg(tx, link);
  const { token } = await issueActionTokenPg(tx, link, nowMs);
  const entry = audit?.(user);
  if (entry) await insertAuditEntryPg(tx, entry, nowMs);
  return { status: 'created', user, token };
}

/** PostgreSQL's `inviteUser`: the address's links are locked, so only the latest invitation works. */
export async function inviteUserPg(
  tx: PgTx,
  input: AdminInvitation,
  nowMs: number,
  audit?: AuditFor<ActionToken>,
): Promise<AdminInvitationResult> {
  if (await findUserByEmailPg(tx, input.email)) return { status: 'email_taken' };
  if (await atUserLimitPg(tx, input.maxUsers)) return { status: 'user_limit' };
  const invitation = {
    purpose: 'invitation' as const,
    userId: null,
    email: input.email,
    role: input.role,
    ttlMs: input.ttlMs,
  };
  await lockActionTokensPg(tx, invitation);
  const issued = await issueActionTokenPg(tx, invitation, nowMs);
  const entry = audit?.(issued.row);
  if (entry) await insertAuditEntryPg(tx, entry, nowMs);
  return { status: 'issued', ...issued };
}

/** PostgreSQL's `setRoleByOperator`: the row is locked, so `previous` is the role it replaced. */
export async function setRoleByOperatorPg(
  tx: PgTx,
  userId: string,
  role: UserRole,
  audit: AuditFor<{ previous: User; user: User }>,
  nowMs: number,
): Promise<{ previous: User; user: User } | undefined> {
  const previous = await lockUserPg(tx, userId);
  const user = previous && (await setUserRolePg(tx, userId, role));
  if (!previous || !user) return undefined;
  const entry = audit({ previous, user });
  if (entry) await insertAuditEntryPg(tx, entry, nowMs);
  return { previous, user };
}
