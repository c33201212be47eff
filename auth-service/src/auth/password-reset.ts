import { PASSWORD_TOKEN_PURPOSES } from '@attune/db';
import type { AppDeps } from '../deps.ts';
import { apiError } from '../http/error-catalog.ts';
import { disconnectFromLiveRooms } from '../livekit/participant-removal.ts';
import { emailDigest } from './lockout.ts';
import { mailPasswordResetLink } from './mailed-links.ts';

/** The one answer to POST /auth/password/forgot, whatever the address. */
export const FORGOT_PASSWORD_MESSAGE =
  'If an account exists for that address, we sent a link to reset its password.';

type ResetDeps = Pick<AppDeps, 'config' | 'store' | 'mailer' | 'now'>;

/**
 * What POST /auth/password/forgot does after it has answered (a background task, so neither the
 * answer nor its timing tells whether the address has an account): an active, non-guest account
 * is mailed a reset link (also one an admin created without a password: the link sets its first
 * one), at most LINK_MAILS_PER_ADDRESS_PER_HOUR an hour. Only a request for such an account is
 * audited, as `password_reset_requested` (outcome `mailed` or `capped`) with the address's
 * SHA-256, never the address: a request for any other address writes nothing, so anonymous
 * requests cannot grow the audit log.
 */
export async function requestPasswordReset(
  deps: ResetDeps,
  email: string,
  ip: string | null,
): Promise<void> {
  const user = await deps.store.users.findByEmail(email);
  // Guests have no mailbox; a suspended account could not sign in with a new password anyway.
  if (!user || user.role === 'guest' || user.status !== 'active') return;
  await mailPasswordResetLink(deps, user, (outcome) => ({
    action: 'password_reset_requested',
    actorId: null,
    target: user.id,
    ip,
    detail: { email_sha256: emailDigest(email), outcome },
  }));
}

/**
 * Sets a new password with a reset (or set-password) link: 400 `invalid_token` for an unknown,
 * used, voided or expired one. In one transaction the token is spent, the password set, every
 * device signed out (every refresh family revoked), the login throttle of the address cleared,
 * the address marked verified (the link was mailed there) and `password_reset` audited. Then the
 * user's participants are removed from their live rooms (a LiveKit failure is only logged).
 */
export async function resetPassword(
  deps: Pick<AppDeps, 'config' | 'store' | 'logger' | 'passwords' | 'now'>,
  input: { token: string; newPassword: string; ip: string | null },
): Promise<void> {
  // A cheap look first, so a guessed token costs no bcrypt; the spend below decides.
  const usable = await deps.store.actionTokens.findUsable(
    input.token,
    PASSWORD_TOKEN_PURPOSES,
    deps.now(),
  );
  if (!usable) throw apiError('invalid_token');
  const passwordHash = await deps.passwords.hash(input.newPassword);
  const result = await deps.store.accountRecovery.resetPassword(
    { token: input.token, passwordHash },
    deps.now(),
    ({ user, purpose }) => ({
      action: 'password_reset',
      actorId: user.id,
      target: user.id,
      ip: input.ip,
      detail: { purpose },
    }),
  );
  if (result.status !== 'password_set') throw apiError('invalid_token');
  // Whoever held the old password may be in a room now: they leave it, as on a suspension.
  await disconnectFromLiveRooms(deps, result.user.id, 'a password reset');
}
