import type { AuditFor } from '../queries/audit-builder.ts';
import {
  type CreatedAccount,
  type NewAccount,
  type NewAccountResult,
  newAccountUser,
} from '../queries/new-account.ts';
import type { ActionToken } from '../schema.ts';
import { consumeActionTokenPg } from './action-tokens.ts';
import { ADVISORY_LOCK_SPACE, advisoryXactLockPg } from './advisory-locks.ts';
import { insertAuditEntryPg } from './audit-log.ts';
import type { PgTx } from './transaction.ts';
import { countNonGuestUsersPg, insertUserPg } from './users.ts';

/**
 * Holds the MAX_USERS lock until the caller's transaction ends. Every unit that counts non-guest
 * accounts and then adds one takes it first: under READ COMMITTED two replicas could otherwise
 * both count the last free place and both insert (there is no row to lock for a count).
 */
export function lockUserLimitPg(tx: PgTx): Promise<void> {
  return advisoryXactLockPg(tx, ADVISORY_LOCK_SPACE.userLimit, 'non-guest accounts');
}

class Refused extends Error {
  constructor(readonly result: NewAccountResult) {
    super(result.status);
  }
}

/**
 * PostgreSQL's `createAccount`, inside the caller's transaction: a savepoint, so a refusal rolls
 * back the spent invitation. The count runs under `lockUserLimitPg`, so of 8 replicas signing up
 * for the last place exactly one gets it. A concurrent sign-up with the same address waits on the
 * unique index and then inserts nothing: `email_taken`.
 */
export async function createAccountPg(
  tx: PgTx,
  account: NewAccount,
  nowMs: number,
  audit?: AuditFor<CreatedAccount>,
): Promise<NewAccountResult> {
  if (account.maxUsers !== null) await lockUserLimitPg(tx);
  try {
    return await tx.transaction(async (sp): Promise<NewAccountResult> => {
      if (account.maxUsers !== null && (await countNonGuestUsersPg(sp)) >= account.maxUsers)
        return { status: 'user_limit' };
      let invitation: ActionToken | null = null;
      if (account.invitation) {
        invitation =
          (await consumeActionTokenPg(
            sp,
            { token: account.invitation.token, purposes: ['invitation'], email: account.email },
            nowMs,
          )) ?? null;
        if (!invitation) return { status: 'invitation_refused' };
      }
      const user = await insertUserPg(sp, newAccountUser(account, invitation, nowMs), nowMs);
      if (!user) throw new Refused({ status: 'email_taken' });
      const entry = audit?.({ user, invitation });
      if (entry) await insertAuditEntryPg(sp, entry, nowMs);
      return { status: 'created', user, invitation };
    });
  } catch (error) {
    if (error instanceof Refused) return error.result;
    throw error;
  }
}
