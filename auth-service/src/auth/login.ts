import type { AppDeps } from '../deps.ts';
import { apiError } from '../http/error-catalog.ts';
import { checkPassword } from '../passwords/check-password.ts';
import {
  type LoginFailureReason,
  claimPasswordCheck,
  recordLoginFailure,
  settlePasswordCheck,
} from './lockout.ts';
import { type SignedIn, signIn } from './sign-in.ts';

/** The one answer to every refused password check: unknown email, wrong password and no password look alike. */
export const invalidCredentials = () => apiError('invalid_credentials');

/**
 * Email + password sign-in. The login throttle is asked first (see lockout.ts): a blocked pair or
 * a running account-wide delay answers 429 `login_throttled` without checking the password, the
 * same for an email with no account. Otherwise bcrypt runs for every attempt (against a decoy
 * hash for an unknown email or an account without a password), so those take the same work and
 * get the same 401 as a wrong password. A successful sign-in clears its (email, IP) pair and
 * remembers the IP and the browser's device id (when given) as places the account signs in from,
 * which then skip the account-wide delay.
 */
export async function logIn(
  deps: Pick<AppDeps, 'config' | 'store' | 'appJwt' | 'passwords' | 'logger' | 'now'>,
  credentials: { email: string; password: string },
  meta: { ip: string | null; userAgent: string | null },
  deviceId?: string,
): Promise<SignedIn> {
  const found = await deps.store.users.findByEmail(credentials.email);
  const attempt = {
    email: credentials.email,
    ip: meta.ip,
    user: found,
    ...(deviceId === undefined ? {} : { deviceId }),
  };
  const check = await claimPasswordCheck(deps, attempt);
  const hash = found?.passwordHash ?? undefined;
  const matches = await checkPassword(deps.passwords, credentials.password, hash);

  const refuse = async (reason: LoginFailureReason): Promise<never> => {
    await recordLoginFailure(deps, { ...attempt, reason, check });
    throw invalidCredentials();
  };
  if (!found) return refuse('unknown_email');
  if (hash === undefined) return refuse('no_password');
  if (!matches) return refuse('wrong_password');
  if (found.status !== 'active') {
    await settlePasswordCheck(deps, check, {
      action: 'login_failure',
      actorId: null,
      target: found.id,
      ip: meta.ip,
      detail: { reason: 'suspended' },
    });
    throw apiError('account_suspended');
  }

  const rehashed = deps.passwords.needsRehash(hash)
    ? await deps.passwords.hash(credentials.password)
    : undefined;
  const login = { userId: found.id, verifiedHash: hash, rehashed };
  // Refused (undefined) if the account was suspended or given a new password meanwhile.
  const signedIn = await signIn(deps, meta, (newSignIn, nowMs) =>
    deps.store.signIns.logIn(login, check.source, newSignIn, nowMs, (user) => ({
      action: 'login_success',
      actorId: user.id,
      target: user.id,
      ip: meta.ip,
    })),
  );
  return signedIn ?? refuse('superseded');
}
