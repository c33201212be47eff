import {
  type ActionToken,
  type Db,
  consumeActionToken,
  countNonGuestUsers,
  findUsableActionToken,
} from '@attune/db';
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
export function admitSignUp(
  db: Db,
  registration: RegistrationConfig,
  request: { email: string; inviteToken?: string | undefined },
  nowMs: number,
): ActionToken | null {
  if (registration.mode === 'closed') throw apiError('registration_closed');
  if (request.inviteToken === undefined) {
    if (registration.mode === 'invite') throw apiError('invitation_required');
    return null;
  }
  const invitation = findUsableActionToken(db, request.inviteToken, ['invitation'], nowMs);
  if (!invitation || invitation.email !== request.email) throw invitationRefused();
  return invitation;
}

/**
 * Inside the sign-up's transaction, before the account is inserted: refuses it (403 `user_limit`)
 * once MAX_USERS non-guest accounts exist (count and insert in one write transaction, so two
 * sign-ups cannot both take the last place), and spends the invitation (403
 * `invitation_required` if another sign-up spent it meanwhile). Throwing rolls the sign-up back.
 */
export function claimAccountPlace(
  tx: Db,
  registration: RegistrationConfig,
  invitation: { token: string; email: string } | null,
  nowMs: number,
): ActionToken | null {
  checkUserLimit(tx, registration);
  if (!invitation) return null;
  const spent = consumeActionToken(
    tx,
    { token: invitation.token, purposes: ['invitation'], email: invitation.email },
    nowMs,
  );
  if (!spent) throw invitationRefused();
  return spent;
}

/**
 * MAX_USERS: throws 403 `user_limit` once that many non-guest accounts exist. Call it inside the
 * write transaction that adds the account (or the invitation), so two requests cannot both take
 * the last place.
 */
export function checkUserLimit(tx: Db, registration: Pick<RegistrationConfig, 'maxUsers'>): void {
  const max = registration.maxUsers;
  if (max !== null && countNonGuestUsers(tx) >= max)
    throw apiError('user_limit', `This server has reached its limit of ${max} accounts`);
}
