import { findUserByEmail, isAccountLocked, recordSuccessfulLogin } from '@attune/db';
import { audit, auditIn } from '../audit/audit.ts';
import type { AppDeps } from '../deps.ts';
import { apiError } from '../http/error-catalog.ts';
import { checkPassword } from '../passwords/check-password.ts';
import { type LoginFailureReason, recordLoginFailure } from './lockout.ts';
import { type SignedIn, signIn } from './sign-in.ts';

/** The one answer to every refused login: unknown email, wrong password and locked account look alike. */
export const invalidCredentials = () => apiError('invalid_credentials');

/**
 * Email + password sign-in. bcrypt runs for every attempt (against a decoy hash for an unknown
 * email), and the lock is checked only after it, so an unknown email, a wrong password and a
 * locked account (even with the right password) take the same work and get the same 401.
 * Wrong passwords count towards the lockout; a successful login resets the count.
 */
export async function logIn(
  deps: Pick<AppDeps, 'config' | 'database' | 'appJwt' | 'passwords' | 'logger' | 'now'>,
  credentials: { email: string; password: string },
  meta: { ip: string | null; userAgent: string | null },
): Promise<SignedIn> {
  const found = findUserByEmail(deps.database.db, credentials.email);
  const matches = await checkPassword(deps.passwords, credentials.password, found?.passwordHash);

  const refuse = async (reason: LoginFailureReason): Promise<never> => {
    await recordLoginFailure(deps, { user: found, email: credentials.email, ip: meta.ip, reason });
    throw invalidCredentials();
  };
  if (!found) return refuse('unknown_email');
  // Before the password and the status: a locked account must not tell whether the guess was right.
  if (isAccountLocked(found, deps.now())) return refuse('locked');
  if (!matches) return refuse('wrong_password');
  if (found.status !== 'active') {
    await audit(deps, {
      action: 'login_failure',
      actorId: null,
      target: found.id,
      ip: meta.ip,
      detail: { reason: 'suspended' },
    });
    throw apiError('account_suspended');
  }

  const rehashed = deps.passwords.needsRehash(found.passwordHash)
    ? await deps.passwords.hash(credentials.password)
    : undefined;
  const login = { userId: found.id, verifiedHash: found.passwordHash, rehashed };
  const signedIn = await signIn(deps, meta, (tx) => {
    const nowMs = deps.now();
    // Refused (undefined) if the account was locked, suspended or given a new password meanwhile.
    const user = recordSuccessfulLogin(tx, login, nowMs);
    if (user)
      auditIn(
        tx,
        { action: 'login_success', actorId: user.id, target: user.id, ip: meta.ip },
        nowMs,
      );
    return user;
  });
  return signedIn ?? refuse('superseded');
}
