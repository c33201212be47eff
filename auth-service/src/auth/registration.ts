import {
  type ActionToken,
  type AttuneStore,
  type CreatedAccount,
  type NewAccount,
  type NewSignIn,
  type SignInRecord,
} from '@attune/db';
import type { AuditRecord } from '../audit/audit.ts';
import type { RegistrationConfig } from '../config/config.ts';
import { apiError } from '../http/error-catalog.ts';

const invitationRefused = () =>
  apiError(
    'invitation_required',
    'The invitation is invalid, expired, already used or for another address; ask for a new one',
  );

/**
 * Who may sign up (REGISTRATION), checked before any work: `closed` refuses everyone (admins
 * create accounts instead), `invite` needs a usable invitation for this very address, `open`
 * takes anyone and honours an invitation when one is presented (its role, its proven address).
 * Returns the invitation to spend with the account, if any. Throws 403 `registration_closed` or
 * `invitation_required`.
 */
export async function admitSignUp(
  store: Pick<AttuneStore, 'actionTokens'>,
  registration: RegistrationConfig,
  request: { email: string; inviteToken?: string | undefined },
  nowMs: number,
): Promise<ActionToken | null> {
  if (registration.mode === 'closed') throw apiError('registration_closed');
  if (request.inviteToken === undefined) {
    if (registration.mode === 'invite') throw apiError('invitation_required');
    return null;
  }
  const invitation = await store.actionTokens.findUsable(
    request.inviteToken,
    ['invitation'],
    nowMs,
  );
  if (!invitation || invitation.email !== request.email) throw invitationRefused();
  return invitation;
}

/**
 * The sign-in unit of a sign-up (sign-in.ts runs it): the store's `signUp` creates the account
 * (MAX_USERS place, invitation, row and `audit`) with the device and the fresh room, all or
 * nothing. Throws 403 `user_limit` once MAX_USERS non-guest accounts exist, or
 * `invitation_required` if another sign-up spent the invitation meanwhile (nothing is written
 * then); `undefined` when the email is taken.
 */
export async function signUp(
  store: Pick<AttuneStore, 'signIns'>,
  registration: Pick<RegistrationConfig, 'maxUsers'>,
  account: Omit<NewAccount, 'maxUsers'>,
  newSignIn: NewSignIn,
  nowMs: number,
  audit: (created: CreatedAccount) => AuditRecord,
): Promise<SignInRecord | undefined> {
  const result = await store.signIns.signUp(
    { ...account, maxUsers: registration.maxUsers },
    newSignIn,
    nowMs,
    audit,
  );
  switch (result.status) {
    case 'created':
      return result;
    case 'email_taken':
      return undefined;
    case 'user_limit':
      throw userLimitReached(registration.maxUsers);
    case 'invitation_refused':
      throw invitationRefused();
  }
}

/** 403 `user_limit`: MAX_USERS non-guest accounts exist. */
export const userLimitReached = (max: number | null) =>
  apiError('user_limit', `This server has reached its limit of ${max} accounts`);
