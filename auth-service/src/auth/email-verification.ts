import type { User } from '@attune/db';
import type { AppDeps } from '../deps.ts';
import { apiError } from '../http/error-catalog.ts';
import { type LinkOutcome, mailVerificationLink } from './mailed-links.ts';

/** The one answer to POST /auth/email/verify/resend. */
export const RESEND_VERIFICATION_MESSAGE =
  'If an address of yours is waiting to be confirmed, we sent it a link.';

type VerificationDeps = Pick<AppDeps, 'config' | 'store' | 'mailer' | 'now'>;

/**
 * The address that waits for a confirmation: a new one asked for (`pending_email`), else the
 * account's own while unconfirmed; `null` when nothing waits.
 */
export function addressAwaitingVerification(
  user: Pick<User, 'email' | 'pendingEmail' | 'emailVerifiedAt'>,
): string | null {
  return user.pendingEmail ?? (user.emailVerifiedAt === null ? user.email : null);
}

/**
 * Mails a verification link to `to` (see `mailVerificationLink`), audited as
 * `email_verification_requested` with the outcome and which address it went to, never the
 * address itself. For a background task: call it after answering.
 */
export function sendVerificationMail(
  deps: VerificationDeps,
  user: Pick<User, 'id' | 'fullName' | 'email'>,
  to: string,
  ip: string | null,
): Promise<LinkOutcome> {
  return mailVerificationLink(deps, user, to, (outcome: LinkOutcome) => ({
    action: 'email_verification_requested',
    actorId: user.id,
    target: user.id,
    ip,
    detail: { outcome, address: to === user.email ? 'current' : 'pending' },
  }));
}

/**
 * Spends a verification link: the address it was mailed to becomes (or is confirmed as) the
 * account's email, and `email_verified` is audited. 400 `invalid_token` for an unknown, used,
 * voided or expired link, or one for an address the account no longer waits for; 409
 * `email_taken` when another account took the new address meanwhile (the change is dropped).
 */
export async function verifyEmail(
  deps: Pick<AppDeps, 'store' | 'now'>,
  token: string,
  ip: string | null,
): Promise<User> {
  const result = await deps.store.accountRecovery.verifyEmail(token, deps.now(), (user) => ({
    action: 'email_verified',
    actorId: user.id,
    target: user.id,
    ip,
  }));
  if (result.status === 'email_taken')
    throw apiError(
      'email_taken',
      'Another account uses that address now; the change was dropped, ask for another one',
    );
  if (result.status !== 'verified') throw apiError('invalid_token');
  return result.user;
}
