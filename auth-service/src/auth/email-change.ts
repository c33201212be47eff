import type { User } from '@attune/db';
import type { AppDeps } from '../deps.ts';
import { apiError } from '../http/error-catalog.ts';
import { emailChangeNoticeMail } from '../mail/mail-messages.ts';
import { callerPasswordMatches } from './caller-password.ts';
import { sendVerificationMail } from './email-verification.ts';

/**
 * The signed-in user asks for a new address (PATCH /auth/me `email`). Moving an account to
 * another mailbox is how a stolen session becomes a stolen account, so it needs the current
 * password (checked through the login throttle: 401 `invalid_password`, 429 `login_throttled`),
 * and the new address only replaces the old one once the link mailed to it is opened. Meanwhile it
 * waits in `pending_email` (409 `email_taken` if another account holds it), and the old address
 * is told of the change. Asking for one's current address drops a pending change, no password
 * needed. Returns the user as changed.
 */
export async function requestEmailChange(
  deps: Pick<AppDeps, 'config' | 'store' | 'passwords' | 'logger' | 'mailer' | 'tasks' | 'now'>,
  user: User,
  request: { email: string; currentPassword: string | undefined; ip: string | null },
): Promise<User> {
  const { email, ip } = request;
  if (email !== user.email) {
    if (request.currentPassword === undefined)
      throw apiError('validation_failed', 'current_password is required to change email', {
        issues: [{ path: 'current_password', message: 'required to change email' }],
      });
    if (!(await callerPasswordMatches(deps, user, request.currentPassword, ip)))
      throw apiError('invalid_password');
  }
  const result = await deps.store.emailChange.request(user.id, email, deps.now(), () => ({
    action: 'email_change_requested',
    actorId: user.id,
    target: user.id,
    ip,
  }));
  if (result.status === 'email_taken') throw apiError('email_taken');
  if (result.status === 'unknown_user')
    throw new Error('the signed-in user vanished during an email change');
  if (result.status === 'pending') {
    const changed = result.user;
    deps.tasks.run('verification mail for a new address', () =>
      sendVerificationMail(deps, changed, email, ip),
    );
    deps.tasks.run('email change notice to the old address', () =>
      deps.mailer.send(emailChangeNoticeMail({ to: user.email, name: user.fullName })),
    );
  }
  return result.user;
}
