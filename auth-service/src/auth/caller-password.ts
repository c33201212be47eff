import type { User } from '@attune/db';
import type { AppDeps } from '../deps.ts';
import { checkPassword } from '../passwords/check-password.ts';
import { claimPasswordCheck, recordLoginFailure, settlePasswordCheck } from './lockout.ts';

/**
 * Checks the signed-in user's password (account routes: password change, account deletion, email
 * change) like a sign-in: through the login throttle (429 `login_throttled` while it blocks; a
 * wrong password counts toward it and is audited as `login_failure`), so a stolen access token
 * cannot be used to guess the password. Past bcrypt's 72 bytes a password never matches.
 */
export async function callerPasswordMatches(
  deps: Pick<AppDeps, 'config' | 'store' | 'passwords' | 'logger' | 'now'>,
  user: User,
  password: string,
  ip: string | null,
): Promise<boolean> {
  const attempt = { email: user.email, ip, user, actorId: user.id };
  const check = await claimPasswordCheck(deps, attempt);
  if (await checkPassword(deps.passwords, password, user.passwordHash ?? undefined)) {
    await settlePasswordCheck(deps, check);
    return true;
  }
  await recordLoginFailure(deps, {
    ...attempt,
    reason: 'wrong_password_on_account_route',
    check,
  });
  return false;
}
